"""Fetch one URL politely and safely: every hop checked by `corpus.web.safety`, a size limit, a timeout, and a
descriptive User-Agent. Redirects are followed by hand so that each target is checked before it is contacted."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from corpus.web.safety import check_url
from tokka import __version__
from tokka.errors import TokkaError
from tokka.settings import Settings, get_settings

USER_AGENT = f"tokka-crawler/{__version__} (+https://github.com/; local knowledge base)"
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


class Fetcher:
    """One HTTP client for a crawl.

    :param timeout: seconds for connecting and for each read.
    :param max_bytes: larger bodies are refused (`err.too_large`).
    """

    def __init__(self, timeout: float = 20.0, max_bytes: int | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.max_bytes = max_bytes if max_bytes is not None else self.settings.max_file_mb * 2**20
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def get(self, url: str) -> Fetched:
        """Fetch `url`, following redirects after checking each one.

        :raises UnsafeURLError: for a refused address.
        :raises FetchError: `err.http_status`, `err.fetch_failed`, `err.too_large`, `err.too_many_redirects`.
        """
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, self.settings)
            try:
                with self.client.stream("GET", url) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        raise FetchError("err.http_status", status=response.status_code, url=url)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body.extend(chunk)
                        if len(body) > self.max_bytes:
                            raise FetchError(
                                "err.too_large",
                                size_mb=round(len(body) / 2**20, 1),
                                limit_mb=round(self.max_bytes / 2**20, 1),
                            )
                    return Fetched(
                        url=str(response.url),
                        status=response.status_code,
                        content_type=response.headers.get("content-type", "").split(";")[0].strip().lower(),
                        data=bytes(body),
                        headers=dict(response.headers),
                    )
            except httpx.HTTPError as e:
                raise FetchError("err.fetch_failed", url=url, detail=f"{type(e).__name__}: {e}"[:200]) from e
        raise FetchError("err.too_many_redirects", url=url)
