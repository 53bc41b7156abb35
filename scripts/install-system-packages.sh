#!/usr/bin/env bash
# System packages tokka uses when they are there, all from Debian (no downloads from elsewhere):
# - OCR for scans and images: Tesseract with its Japanese models (horizontal and vertical writing);
# - old Word / PowerPoint files (.doc / .ppt): LibreOffice without its GUI, which converts them;
# - the browser test: Debian's Chromium (Playwright drives it; no browser download) and a Japanese font so that
#   screenshots are readable.
# Installed only when missing and when we may use apt (root or sudo); otherwise the features say what is missing
# and the tests that need them are reported as skipped.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
[ -e /usr/share/tesseract-ocr/5/tessdata/jpn.traineddata ] || need+=(tesseract-ocr-jpn)
[ -e /usr/share/tesseract-ocr/5/tessdata/jpn_vert.traineddata ] || need+=(tesseract-ocr-jpn-vert)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-calc-nogui)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then apt=(apt-get); elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt=(sudo apt-get); else
  echo "note: cannot install ${need[*]} (not root); OCR, old Office files or the browser test will be skipped" >&2
  exit 0; fi
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 || { "${apt[@]}" update -q >/dev/null 2>&1 && \
  "${apt[@]}" install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1; } || \
  echo "note: apt could not install ${need[*]}" >&2
exit 0
