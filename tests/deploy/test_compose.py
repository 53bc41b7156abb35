"""docker-compose.yml, the GPU override and the Dockerfile say what the app needs: the services, healthchecks,
volumes and environment. `docker compose config` also checks them when the docker CLI has the compose plugin."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def load(name: str) -> dict:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def test_services_healthchecks_volumes() -> None:
    compose = load("docker-compose.yml")
    services = compose["services"]
    assert set(services) == {"elasticsearch", "ollama", "ollama-pull", "app"}
    for name in ("elasticsearch", "ollama"):
        assert services[name]["healthcheck"]["test"]
    es = services["elasticsearch"]
    env = "\n".join(es["environment"])
    assert "discovery.type=single-node" in env and "ES_JAVA_OPTS" in env and "xpack.security.enabled" in env
    assert "esdata:/usr/share/elasticsearch/data" in es["volumes"]
    assert "ollama:/root/.ollama" in services["ollama"]["volumes"]
    assert services["ollama-pull"]["depends_on"]["ollama"]["condition"] == "service_healthy"
    assert services["ollama-pull"]["restart"] == "no"
    assert set(compose["volumes"]) == {"esdata", "ollama", "tokkadata"}


def test_the_app_service_gets_what_the_app_reads() -> None:
    from tokka.settings import Settings  # the variables documented there

    app = load("docker-compose.yml")["services"]["app"]
    env = dict(item.split("=", 1) for item in app["environment"])
    assert env["ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
    assert env["OLLAMA_URL"] == "http://ollama:11434"
    assert env["TOKKA_DATA_DIR"] == "/data"
    for variable in ("ELASTICSEARCH_URL", "OLLAMA_URL", "TOKKA_DATA_DIR", "TOKKA_CHAT_MODEL", "TOKKA_EMBEDDING_MODEL"):
        assert variable in Settings.__doc__
    assert app["depends_on"] == {
        "elasticsearch": {"condition": "service_healthy"},
        "ollama": {"condition": "service_healthy"},
        "ollama-pull": {"condition": "service_completed_successfully"},
    }
    assert "tokkadata:/data" in app["volumes"]
    assert any(port.endswith(":7860:7860") for port in app["ports"])
    assert app["build"]["context"] == "."


def test_gpu_variant() -> None:
    gpu = load("docker-compose.gpu.yml")["services"]
    for name in ("ollama", "app"):
        device = gpu[name]["deploy"]["resources"]["reservations"]["devices"][0]
        assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    assert gpu["app"]["build"]["args"]["GPU"] == "1"
    assert "unsloth" in (REPO / "requirements-gpu.txt").read_text(encoding="utf-8")


def test_dockerfile() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11" in text
    assert "pip install --no-cache-dir -r requirements.txt" in text and "requirements-gpu.txt" in text
    assert 'CMD ["python", "-m", "apps", "--host", "0.0.0.0", "--port", "7860"]' in text
    assert "HEALTHCHECK" in text and "EXPOSE 7860" in text
    assert ".venv" in (REPO / ".dockerignore").read_text(encoding="utf-8")


def test_env_example_documents_the_security_settings() -> None:
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    for key in ("ES_SECURITY", "ELASTIC_PASSWORD", "ES_HEAP", "TOKKA_CHAT_MODEL", "TOKKA_EMBEDDING_MODEL"):
        assert f"{key}=" in text


def _compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="the docker CLI has no compose plugin here")
def test_docker_compose_config() -> None:
    for files in (["docker-compose.yml"], ["docker-compose.yml", "docker-compose.gpu.yml"]):
        args = [arg for f in files for arg in ("-f", f)]
        result = subprocess.run(
            ["docker", "compose", *args, "config", "--quiet"], cwd=REPO, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
