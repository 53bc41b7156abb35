"""Shared test setup: an isolated data directory per test session, no telemetry, no hub access, one thread."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Before anything imports Haystack, numpy or torch.
os.environ["HAYSTACK_TELEMETRY_ENABLED"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ["TOKKA_STRICT_LOCALE"] = "1"  # a missing message key or placeholder fails the test
# A live Elasticsearch given for the integration tests; every other test runs on the embedded store.
LIVE_ELASTICSEARCH_URL = os.environ.pop("ELASTICSEARCH_URL", "")
# Tests never talk to a real Ollama unless OLLAMA_URL is given; point the default at a closed port.
if not os.environ.get("OLLAMA_URL"):
    os.environ["OLLAMA_URL"] = "http://127.0.0.1:9"
    os.environ["TOKKA_TEST_NO_OLLAMA"] = "1"

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Local GGUF models are assembled once per test session (the packaged Gemma is 253 MB)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models_dir: Path) -> Path:
    """Every test gets its own data directory (store, index cache) and fresh settings."""
    from corpus.stores.embedded import EmbeddedBackend
    from tokka.settings import get_settings

    directory = tmp_path / "data"
    monkeypatch.setenv("TOKKA_DATA_DIR", str(directory))
    monkeypatch.setenv("TOKKA_MODELS_DIR", str(models_dir))
    monkeypatch.delenv("TOKKA_ASSISTANTS_DIR", raising=False)
    monkeypatch.setenv("TOKKA_EMBEDDER", os.environ.get("TOKKA_TEST_EMBEDDER", "none"))
    get_settings.cache_clear()
    yield directory
    EmbeddedBackend.close_all()
    from corpus.stores.elastic import ElasticBackend

    ElasticBackend.close_all()
    get_settings.cache_clear()
