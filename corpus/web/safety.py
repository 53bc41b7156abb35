"""Refuse URLs that point into the local network unless the settings allow them.

tokka can be shared with a public link, so the crawler must not become a way to read the machine's own services
(127.0.0.1), the LAN (10.x, 192.168.x, fc00::/7) or cloud metadata (169.254.169.254). Every host is resolved and
*every* address it resolves to is checked, at the start URL and at each redirect. (A host whose DNS answer
changes between the check and the connection could still slip through; the check narrows the door, a firewall
closes it.)
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from tokka.errors import TokkaError
from tokka.settings import Settings, get_settings


class UnsafeURLError(TokkaError):
    """A URL the crawler will not fetch (bad scheme, unresolvable host, or a private address)."""


def _allowed_by_setting(
    host: str, addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address], settings: Settings
) -> bool:
    for entry in settings.crawl_allowed_hosts:
        if entry.lower() == host.lower():
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if addresses and all(a in network for a in addresses):
            return True
    return False


def _is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def check_url(url: str, settings: Settings | None = None) -> None:
    """Raise when the crawler must not fetch `url`.

    :raises UnsafeURLError: `err.url_scheme`, `err.url_unresolvable` or `err.url_private`.
    """
    settings = settings or get_settings()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURLError("err.url_scheme", url=url)
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError) as e:
        raise UnsafeURLError("err.url_unresolvable", host=host, detail=str(e)) from e
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    internal = [a for a in addresses if _is_internal(a)]
    if not internal or settings.crawl_allow_private or _allowed_by_setting(host, addresses, settings):
        return
    raise UnsafeURLError("err.url_private", host=host, address=str(internal[0]))
