"""Crawl a website into a collection: same site by default, depth and page limits, include/exclude patterns,
robots.txt, a politeness delay, incremental re-crawls and pruning of removed pages.

Why not trafilatura's own `focused_crawler`: it has no depth limit or per-page error report, keeps module-global
state between crawls, and its URL filter rejects IP addresses with ports (docs/libraries.md §4.2).
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
from corpus.web.safety import check_url, resolve
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


@dataclass
class _Walk:
    """The state of one crawl: what is queued and seen, content hashes, pages found, pages fetched."""

    sites: set[str]
    queue: deque[tuple[str, int]] = field(default_factory=deque)
    seen: set[str] = field(default_factory=set)
    hashes: dict[str, str] = field(default_factory=dict)
    found: set[str] = field(default_factory=set)
    fetched: int = 0
    complete: bool = True

    def add(self, urls: list[str], depth: int) -> None:
        """Queue the URLs not seen yet."""
        for url in urls:
            if url not in self.seen:
                self.seen.add(url)
                self.queue.append((url, depth))


class HostAliases:
    """One site under several host names (`127.0.0.1` and `localhost`, `www.` and not) is one site.

    Two host names are aliases when they resolve to a common address on the same scheme and port **and** a page
    fetched under the second has the same content as the page at the same path under the first (in this crawl, or
    stored by an earlier one). Content must match because one address may serve several different sites (virtual
    hosts). Once known, every URL under the alias is rewritten to the first host, so a re-crawl updates the stored
    pages instead of adding them again.
    """

    def __init__(self) -> None:
        self._alias_of: dict[str, str] = {}  # netloc -> the netloc it is an alias of
        self._checked: set[str] = set()
        self._addresses: dict[str, frozenset[str]] = {}

    def canonical(self, url: str) -> str:
        """`url` with its host replaced by the one it is an alias of (if any)."""
        parts = urlsplit(url)
        target = self._alias_of.get(parts.netloc)
        return urlunsplit(parts._replace(netloc=target)) if target else url

    def _key(self, url: str) -> tuple[str, frozenset[str]] | None:
        parts = urlsplit(url)
        if parts.netloc not in self._addresses:
            try:
                port = parts.port or (443 if parts.scheme == "https" else 80)
                self._addresses[parts.netloc] = frozenset(str(a) for a in resolve(parts.hostname or "", port))
            except (TokkaError, ValueError):
                self._addresses[parts.netloc] = frozenset()
        addresses = self._addresses[parts.netloc]
        return (f"{parts.scheme}:{parts.port}", addresses) if addresses else None

    def resolve_page(self, url: str, content_hash: str, hashes: dict[str, str], sink: PageSink) -> str:
        """The URL this page is known by: `url`, or the same path under a host it turned out to be an alias of."""
        url = self.canonical(url)
        parts = urlsplit(url)
        if parts.netloc in self._checked:
            return url
        self._checked.add(parts.netloc)
        key = self._key(url)
        if key is None:
            return url
        known = {urlsplit(u).netloc for u in hashes.values()} | {
            urlsplit(r.source).netloc for r in sink.store.sources() if "://" in r.source
        }
        for netloc in sorted(known - {parts.netloc}):
            other = urlunsplit(parts._replace(netloc=netloc))
            other_key = self._key(other)
            if other_key is None or other_key[0] != key[0] or not other_key[1] & key[1]:
                continue
            record = sink.store.source(other)
            if hashes.get(content_hash) == other or (record is not None and record.content_hash == content_hash):
                self._alias_of[parts.netloc] = netloc
                return other
        return url


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
        self._aliases = HostAliases()

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
        self._aliases = HostAliases()
        fetcher = Fetcher(settings=self.settings)
        try:
            yield from self._crawl(start_urls, fetcher, self.sink, cancel)
        finally:
            fetcher.close()

    # ---- the walk ----------------------------------------------------------------------------------------------
    def _crawl(
        self, start_urls: list[str], fetcher: Fetcher, ingestor: PageSink, cancel: threading.Event
    ) -> Iterator[CrawlResult]:
        starts: list[str] = []
        for raw in start_urls:
            url = normalize_url(raw)
            try:
                check_url(url, self.settings)
            except TokkaError as e:
                yield CrawlResult(url, "failed", code=e.code, params=e.params)
                continue
            starts.append(url)
        walk = _Walk(sites={_site(u) for u in starts})
        if self.use_sitemap:
            for url in starts:
                pages, problems = self._sitemap_pages(url, fetcher)
                yield from problems
                walk.add(pages, 0)
        else:
            walk.add(starts, 0)
        while walk.queue:
            if cancel.is_set():
                yield CrawlResult(walk.queue[0][0], "cancelled", code="err.cancelled")
                walk.complete = False
                break
            if walk.fetched >= self.max_pages:
                walk.complete = False
                break
            yield from self._step(walk, fetcher, ingestor, cancel)
        if self.prune and walk.complete:
            yield from self._prune(walk.sites, walk.found, ingestor)

    def _step(
        self, walk: _Walk, fetcher: Fetcher, ingestor: PageSink, cancel: threading.Event
    ) -> Iterator[CrawlResult]:
        """Fetch and index the next URL of the queue; queue its links."""
        url, depth = walk.queue.popleft()
        allowed = self._robots_allow(url, fetcher)
        if isinstance(allowed, CrawlResult):
            yield allowed
            return
        self._wait_turn(url, cancel)
        walk.fetched += 1
        result, links = self._visit(url, depth, fetcher, ingestor, walk.hashes)
        if result.status in ("added", "updated", "unchanged", "duplicate"):
            walk.found.update({url, result.url})
        if result.status == "failed" and self.prune and result.params.get("status") in (404, 410):
            if ingestor.store.remove_source(url):
                result = CrawlResult(url, "removed", depth=depth, code=result.code, params=result.params)
        yield result
        if depth < self.depth:
            walk.add([self._aliases.canonical(link) for link in links if self._wanted(link, walk.sites)], depth + 1)

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
            params = {"content_type": page.content_type or "?"}
            return CrawlResult(
                url, "skipped", depth=depth, fetched=fetched_at, code="err.unsupported_content", params=params
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
        # Another host name for a site already known (127.0.0.1 and localhost): the same page, not a new one.
        url = self._aliases.resolve_page(url, content_hash, hashes, ingestor)
        if content_hash in hashes and hashes[content_hash] != url:
            params = {"original": hashes[content_hash]}
            return CrawlResult(
                url, "duplicate", depth=depth, fetched=fetched_at, code="err.duplicate_page", params=params
            ), links
        hashes.setdefault(content_hash, url)
        outcome = ingestor.ingest_bytes(url, data, file_name, fetched_at, content_hash, kind="web")
        result = CrawlResult(
            url, outcome.status, outcome.title or title, outcome.chars, outcome.chunks, depth, fetched_at, outcome.code,
            outcome.params,
        )  # fmt: skip
        return result, links

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
        candidates = self._sitemap_candidates(url, fetcher)
        pages: list[str] = []
        problems: list[CrawlResult] = []
        done: set[str] = set()
        while candidates and len(done) < MAX_SITEMAPS:
            sitemap = candidates.pop(0)
            if sitemap in done:
                continue
            done.add(sitemap)
            try:
                root = _sitemap_root(fetcher, sitemap)
            except (TokkaError, lxml.etree.XMLSyntaxError, OSError) as e:
                if sitemap == url or not pages:
                    params = e.params if isinstance(e, TokkaError) else {"url": sitemap, "detail": str(e)[:200]}
                    code = getattr(e, "code", "err.fetch_failed")
                    problems.append(CrawlResult(sitemap, "failed", code=code, params=params))
                continue
            for target, is_index in _sitemap_locations(root):
                if is_index:
                    candidates.append(target)
                elif target not in pages:
                    pages.append(target)
        if pages:
            problems = [p for p in problems if p.url == url]
        return pages, problems

    def _sitemap_candidates(self, url: str, fetcher: Fetcher) -> list[str]:
        if urlsplit(url).path.lower().endswith((".xml", ".xml.gz")):
            return [url]
        site = _site(url)
        rules = self._robots.get(site) or self._load_robots(site, fetcher)
        self._robots[site] = rules
        candidates = (
            [normalize_url(s) for s in rules.site_maps() or []]
            if isinstance(rules, robotparser.RobotFileParser)
            else []
        )
        return [*candidates, site + "/sitemap.xml"]

    def _prune(self, sites: set[str], found: set[str], ingestor: PageSink) -> Iterator[CrawlResult]:
        for record in ingestor.store.sources():
            if record.type == "web" and _site(record.source) in sites and record.source not in found:
                ingestor.store.remove_source(record.source)
                yield CrawlResult(
                    record.source, "removed", record.title, record.chars, record.chunks, code="err.page_gone"
                )


def _sitemap_root(fetcher: Fetcher, sitemap: str) -> lxml.etree._Element:
    """A sitemap's XML (gzip inflated with a cap). Sitemaps are untrusted: no entities, no network, no DTD."""
    data = fetcher.get(sitemap).data
    xml = gunzip(data, fetcher.max_bytes) if data[:2] == b"\x1f\x8b" else data
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return lxml.etree.fromstring(xml, parser=parser)


def _sitemap_locations(root: lxml.etree._Element) -> Iterator[tuple[str, bool]]:
    """`(url, is another sitemap)` for every `<loc>` of a sitemap or sitemap index."""
    for loc in root.iter("{*}loc"):
        parent = lxml.etree.QName(loc.getparent().getparent()).localname if loc.getparent() is not None else ""
        yield normalize_url((loc.text or "").strip()), parent == "sitemapindex"


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
