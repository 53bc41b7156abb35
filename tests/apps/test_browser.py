"""A real browser: headless Chromium (Debian's package) driven by Playwright asks a question in the chat tab."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make setup installs it as root)")
def test_ask_in_the_browser_and_see_answer_and_sources(launch) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = launch()
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600}, locale="ja-JP")
            page.goto(url)
            page.get_by_text("状態 (保存先・Ollama・アシスタント)").click()
            expect(page.locator("#tokka-status")).to_contain_text("Ollama", timeout=30_000)
            page.locator("#tokka-question textarea").fill("レーザーカッターで加工できない材料は何ですか？")
            page.locator("#tokka-send").click()
            expect(page.locator("#tokka-sources")).to_contain_text("塩化ビニル", timeout=120_000)
            expect(page.locator("#tokka-notice")).to_contain_text("検索方式", timeout=120_000)
            user = page.locator("#tokka-chat .message-row.user-row")
            bot = page.locator("#tokka-chat .message-row.bot-row")
            expect(user).to_have_count(1, timeout=30_000)
            expect(bot).to_have_count(1, timeout=30_000)
            assert "レーザーカッター" in user.first.inner_text()
            assert bot.first.inner_text().strip()
            page.screenshot(path=str(OUTPUT / "chat.png"), full_page=True)
        finally:
            browser.close()
    assert (OUTPUT / "chat.png").stat().st_size > 10_000


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make setup installs it as root)")
def test_a_new_assistant_appears_in_the_chat_picker_at_once(launch) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = launch()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400}, locale="ja-JP")
            page.goto(url)
            page.get_by_role("tab", name="アシスタントを作る").click()
            page.get_by_label("ファイル名 (半角英数字)").fill("browser_bot")
            page.get_by_label("表示名").fill("ブラウザ係")
            page.get_by_role("button", name="作って保存").click()
            expect(page.locator("#tokka-builder-message")).to_contain_text("保存しました", timeout=30_000)
            page.get_by_role("tab", name="チャット").click()
            page.get_by_label("アシスタント", exact=True).first.click()
            expect(page.get_by_role("option", name="ブラウザ係")).to_be_visible(timeout=10_000)
            page.screenshot(path=str(OUTPUT / "builder-to-chat.png"))
        finally:
            browser.close()
