"""The deployment files agree with each other and with the app: what compose sets is what the app reads and makes
it start (with logins), every variable is documented, ports and volumes line up. `docker compose config` also
checks the files when the docker CLI has the compose plugin."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def load(name: str) -> dict:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))


def substituted(value: str, env: dict[str, str]) -> str:
    """`${VAR:-default}` and `${VAR}` as compose fills them from `.env`."""
    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: env.get(m.group(1)) or m.group(2) or "", value)


def app_environment() -> dict[str, str]:
    app = load("docker-compose.yml")["services"]["app"]
    env = env_example()
    return dict(substituted(item, env).split("=", 1) for item in app["environment"])


def test_every_variable_compose_uses_is_documented_in_env_example() -> None:
    used = set()
    for name in ("docker-compose.yml", "docker-compose.gpu.yml"):
        used |= set(re.findall(r"\$\{(\w+)", (REPO / name).read_text(encoding="utf-8")))
    assert used - set(env_example()) == set()


def test_the_settings_the_app_gets_in_compose(monkeypatch: pytest.MonkeyPatch) -> None:
    from tokka.settings import load_settings

    for key, value in app_environment().items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    assert settings.backend == "elasticsearch" and settings.elasticsearch_url == "http://elasticsearch:9200"
    assert settings.ollama_url == "http://ollama:11434" and str(settings.data_dir) == "/data"
    assert (
        settings.elasticsearch_user == "elastic"
        and settings.elasticsearch_password == env_example()["ELASTIC_PASSWORD"]
    )
    assert settings.chat_model == env_example()["TOKKA_CHAT_MODEL"]


def test_the_app_container_starts_only_with_logins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apps.launcher import build_parser, parse_credentials

    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    command = yaml.safe_load(re.search(r"^CMD (.+)$", dockerfile, re.M).group(1))
    args = build_parser().parse_args(command[3:])
    assert args.host == "0.0.0.0"  # reachable from the network: the launcher demands logins for that
    app = load("docker-compose.yml")["services"]["app"]
    auth_file = app_environment()["TOKKA_AUTH_FILE"]
    mounted = {substituted(v, env_example()).split(":")[1] for v in app["volumes"]}
    assert auth_file in mounted  # the logins file the app reads is the one compose mounts
    users = tmp_path / "users.txt"
    users.write_text((REPO / "users.example.txt").read_text(encoding="utf-8"), encoding="utf-8")
    credentials = parse_credentials([], str(users), "ja")
    admins = set(app_environment()["TOKKA_ADMINS"].split(","))
    assert credentials and admins <= {user for user, _ in credentials}  # the example's admin is a login


def test_ports_healthchecks_and_volumes_line_up() -> None:
    compose = load("docker-compose.yml")
    services = compose["services"]
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    port = re.search(r'"--port", "(\d+)"', dockerfile).group(1)
    assert f"EXPOSE {port}" in dockerfile and f"127.0.0.1:{port}/" in dockerfile  # healthcheck on the served port
    assert any(p.endswith(f":{port}:{port}") for p in services["app"]["ports"])
    assert all(p.startswith("127.0.0.1:") for s in services.values() for p in s.get("ports", []))  # not public
    named = {v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if not v.startswith((".", "$"))}
    assert named == set(compose["volumes"])
    data_volume = next(v for v in services["app"]["volumes"] if v.startswith("tokkadata:"))
    assert data_volume.split(":")[1] == app_environment()["TOKKA_DATA_DIR"]
    for service in services.values():
        for dependency, condition in (service.get("depends_on") or {}).items():
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency]
            if condition["condition"] == "service_completed_successfully":
                assert services[dependency].get("restart") == "no"


def test_the_gpu_override_extends_existing_services_and_its_build_argument_is_used() -> None:
    base = load("docker-compose.yml")["services"]
    gpu = load("docker-compose.gpu.yml")["services"]
    assert set(gpu) <= set(base)
    for name in gpu:
        device = gpu[name]["deploy"]["resources"]["reservations"]["devices"][0]
        assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    argument = next(iter(gpu["app"]["build"]["args"]))
    assert f"ARG {argument}" in dockerfile and f'"${argument}" = "1"' in dockerfile
    assert "requirements-gpu.txt" in dockerfile


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
