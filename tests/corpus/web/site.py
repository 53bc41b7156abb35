"""A small Japanese test website served by http.server on 127.0.0.1 (robots.txt, sitemap, links, an error page,
a duplicate page, a Shift_JIS page, a PDF and a redirect), recording every path requested."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.fixtures import write_pdf


def _page(title: str, body: str, links: list[str] = ()) -> str:
    anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f"<nav><ul>{anchors}</ul></nav><main><article><h1>{title}</h1>{body}</article></main>"
        "<footer>みなと工房</footer></body></html>"
    )


def build_site(root: Path) -> None:
    """Write the pages into `root`."""
    (root / "secret").mkdir(parents=True, exist_ok=True)
    pages = {
        "index.html": _page(
            "トップ",
            "<p>みなと工房モノづくり塾のウェブサイトです。講座と機材の案内を載せています。</p>",
            [
                "/a.html",
                "/b.html",
                "/error",
                "/dup.html",
                "/secret/hidden.html",
                "/guide.pdf",
                "https://example.org/outside",
                "mailto:info@example.org",
                "/moved",
            ],
        ),
        "a.html": _page(
            "機材の予約",
            "<p>3Dプリンターは使う日の前日の午後9時までに予約してください。</p>",
            ["/index.html", "/c.html"],
        ),
        "dup.html": _page(
            "機材の予約",
            "<p>3Dプリンターは使う日の前日の午後9時までに予約してください。</p>",
            ["/index.html", "/c.html"],
        ),
        "b.html": _page("安全講習", "<p>レーザーカッターの安全講習は毎月第二土曜日に開きます。</p>"),
        "c.html": _page("講習室", "<p>講習室には20人まで入れます。プロジェクターがあります。</p>"),
        "secret/hidden.html": _page("非公開", "<p>ここは robots.txt で禁止されています。</p>"),
    }
    for name, html in pages.items():
        (root / name).write_text(html, encoding="utf-8")
    write_pdf(root / "guide.pdf", ["利用案内", "駐輪場は倉庫の北側にあります。"], title="利用案内")


class _Handler(SimpleHTTPRequestHandler):
    requested: list[str]
    port: int

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        if self.path == "/robots.txt":
            body = f"User-agent: *\nDisallow: /secret/\nSitemap: http://127.0.0.1:{self.port}/sitemap.xml\n"
            return self._reply(200, "text/plain", body.encode())
        if self.path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>http://127.0.0.1:{self.port}/{p}</loc></url>" for p in ("index.html", "a.html", "b.html")
            )
            body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return self._reply(200, "application/xml", body.encode())
        if self.path == "/error":
            return self._reply(500, "text/html", b"<h1>Internal Server Error</h1>")
        if self.path == "/sjis":
            html = "<html><head><title>お知らせ</title></head><body><main><p>年末年始は十二月二十九日から休館します。</p></main></body></html>"
            return self._reply(200, "text/html; charset=Shift_JIS", html.encode("shift_jis"))
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/b.html")
            self.end_headers()
            return None
        if self.path == "/to-private":
            self.send_response(302)
            self.send_header("Location", "http://10.255.255.1:9/admin")
            self.end_headers()
            return None
        if self.path == "/":
            self.path = "/index.html"
        return super().do_GET()

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class LocalSite:
    """`with LocalSite(root) as site:` serves `root`; `site.url(path)`, `site.requested`."""

    def __init__(self, root: Path) -> None:
        build_site(root)
        self.root = root
        self.requested: list[str] = []

    def __enter__(self) -> LocalSite:
        handler = type("Handler", (_Handler,), {"requested": self.requested})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(self.root)))
        handler.port = self.server.server_address[1]
        self.port = handler.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"
