"""Crawling a real local website (http.server on 127.0.0.1): robots.txt, sitemap, depth, errors, duplicates,
incremental re-crawl, pruning; and the refusal of private addresses when they are not allowed."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from corpus.stores import open_store
from corpus.web.crawler import Crawler, normalize_url
from corpus.web.safety import UnsafeURLError, check_url
from pipelines.corpus_cli import main
from pipelines.ingest import Ingestor
from tests.corpus.web.site import LocalSite
from tokka.settings import get_settings


@pytest.fixture
def allow_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKKA_CRAWL_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("TOKKA_CRAWL_DELAY", "0")
    get_settings.cache_clear()


@pytest.fixture
def site(tmp_path: Path):
    with LocalSite(tmp_path / "site") as served:
        yield served


def by_url(summary) -> dict[str, object]:
    return {r.url.rsplit("/", 1)[-1] or "/": r for r in summary.results}


def test_crawl_a_site(site: LocalSite, allow_local: None) -> None:
    summary = Crawler(Ingestor("web"), depth=2, max_pages=50).run([site.url("/")])
    results = by_url(summary)
    for page in ("/", "a.html", "b.html", "c.html", "guide.pdf"):
        assert results[page].status == "added", (page, results[page].reason("en"))
    assert results["dup.html"].status == "duplicate" and "a.html" in results["dup.html"].reason("ja")
    assert results["index.html"].status == "duplicate"  # the same page as "/"
    assert results["error"].status == "failed" and "HTTP 500" in results["error"].reason("ja")
    assert results["hidden.html"].status == "skipped" and "robots.txt" in results["hidden.html"].reason("ja")
    assert "/secret/hidden.html" not in site.requested  # robots.txt honoured: never fetched
    assert not any("outside" in r.url for r in summary.results)  # same site only
    moved = next(r for r in summary.results if r.url == site.url("/moved"))
    assert moved.status == "duplicate" and moved.params["original"] == site.url("/b.html")  # a redirect to b.html

    store = open_store("web")
    hit = store.bm25_retrieval("レーザーカッターの安全講習", top_k=1)[0]
    assert hit.meta["source"] == site.url("/b.html")
    assert hit.meta["title"] == "安全講習" and hit.meta["type"] == "web" and hit.meta["modified"] > 0
    pdf = store.bm25_retrieval("駐輪場", top_k=1)[0]
    assert pdf.meta["source"] == site.url("/guide.pdf")


def test_depth_and_page_limits(site: LocalSite, allow_local: None) -> None:
    shallow = by_url(Crawler(Ingestor("shallow"), depth=1).run([site.url("/")]))
    assert "c.html" not in shallow  # two links away
    limited = Crawler(Ingestor("limited"), depth=2, max_pages=2).run([site.url("/")])
    assert sum(1 for r in limited.results if r.status in ("added", "failed", "duplicate")) <= 2


def test_recrawl_is_incremental_and_prunes_removed_pages(site: LocalSite, allow_local: None) -> None:
    Crawler(Ingestor("web"), depth=2).run([site.url("/")])
    (site.root / "b.html").write_text(
        (site.root / "b.html").read_text(encoding="utf-8").replace("第二土曜日", "第三土曜日"), encoding="utf-8"
    )
    (site.root / "c.html").unlink()
    results = by_url(Crawler(Ingestor("web"), depth=2, prune=True).run([site.url("/")]))
    assert results["b.html"].status == "updated"
    assert results["a.html"].status == "unchanged" and results["/"].status == "unchanged"
    assert results["c.html"].status == "removed"
    store = open_store("web")
    assert store.source(site.url("/c.html")) is None
    assert "第三土曜日" in store.bm25_retrieval("安全講習", top_k=1)[0].content


def test_prune_removes_pages_no_longer_linked(site: LocalSite, allow_local: None) -> None:
    Crawler(Ingestor("web"), depth=2).run([site.url("/")])
    assert open_store("web").source(site.url("/b.html")) is not None
    index = site.root / "index.html"
    text = index.read_text(encoding="utf-8").replace('href="/b.html"', 'href="/c.html"')
    index.write_text(text.replace('href="/moved"', 'href="/c.html"'), encoding="utf-8")
    summary = Crawler(Ingestor("web"), depth=2, prune=True).run([site.url("/")])
    statuses = {r.url: r.status for r in summary.results}
    assert statuses[site.url("/b.html")] == "removed"  # no longer reachable from the site
    store = open_store("web")
    assert store.source(site.url("/b.html")) is None
    assert store.source(site.url("/a.html")) is not None
    without_prune = Crawler(Ingestor("web"), depth=2).run([site.url("/")])
    assert all(r.status != "removed" for r in without_prune.results)


def test_sitemap_mode(site: LocalSite, allow_local: None) -> None:
    summary = Crawler(Ingestor("map"), use_sitemap=True, depth=0).run([site.url("/")])
    assert sorted(r.url.rsplit("/", 1)[-1] for r in summary.results) == ["a.html", "b.html", "index.html"]
    assert all(r.status == "added" for r in summary.results)


def test_shift_jis_page_with_header_charset(site: LocalSite, allow_local: None) -> None:
    summary = Crawler(Ingestor("sjis"), depth=0).run([site.url("/sjis")])
    assert summary.results[0].status == "added"
    assert "十二月二十九日" in open_store("sjis").bm25_retrieval("休館", top_k=1)[0].content


def test_cancel_stops_the_crawl(site: LocalSite, allow_local: None) -> None:
    cancel = threading.Event()
    seen = []

    def progress(done: int, result) -> None:
        seen.append(result.status)
        cancel.set()

    summary = Crawler(Ingestor("cancel"), depth=2).run([site.url("/")], progress=progress, cancel=cancel)
    assert summary.cancelled and seen[-1] == "cancelled" and len(seen) == 2


def test_private_addresses_are_refused_by_default(site: LocalSite) -> None:
    summary = Crawler(Ingestor("refused"), depth=1).run([site.url("/")])
    (result,) = summary.results
    assert result.status == "failed" and result.code == "err.url_private"
    assert "TOKKA_CRAWL_ALLOWED_HOSTS" in result.reason("ja")
    assert site.requested == []  # nothing was sent
    for url in (
        "http://localhost/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
    ):
        with pytest.raises(UnsafeURLError) as info:
            check_url(url)
        assert info.value.code == "err.url_private"
    with pytest.raises(UnsafeURLError) as info:
        check_url("file:///etc/passwd")
    assert info.value.code == "err.url_scheme"


def test_a_public_name_resolving_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "intranet.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(UnsafeURLError):
        check_url("http://intranet.example.com/")
    monkeypatch.setenv("TOKKA_CRAWL_ALLOWED_HOSTS", "intranet.example.com")
    get_settings.cache_clear()
    check_url("http://intranet.example.com/")  # allowed by name


def test_allowed_host_does_not_open_redirects_elsewhere(site: LocalSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKKA_CRAWL_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("TOKKA_CRAWL_DELAY", "0")
    get_settings.cache_clear()
    summary = Crawler(Ingestor("redirect"), depth=0).run([site.url("/to-private")])
    (result,) = summary.results
    assert result.code == "err.url_private" and "10.255.255.1" in result.reason("en")


def test_crawl_cli(site: LocalSite, allow_local: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["--lang", "ja", "crawl", site.url("/"), "--collection", "cli-web", "--depth", "1", "--max-pages", "20"]
    )
    out = capsys.readouterr().out
    assert code == 1  # the error page is reported as a failure
    assert "+ added" in out and "HTTP 500" in out and "robots.txt" in out
    assert "追加 4" in out and "重複 2" in out  # dup.html, and /moved (a redirect to b.html)


def test_normalize_url() -> None:
    assert normalize_url("HTTP://Example.COM:80/a#x") == "http://example.com/a"
    assert normalize_url("https://example.com") == "https://example.com/"
    assert normalize_url("http://example.com:8080/p?q=1") == "http://example.com:8080/p?q=1"


def test_one_site_under_two_host_names_is_stored_once(site: LocalSite, allow_local: None) -> None:
    first = Crawler(Ingestor("alias"), depth=2, max_pages=50).run([site.url("/")])
    stored = {r.source for r in open_store("alias").sources()}
    assert {r.status for r in first.results} >= {"added"}
    other = site.url("/").replace("127.0.0.1", "localhost")
    again = Crawler(Ingestor("alias"), depth=2, max_pages=50).run([other])
    assert {r.source for r in open_store("alias").sources()} == stored  # updated in place, nothing duplicated
    statuses = {r.url: r.status for r in again.results}
    assert statuses[site.url("/")] == "unchanged"  # known by its first host name
    assert not any("localhost" in url for url, status in statuses.items() if status in ("added", "updated"))
