"""Fetch one URL politely and safely: every hop and every connection checked (`corpus.web.safety`,
`corpus.web.transport`), a size cap, a wall-clock deadline for the whole page, and a descriptive User-Agent.
Redirects are followed by hand so that each target is checked before it is contacted.

The deadline matters: httpx's timeouts are per read, so a server that sends one byte every few seconds could keep a
fetch alive for ever. Here the whole page (all redirects and the body) must arrive within
`TOKKA_CRAWL_PAGE_TIMEOUT` seconds.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from corpus.web.safety import check_url
from corpus.web.transport import AddressRefusedError, CheckedTransport
from tokka import __version__
from tokka.errors import TokkaError
from tokka.settings import Settings, get_settings

USER_AGENT = f"tokka-crawler/{__version__} (local knowledge base)"
MAX_REDIRECTS = 5


class FetchError(TokkaError):
    """A page that could not be fetched (HTTP error, timeout, too large, refused address)."""


@dataclass
class Fetched:
    """A fetched response: the final URL after redirects, the body and its content type."""

    url: str
    status: int
    content_type: str
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)


def gunzip(data: bytes, max_bytes: int, wbits: int = 16 + zlib.MAX_WBITS) -> bytes:
    """Decompress gzip (or, with `wbits=zlib.MAX_WBITS`, deflate) data, stopping at `max_bytes` of output (a 0.3 MB
    gzip bomb would otherwise become 1 GB).

    :raises FetchError: `err.too_large` when the output would be larger; `err.fetch_failed` for bad data.
    """
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as e:
        raise FetchError("err.fetch_failed", url="(gzip)", detail=str(e)[:200]) from e
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise FetchError("err.too_large", size_mb=f"> {max_bytes / 2**20:.1f}", limit_mb=round(max_bytes / 2**20, 1))
    return out


class Fetcher:
    """One HTTP client for a crawl.

    :param timeout: seconds for connecting and for each read (never more than the page deadline).
    :param max_bytes: larger bodies are refused (`err.too_large`).
    :param page_timeout: seconds a whole page may take (default `TOKKA_CRAWL_PAGE_TIMEOUT`).
    """

    def __init__(
        self,
        timeout: float = 10.0,
        max_bytes: int | None = None,
        settings: Settings | None = None,
        page_timeout: float | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.max_bytes = max_bytes if max_bytes is not None else self.settings.max_file_mb * 2**20
        self.page_timeout = page_timeout if page_timeout is not None else self.settings.crawl_page_timeout
        self.client = httpx.Client(
            timeout=min(timeout, self.page_timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},  # only what we inflate safely
            transport=CheckedTransport(self.settings),
            trust_env=False,  # no proxy from the environment: the checked connection is the only way out
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def get(self, url: str, max_bytes: int | None = None) -> Fetched:
        """Fetch `url`, following redirects after checking each one, within one deadline.

        :param max_bytes: a smaller cap for this request (robots.txt), else the fetcher's.

        :raises UnsafeURLError: for a refused address.
        :raises FetchError: `err.http_status`, `err.fetch_failed`, `err.too_large`, `err.too_many_redirects`,
            `err.page_timeout`.
        """
        deadline = time.monotonic() + self.page_timeout
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, self.settings)
            try:
                with self.client.stream("GET", url) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        raise FetchError("err.http_status", status=response.status_code, url=url)
                    body = self._read(response, url, deadline, max_bytes or self.max_bytes)
                    return Fetched(
                        url=str(response.url),
                        status=response.status_code,
                        content_type=response.headers.get("content-type", "").split(";")[0].strip().lower(),
                        data=body,
                        headers=dict(response.headers),
                    )
            except AddressRefusedError as e:
                raise e.error from None
            except httpx.HTTPError as e:
                if time.monotonic() > deadline:
                    raise FetchError("err.page_timeout", url=url, seconds=self.page_timeout) from e
                raise FetchError("err.fetch_failed", url=url, detail=f"{type(e).__name__}: {e}"[:200]) from e
        raise FetchError("err.too_many_redirects", url=url)

    def _read(self, response: httpx.Response, url: str, deadline: float, max_bytes: int) -> bytes:
        body = bytearray()
        for chunk in response.iter_raw():
            body.extend(chunk)
            if len(body) > max_bytes:
                raise FetchError(
                    "err.too_large", size_mb=round(len(body) / 2**20, 1), limit_mb=round(max_bytes / 2**20, 1)
                )
            if time.monotonic() > deadline:
                raise FetchError("err.page_timeout", url=url, seconds=self.page_timeout)
        encoding = response.headers.get("content-encoding", "").lower().strip()
        if encoding in ("gzip", "x-gzip"):
            return gunzip(bytes(body), max_bytes)
        if encoding == "deflate":
            return gunzip(bytes(body), max_bytes, zlib.MAX_WBITS)
        if encoding in ("", "identity"):
            return bytes(body)
        raise FetchError("err.fetch_failed", url=url, detail=f"content-encoding {encoding}")
