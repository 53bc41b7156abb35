"""The crawler cannot be used against the machine or its network, nor kept busy: addresses are an allowlist (also
at connect time), a page has a deadline however slowly it arrives, and compressed sitemaps are inflated with a cap."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from corpus.web.crawler import Crawler
from corpus.web.fetcher import Fetcher
from corpus.web.safety import UnsafeURLError, check_url, is_public
from pipelines.ingest import Ingestor
from tests.corpus.web.site import LocalSite
from tests.security.hostile import gzip_bomb
from tokka.errors import TokkaError
from tokka.settings import get_settings


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "100.64.0.1",  # carrier-grade NAT
        "100.100.100.200",  # cloud metadata in 100.64.0.0/10
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::127.0.0.1",  # IPv4-compatible
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::",  # 6to4 of 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2001:0:808:808:0:0:80ff:fffe",  # Teredo, client 127.0.0.1
        "fc00::1",
        "fe80::1",
        "224.0.0.1",
        "0.0.0.0",
    ],
)
def test_addresses_that_are_not_global_unicast_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "2002:808:808::"])
def test_global_unicast_addresses_are_allowed(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_a_name_that_changes_its_answer_is_checked_again_at_connect_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """DNS rebinding: a public answer for the check, then 127.0.0.1 for the connection. Nothing may be sent."""
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    with LocalSite(tmp_path / "site") as site:

        def rebinding(host, port, *args, **kwargs):
            if host == "rebind.example.com":
                address = next(answers, "127.0.0.1")
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, site.port))]
            return real(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        check_url(f"http://rebind.example.com:{site.port}/")  # the first answer is public
        fetcher = Fetcher()
        with pytest.raises(UnsafeURLError) as caught:
            fetcher.get(f"http://rebind.example.com:{site.port}/")
        fetcher.close()
        assert caught.value.code == "err.url_private" and site.requested == []


class _Hostile(BaseHTTPRequestHandler):
    sent: list[int]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):  # one byte every half second: 50 s in all, unless the client gives up
                try:
                    self.wfile.write(b"a")
                    self.wfile.flush()
                except OSError:
                    return
                self.sent.append(1)
                time.sleep(0.5)
        elif self.path == "/sitemap.xml.gz":
            body = gzip_bomb(200)  # 200 MB once inflated
            self.send_response(200)
            self.send_header("Content-Type", "application/gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[int]]]:
    monkeypatch.setenv("TOKKA_CRAWL_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("TOKKA_CRAWL_PAGE_TIMEOUT", "2")
    monkeypatch.setenv("TOKKA_CRAWL_DELAY", "0")
    monkeypatch.setenv("TOKKA_MAX_FILE_MB", "1")
    get_settings.cache_clear()
    sent: list[int] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Hostile,), {"sent": sent}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", sent
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_that_trickles_in_is_stopped_at_its_deadline(hostile: tuple[str, list[int]]) -> None:
    url, sent = hostile
    fetcher = Fetcher()
    with pytest.raises(TokkaError) as caught:
        fetcher.get(url + "/slow")
    fetcher.close()
    assert caught.value.code == "err.page_timeout"
    assert len(sent) < 20  # given up after about 2 s of the 50 the server would have taken


def test_a_gzip_bomb_sitemap_is_inflated_only_up_to_the_cap(hostile: tuple[str, list[int]]) -> None:
    url, _ = hostile
    summary = Crawler(Ingestor("bomb"), use_sitemap=True, depth=0).run([url + "/sitemap.xml.gz"])
    (result,) = summary.results
    assert result.status == "failed" and result.code == "err.too_large"
