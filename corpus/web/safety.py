"""Which addresses the crawler may contact: only global unicast ones, unless the settings allow an intranet.

tokka can be shared with a public link, so the crawler must not become a way to read the machine's own services
(127.0.0.1), the LAN (10.x, 192.168.x, fc00::/7), carrier-grade NAT (100.64.0.0/10, where cloud metadata such as
100.100.100.200 lives) or link-local metadata (169.254.169.254). The rule is an *allowlist*: an address must be
global unicast (`ipaddress`'s `is_global`, not multicast). IPv6 forms that carry an IPv4 address inside them
(IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, 6to4 `2002::/16`, Teredo `2001::/32`, NAT64
`64:ff9b::/96` and `64:ff9b:1::/48`) are judged by the IPv4 address they carry, so `2002:7f00:1::` is loopback.

:func:`check_url` gives an early, clear message for a start URL or a redirect target; the connection itself is
checked again at connect time by `corpus.web.transport` (a DNS answer that changes between the two is refused).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from tokka.errors import TokkaError
from tokka.settings import Settings, get_settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class UnsafeURLError(TokkaError):
    """A URL the crawler will not fetch (bad scheme, unresolvable host, or an address that is not public)."""


def embedded_ipv4(address: Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, Teredo, NAT64); empty for others."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client)
    if any(address in network for network in _NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    packed = int(address)
    if packed >> 32 == 0 and packed > 1:  # deprecated IPv4-compatible ::a.b.c.d
        found.append(ipaddress.IPv4Address(packed))
    return found


def is_public(address: Address) -> bool:
    """True for a global unicast address whose embedded IPv4 addresses (if any) are global unicast too."""
    inner = embedded_ipv4(address)
    if inner:
        return all(is_public(a) for a in inner)
    return address.is_global and not address.is_multicast


def allowed_by_setting(host: str, addresses: list[Address], settings: Settings) -> bool:
    """Whether `TOKKA_CRAWL_ALLOW_PRIVATE` or `TOKKA_CRAWL_ALLOWED_HOSTS` lets a non-public host be crawled."""
    if settings.crawl_allow_private:
        return True
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


def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to.

    :raises UnsafeURLError: `err.url_unresolvable`.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as e:
        raise UnsafeURLError("err.url_unresolvable", host=host, detail=str(e)) from e
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))


def check_addresses(host: str, addresses: list[Address], settings: Settings) -> None:
    """Raise unless every address is public or the settings allow this host.

    :raises UnsafeURLError: `err.url_private` naming the first refused address.
    """
    refused = [a for a in addresses if not is_public(a)]
    if not refused or allowed_by_setting(host, addresses, settings):
        return
    raise UnsafeURLError("err.url_private", host=host, address=str(refused[0]))


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
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:
        raise UnsafeURLError("err.url_scheme", url=url) from e
    check_addresses(host, resolve(host, port), settings)
