"""The one settings module: environment variables (and a `.env` file, the docker-compose convention).

Every package reads its configuration from :func:`get_settings`. Values come from, in order of priority:
the process environment, a `.env` file in the working directory (or the repository root), then the defaults
documented on :class:`Settings`. Nothing here touches the network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dotenv import dotenv_values

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    """Merge `.env` (cwd first, then the repository root) under the real environment."""
    merged: dict[str, str] = {}
    for candidate in (REPO_ROOT / ".env", Path.cwd() / ".env"):
        if candidate.is_file():
            merged.update({k: v for k, v in dotenv_values(candidate).items() if v is not None})
    merged.update(os.environ)
    return merged


def _int(env: dict[str, str], key: str, default: int) -> int:
    raw = env.get(key, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError as e:
        msg = f"{key} must be an integer, got {raw!r}"
        raise ValueError(msg) from e


def _bool(env: dict[str, str], key: str, default: bool) -> bool:
    raw = env.get(key, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    msg = f"{key} must be 1/0 (true/false), got {raw!r}"
    raise ValueError(msg)


def _float(env: dict[str, str], key: str, default: float) -> float:
    raw = env.get(key, "")
    try:
        return float(raw) if raw.strip() else default
    except ValueError as e:
        msg = f"{key} must be a number, got {raw!r}"
        raise ValueError(msg) from e


@dataclass(frozen=True)
class Settings:
    """tokka's configuration. Environment variable names are given for each field.

    :param data_dir: `TOKKA_DATA_DIR` (default `<repo>/data`): the embedded store, index caches, models, runs.
    :param elasticsearch_url: `ELASTICSEARCH_URL` (unset → the embedded SQLite store).
    :param elasticsearch_api_key: `ELASTIC_API_KEY` (optional).
    :param elasticsearch_user: `ELASTIC_USER` (optional, with `ELASTIC_PASSWORD`).
    :param elasticsearch_password: `ELASTIC_PASSWORD`.
    :param ollama_url: `OLLAMA_URL` (default `http://localhost:11434`).
    :param chat_model: `TOKKA_CHAT_MODEL` (default `gemma3:4b`), the Ollama model assistants use by default.
    :param embedding_model: `TOKKA_EMBEDDING_MODEL` (default `bge-m3`), the Ollama embedding model for new collections.
    :param embedder: `TOKKA_EMBEDDER`: `auto` (Ollama when reachable and the model is pulled, else e5), `ollama`,
        `e5` (multilingual-e5-small, no server; slow, so embedded in the background while BM25 already works),
        `offline` (USE multilingual, no server, fast and weaker) or `none` (BM25 only). Applies to new collections.
    :param language: `TOKKA_LANG` (`ja` or `en`), for messages and the UI.
    :param max_file_mb: `TOKKA_MAX_FILE_MB` (default 20): larger files are refused with a message.
    :param ollama_timeout: `TOKKA_OLLAMA_TIMEOUT` seconds (default 120) for generation requests.
    :param models_dir: `TOKKA_MODELS_DIR` (default `<data_dir>/models`): local GGUF files.
    :param crawl_allow_private: `TOKKA_CRAWL_ALLOW_PRIVATE` (default false): let the crawler fetch private,
        loopback and link-local addresses (an intranet). Off by default because the app can be shared publicly.
    :param crawl_allowed_hosts: `TOKKA_CRAWL_ALLOWED_HOSTS`: comma-separated host names, IP addresses or networks
        (e.g. `wiki.local,10.0.5.0/24`) that may be crawled even though they are private.
    :param crawl_delay: `TOKKA_CRAWL_DELAY` seconds between two requests to one site (default 1.0).
    :param crawl_page_timeout: `TOKKA_CRAWL_PAGE_TIMEOUT` seconds one page (or robots.txt, or a sitemap) may take in
        all, however slowly the server sends it (default 30).
    :param members_may_upload: `TOKKA_MEMBERS_MAY_UPLOAD` (default false): logins that are not administrators may add
        files to existing collections.
    :param loader_isolation: `TOKKA_LOADER_ISOLATION` (default true): read files in worker processes with limits.
    :param loader_timeout: `TOKKA_LOADER_TIMEOUT` seconds one file may take to read (default 300; OCR is slow).
    :param loader_memory_mb: `TOKKA_LOADER_MEMORY_MB` memory a file reader may use (default 1536).
    :param loader_workers: `TOKKA_LOADER_WORKERS` files read at the same time (default 2).
    :param tokenize_workers: `TOKKA_TOKENIZE_WORKERS` worker processes that tokenise a large batch of chunks beside
        the app's own (default: cores − 1; 0 tokenises in the app's process only).
    :param max_unzipped_mb: `TOKKA_MAX_UNZIPPED_MB` (default 200): the most an Office file (a zip) may unpack to.
    :param max_chars: `TOKKA_MAX_CHARS` (default 5,000,000): the most text one file may give (about 2,500 pages);
        longer texts are refused, so one file cannot keep the app busy for many minutes.
    :param ocr_max_pages: `TOKKA_OCR_MAX_PAGES` (default 50): the most pages of one file read by OCR (about 6 s a page
        on one core); the rest are reported.
    """

    data_dir: Path
    elasticsearch_url: str | None = None
    elasticsearch_api_key: str | None = None
    elasticsearch_user: str | None = None
    elasticsearch_password: str | None = field(default=None, repr=False)
    ollama_url: str = "http://localhost:11434"
    chat_model: str = "gemma3:4b"
    embedding_model: str = "bge-m3"
    embedder: str = "auto"
    language: str = "ja"
    max_file_mb: int = 20
    ollama_timeout: int = 120
    models_dir: Path | None = None
    crawl_allow_private: bool = False
    crawl_allowed_hosts: tuple[str, ...] = ()
    crawl_delay: float = 1.0
    crawl_page_timeout: float = 30.0
    members_may_upload: bool = False
    loader_isolation: bool = True
    loader_timeout: int = 300
    loader_memory_mb: int = 1536
    loader_workers: int = 2
    tokenize_workers: int = 1
    max_unzipped_mb: int = 200
    max_chars: int = 5_000_000
    ocr_max_pages: int = 50

    @property
    def backend(self) -> str:
        """`elasticsearch` when `ELASTICSEARCH_URL` is set, else `embedded`."""
        return "elasticsearch" if self.elasticsearch_url else "embedded"

    @property
    def store_path(self) -> Path:
        """The embedded store's single SQLite file."""
        return self.data_dir / "tokka.sqlite3"


def load_settings() -> Settings:
    """Read the settings afresh from the environment and `.env`.

    :raises ValueError: when a value has the wrong form (the message names the variable).
    """
    env = _env()
    data_dir = Path(env.get("TOKKA_DATA_DIR") or REPO_ROOT / "data").expanduser()
    embedder = env.get("TOKKA_EMBEDDER", "auto").strip().lower() or "auto"
    if embedder not in {"auto", "ollama", "offline", "e5", "none"}:
        msg = f"TOKKA_EMBEDDER must be one of auto, ollama, offline, e5, none; got {embedder!r}"
        raise ValueError(msg)
    language = env.get("TOKKA_LANG", "ja").strip().lower() or "ja"
    if language not in {"ja", "en"}:
        msg = f"TOKKA_LANG must be ja or en; got {language!r}"
        raise ValueError(msg)
    return Settings(
        data_dir=data_dir,
        elasticsearch_url=env.get("ELASTICSEARCH_URL") or None,
        elasticsearch_api_key=env.get("ELASTIC_API_KEY") or None,
        elasticsearch_user=env.get("ELASTIC_USER") or None,
        elasticsearch_password=env.get("ELASTIC_PASSWORD") or None,
        ollama_url=(env.get("OLLAMA_URL") or "http://localhost:11434").rstrip("/"),
        chat_model=env.get("TOKKA_CHAT_MODEL") or "gemma3:4b",
        embedding_model=env.get("TOKKA_EMBEDDING_MODEL") or "bge-m3",
        embedder=embedder,
        language=language,
        max_file_mb=_int(env, "TOKKA_MAX_FILE_MB", 20),
        ollama_timeout=_int(env, "TOKKA_OLLAMA_TIMEOUT", 120),
        models_dir=Path(env["TOKKA_MODELS_DIR"]).expanduser() if env.get("TOKKA_MODELS_DIR") else data_dir / "models",
        crawl_allow_private=_bool(env, "TOKKA_CRAWL_ALLOW_PRIVATE", False),
        crawl_allowed_hosts=tuple(h.strip() for h in env.get("TOKKA_CRAWL_ALLOWED_HOSTS", "").split(",") if h.strip()),
        crawl_delay=_float(env, "TOKKA_CRAWL_DELAY", 1.0),
        crawl_page_timeout=_float(env, "TOKKA_CRAWL_PAGE_TIMEOUT", 30.0),
        members_may_upload=_bool(env, "TOKKA_MEMBERS_MAY_UPLOAD", False),
        loader_isolation=_bool(env, "TOKKA_LOADER_ISOLATION", True),
        loader_timeout=_int(env, "TOKKA_LOADER_TIMEOUT", 300),
        loader_memory_mb=_int(env, "TOKKA_LOADER_MEMORY_MB", 1536),
        loader_workers=_int(env, "TOKKA_LOADER_WORKERS", 2),
        tokenize_workers=max(0, _int(env, "TOKKA_TOKENIZE_WORKERS", (os.cpu_count() or 1) - 1)),
        max_unzipped_mb=_int(env, "TOKKA_MAX_UNZIPPED_MB", 200),
        max_chars=_int(env, "TOKKA_MAX_CHARS", 5_000_000),
        ocr_max_pages=_int(env, "TOKKA_OCR_MAX_PAGES", 50),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once). Call `get_settings.cache_clear()` after changing the environment."""
    return load_settings()
