"""Crawl a website into a collection: same site by default, depth and page limits, include/exclude patterns,
robots.txt, a politeness delay, incremental re-crawls and pruning of removed pages.

Why not trafilatura's own `focused_crawler`: it has no depth limit or per-page error report, keeps module-global
state between crawls, and its URL filter rejects IP addresses with ports (`shared/notes/libraries.md` pitfall 13).
We keep trafilatura for what it does best, the extraction of the main text (`corpus.loaders.html`), and do the
walking here: a breadth-first queue, `urllib.robotparser` for robots.txt, lxml for links and sitemaps.

Re-crawling is incremental: a page whose extracted text has the same hash as last time is not re-indexed.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib import robotparser
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from corpus.files import IngestResult
from corpus.loaders.html import html_to_markdown
from corpus.stores.base import CollectionStore
from corpus.web.fetcher import USER_AGENT, Fetched, Fetcher, FetchError, gunzip
from corpus.web.safety import check_url
from tokka.errors import TokkaError
from tokka.locales import for_ui, t
from tokka.settings import Settings, get_settings

logger = logging.getLogger(__name__)

HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Linked documents that are indexed too (by content type, else by extension).
DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/csv": ".csv",
    "text/markdown": ".md",
    "text/plain": ".txt",
    "application/json": ".json",
}
DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".xlsx", ".csv", ".md", ".txt", ".json", ".jsonl"}
MAX_SITEMAPS = 20
ROBOTS_MAX_BYTES = 512 * 1024  # as Google's crawler: the rest of a longer robots.txt is not read


@dataclass
class CrawlResult:
    """What happened to one URL.

    :param status: `added`, `updated`, `unchanged`, `failed`, `duplicate`, `skipped`, `removed` or `cancelled`.
    """

    url: str
    status: str
    title: str = ""
    chars: int = 0
    chunks: int = 0
    depth: int = 0
    fetched: float = 0.0
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def reason(self, lang: str | None = None, ui: bool = False) -> str:
        """Why it failed or was skipped, in the user's language; `ui`: the app's wording."""
        return t(for_ui(self.code) if ui else self.code, lang, **self.params) if self.code else ""


@dataclass
class CrawlSummary:
    """All results of a crawl."""

    results: list[CrawlResult] = field(default_factory=list)
    cancelled: bool = False

    def count(self, status: str) -> int:
        """How many URLs ended with `status`."""
        return sum(1 for r in self.results if r.status == status)


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no default port, `/` for an empty path."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not (parts.scheme == "http" and port == 80 or parts.scheme == "https" and port == 443):
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


class PageSink(Protocol):
    """Where fetched pages go: the ingestion of one collection (`pipelines.ingest.Ingestor`)."""

    store: CollectionStore

    def ingest_bytes(
        self,
        source: str,
        data: bytes,
        file_name: str,
        modified: float,
        content_hash: str,
        kind: str | None = None,
        force: bool = False,
    ) -> IngestResult:
        """Index one downloaded document known by `source` (its URL)."""
        ...


class Crawler:
    """Crawl websites into one collection.

    ### Usage example
    ```python
    summary = Crawler(Ingestor("website"), depth=2, max_pages=50).run(["https://example.org/"])
    [(r.url, r.status) for r in summary.results]
    ```

    :param sink: where pages go (the target collection's `Ingestor`).
    :param depth: links followed from the start pages (0 = only the start pages or the sitemap's pages).
    :param max_pages: the most pages fetched.
    :param same_site: only follow links on the start URLs' sites.
    :param include: regular expressions; when given, only matching URLs are crawled (start URLs always are).
    :param exclude: regular expressions of URLs never crawled.
    :param use_sitemap: take the pages from sitemaps (the start URL itself, or the site's robots.txt/sitemap.xml).
    :param delay: seconds between two requests to one site (default: `TOKKA_CRAWL_DELAY`; robots.txt
        Crawl-delay wins when longer).
    :param prune: after a complete crawl, remove this site's pages that were not found again (or answered 404/410).
    """

    def __init__(
        self,
        sink: PageSink,
        depth: int = 2,
        max_pages: int = 100,
        same_site: bool = True,
        include: list[str] | None = None,
        exclude: list[str] | None = None,
        use_sitemap: bool = False,
        delay: float | None = None,
        prune: bool = False,
        settings: Settings | None = None,
    ) -> None:
        self.sink = sink
        self.depth = max(0, depth)
        self.max_pages = max(1, max_pages)
        self.same_site = same_site
        self.include = [re.compile(p) for p in include or []]
        self.exclude = [re.compile(p) for p in exclude or []]
        self.use_sitemap = use_sitemap
        self.settings = settings or get_settings()
        self.delay = self.settings.crawl_delay if delay is None else max(0.0, delay)
        self.prune = prune
        self._robots: dict[str, robotparser.RobotFileParser | TokkaError | None] = {}
        self._visited: set[str] = set()
        self._last_request: dict[str, float] = {}

    # ---- public ------------------------------------------------------------------------------------------------
    def run(
        self,
        start_urls: list[str],
        progress: Callable[[int, CrawlResult], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> CrawlSummary:
        """Crawl and collect the results. `progress(n, result)` is called after each URL."""
        summary = CrawlSummary()
        for result in self.crawl(start_urls, cancel):
            summary.results.append(result)
            if progress is not None:
                progress(len(summary.results), result)
        summary.cancelled = any(r.status == "cancelled" for r in summary.results)
        return summary

    def crawl(self, start_urls: list[str], cancel: threading.Event | None = None) -> Iterator[CrawlResult]:
        """Crawl, yielding one result per URL as soon as it is done (so a UI can show progress)."""
        cancel = cancel or threading.Event()
        self._visited = set()
        fetcher = Fetcher(settings=self.settings)
        try:
            yield from self._crawl(start_urls, fetcher, self.sink, cancel)
        finally:
            fetcher.close()

    # ---- the walk ----------------------------------------------------------------------------------------------
    def _crawl(
        self, start_urls: list[str], fetcher: Fetcher, ingestor: PageSink, cancel: threading.Event
    ) -> Iterator[CrawlResult]:
        starts = []
        for raw in start_urls:
            url = normalize_url(raw)
            try:
                check_url(url, self.settings)
            except TokkaError as e:
                yield CrawlResult(url, "failed", code=e.code, params=e.params)
                continue
            starts.append(url)
        sites = {_site(u) for u in starts}
        queue: deque[tuple[str, int]] = deque()
        if self.use_sitemap:
            for url in starts:
                pages, problems = self._sitemap_pages(url, fetcher)
                yield from problems
                queue.extend((page, 0) for page in pages)
        else:
            queue.extend((u, 0) for u in starts)
        seen = {u for u, _ in queue}
        hashes: dict[str, str] = {}
        found: set[str] = set()
        fetched_pages = 0
        complete = True
        while queue:
            if cancel.is_set():
                yield CrawlResult(queue[0][0], "cancelled", code="err.cancelled")
                complete = False
                break
            if fetched_pages >= self.max_pages:
                complete = False
                break
            url, depth = queue.popleft()
            allowed = self._robots_allow(url, fetcher)
            if isinstance(allowed, CrawlResult):
                yield allowed
                continue
            self._wait_turn(url, cancel)
            fetched_pages += 1
            result, links = self._visit(url, depth, fetcher, ingestor, hashes)
            if result.status in ("added", "updated", "unchanged", "duplicate"):
                found.update({url, result.url})
            if result.status == "failed" and self.prune and result.params.get("status") in (404, 410):
                if ingestor.store.remove_source(url):
                    result = CrawlResult(url, "removed", depth=depth, code=result.code, params=result.params)
            yield result
            if depth < self.depth:
                for link in links:
                    if link not in seen and self._wanted(link, sites):
                        seen.add(link)
                        queue.append((link, depth + 1))
        if self.prune and complete:
            yield from self._prune(sites, found, ingestor)

    def _visit(
        self, url: str, depth: int, fetcher: Fetcher, ingestor: PageSink, hashes: dict[str, str]
    ) -> tuple[CrawlResult, list[str]]:
        fetched_at = time.time()
        try:
            page = fetcher.get(url)
        except TokkaError as e:
            return CrawlResult(url, "failed", depth=depth, fetched=fetched_at, code=e.code, params=e.params), []
        final = normalize_url(page.url)  # after redirects, the page is known by where it really is
        if final != url and final in self._visited:
            return CrawlResult(
                url, "duplicate", depth=depth, fetched=fetched_at, code="err.duplicate_page", params={"original": final}
            ), []
        url = final
        self._visited.add(url)
        kind, file_name = self._kind(page)
        if kind is None:
            return CrawlResult(
                url,
                "skipped",
                depth=depth,
                fetched=fetched_at,
                code="err.unsupported_content",
                params={"content_type": page.content_type or "?"},
            ), []
        links: list[str] = []
        data = page.data
        if kind == "html":
            links = self._links(page)
            markup = _page_text(page)
            data = markup.encode("utf-8")  # decoded once here (HTTP charset first), handed on as UTF-8
            text, title = html_to_markdown(markup, page.url)
            content_hash = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
        else:
            title = ""
            content_hash = hashlib.sha256(page.data).hexdigest()
        if content_hash in hashes and hashes[content_hash] != url:
            return CrawlResult(
                url,
                "duplicate",
                depth=depth,
                fetched=fetched_at,
                code="err.duplicate_page",
                params={"original": hashes[content_hash]},
            ), links
        hashes.setdefault(content_hash, url)
        outcome = ingestor.ingest_bytes(url, data, file_name, fetched_at, content_hash, kind="web")
        return CrawlResult(
            url,
            outcome.status,
            outcome.title or title,
            outcome.chars,
            outcome.chunks,
            depth,
            fetched_at,
            outcome.code,
            outcome.params,
        ), links

    # ---- helpers -----------------------------------------------------------------------------------------------
    @staticmethod
    def _kind(page: Fetched) -> tuple[str | None, str]:
        if page.content_type in HTML_TYPES:
            return "html", "page.html"
        extension = DOCUMENT_TYPES.get(page.content_type)
        path_ext = "." + urlsplit(page.url).path.rsplit(".", 1)[-1].lower() if "." in urlsplit(page.url).path else ""
        if path_ext in DOCUMENT_EXTENSIONS:
            extension = path_ext
        if extension is None and not page.content_type and path_ext in (".html", ".htm"):
            return "html", "page.html"
        return ("document", f"document{extension}") if extension else (None, "")

    @staticmethod
    def _links(page: Fetched) -> list[str]:
        try:
            tree = lxml.html.fromstring(page.data)
        except (ValueError, lxml.etree.ParserError):
            return []
        base = tree.xpath("string(//base/@href)") or page.url
        links = []
        for href in tree.xpath("//a/@href"):
            href = str(href).strip()
            if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
                continue
            absolute = normalize_url(urljoin(base, href))
            if absolute.startswith(("http://", "https://")):
                links.append(absolute)
        return links

    def _wanted(self, url: str, sites: set[str]) -> bool:
        if self.same_site and _site(url) not in sites:
            return False
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)

    def _robots_allow(self, url: str, fetcher: Fetcher) -> bool | CrawlResult:
        site = _site(url)
        if site not in self._robots:
            self._robots[site] = self._load_robots(site, fetcher)
        rules = self._robots[site]
        if isinstance(rules, TokkaError):
            return CrawlResult(url, "skipped", code="err.robots_unreachable", params=rules.params)
        if rules is not None and not rules.can_fetch(USER_AGENT, url):
            return CrawlResult(url, "skipped", code="err.robots_disallowed", params={"url": url})
        return True

    def _load_robots(self, site: str, fetcher: Fetcher) -> robotparser.RobotFileParser | TokkaError | None:
        try:
            page = fetcher.get(site + "/robots.txt", max_bytes=ROBOTS_MAX_BYTES)
        except FetchError as e:
            status = e.params.get("status")
            if isinstance(status, int) and 400 <= status < 500:
                return None  # no robots.txt: everything is allowed
            # RFC 9309: a robots.txt that cannot be read because of a server or network error means "disallow all".
            return FetchError("err.robots_unreachable", site=site, detail=e.message("en"))
        except TokkaError as e:
            return e
        rules = robotparser.RobotFileParser()
        rules.parse(page.data.decode("utf-8", "replace").splitlines())
        delay = rules.crawl_delay(USER_AGENT)
        if delay:
            self._last_request.setdefault(f"delay:{site}", float(delay))
        return rules

    def _wait_turn(self, url: str, cancel: threading.Event) -> None:
        site = _site(url)
        delay = max(self.delay, self._last_request.get(f"delay:{site}", 0.0))
        last = self._last_request.get(site)
        if last is not None:
            remaining = delay - (time.monotonic() - last)
            if remaining > 0:
                cancel.wait(remaining)  # returns early when cancelled
        self._last_request[site] = time.monotonic()

    def _sitemap_pages(self, url: str, fetcher: Fetcher) -> tuple[list[str], list[CrawlResult]]:
        """Page URLs from sitemaps: `url` itself when it is an XML sitemap, else robots.txt `Sitemap:` lines and
        `/sitemap.xml` of its site (sitemap indexes are followed, up to 20 files)."""
        site = _site(url)
        candidates = [url] if urlsplit(url).path.lower().endswith((".xml", ".xml.gz")) else []
        if not candidates:
            rules = self._robots.get(site) or self._load_robots(site, fetcher)
            self._robots[site] = rules
            if isinstance(rules, robotparser.RobotFileParser):
                candidates += [normalize_url(s) for s in rules.site_maps() or []]
            candidates.append(site + "/sitemap.xml")
        pages: list[str] = []
        problems: list[CrawlResult] = []
        done: set[str] = set()
        while candidates and len(done) < MAX_SITEMAPS:
            sitemap = candidates.pop(0)
            if sitemap in done:
                continue
            done.add(sitemap)
            try:
                data = fetcher.get(sitemap).data
                xml = gunzip(data, fetcher.max_bytes) if data[:2] == b"\x1f\x8b" else data
                # Sitemaps are untrusted XML: no entity expansion, no network access, no DTD.
                parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
                root = lxml.etree.fromstring(xml, parser=parser)
            except (TokkaError, lxml.etree.XMLSyntaxError, OSError) as e:
                if sitemap == url or not pages:
                    params = e.params if isinstance(e, TokkaError) else {"url": sitemap, "detail": str(e)[:200]}
                    problems.append(
                        CrawlResult(sitemap, "failed", code=getattr(e, "code", "err.fetch_failed"), params=params)
                    )
                continue
            for loc in root.iter("{*}loc"):
                target = normalize_url((loc.text or "").strip())
                parent = lxml.etree.QName(loc.getparent().getparent()).localname if loc.getparent() is not None else ""
                if parent == "sitemapindex":
                    candidates.append(target)
                elif target not in pages:
                    pages.append(target)
        if pages:
            problems = [p for p in problems if p.url == url]
        return pages, problems

    def _prune(self, sites: set[str], found: set[str], ingestor: PageSink) -> Iterator[CrawlResult]:
        for record in ingestor.store.sources():
            if record.type == "web" and _site(record.source) in sites and record.source not in found:
                ingestor.store.remove_source(record.source)
                yield CrawlResult(
                    record.source, "removed", record.title, record.chars, record.chunks, code="err.page_gone"
                )


def _page_text(page: Fetched) -> str:
    """The page's HTML as text: the HTTP header's charset, else the page's own `<meta charset>`, else detection."""
    from corpus.loaders.html import decode_html

    match = re.search(r"charset=([\w.-]+)", page.headers.get("content-type", ""), re.I)
    if match:
        try:
            return page.data.decode(match.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode_html(page.data)[0]
    except TokkaError:
        return page.data.decode("utf-8", "replace")
