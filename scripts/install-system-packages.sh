#!/usr/bin/env bash
# System packages the browser test needs: Debian's Chromium (Playwright drives it; no browser download) and a
# Japanese font so screenshots are readable. Installed only when missing and when we may use apt (root or sudo);
# otherwise the browser test is skipped and reported as skipped.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then apt=(apt-get); elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt=(sudo apt-get); else
  echo "note: cannot install ${need[*]} (not root); the browser test will be skipped" >&2; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" install -y -q "${need[@]}" >/dev/null 2>&1 || { "${apt[@]}" update -q >/dev/null 2>&1 && \
  "${apt[@]}" install -y -q "${need[@]}" >/dev/null 2>&1; } || echo "note: apt could not install ${need[*]}" >&2
exit 0
