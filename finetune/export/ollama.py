"""An Ollama Modelfile for an exported GGUF, and its registration through the Ollama API when Ollama is reachable
(otherwise the exact commands to run)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tokka.errors import TokkaError
from tokka.settings import get_settings

# For a from-scratch model without chat training: the prompt is passed through as plain text to continue.
RAW_TEMPLATE = "{{ .Prompt }}"


class RegistrationError(TokkaError):
    """Ollama answered but refused the model."""


@dataclass
class Registration:
    """What happened: registered in Ollama, or the commands to run by hand."""

    registered: bool
    name: str
    commands: str = ""
    detail: str = ""


def write_modelfile(
    folder: Path,
    gguf_name: str,
    template: str = RAW_TEMPLATE,
    stop: list[str] | None = None,
    parameters: dict[str, object] | None = None,
    adapter: str | None = None,
    system: str | None = None,
) -> Path:
    """Write `Modelfile` next to the GGUF (paths are relative, so the folder can be copied). :returns: its path."""
    lines = [f"FROM ./{gguf_name}"]
    if adapter:
        lines.append(f"ADAPTER ./{adapter}")
    lines.append(f'TEMPLATE """{template}"""')
    if system:
        lines.append(f'SYSTEM """{system}"""')
    for token in stop or []:
        lines.append(f"PARAMETER stop {json.dumps(token, ensure_ascii=False)}")
    for key, value in (parameters or {}).items():
        lines.append(f"PARAMETER {key} {value}")
    path = folder / "Modelfile"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def manual_commands(folder: Path, name: str) -> str:
    """What to run on a machine with Ollama."""
    return f"cd {folder}\nollama create {name} -f Modelfile\nollama run {name}"


def register(
    folder: Path,
    name: str,
    gguf_name: str,
    template: str = RAW_TEMPLATE,
    stop: list[str] | None = None,
    parameters: dict[str, object] | None = None,
    url: str | None = None,
) -> Registration:
    """Upload the GGUF as a blob and create the model through the API (`/api/blobs`, `/api/create`).

    :returns: `registered=False` with the manual commands when Ollama cannot be reached.
    :raises RegistrationError: when Ollama refuses the model.
    """
    import httpx
    import ollama

    client = ollama.Client(host=url or get_settings().ollama_url, timeout=600)
    try:
        client.list()
    except (ConnectionError, httpx.HTTPError) as e:
        return Registration(False, name, manual_commands(folder, name), str(e)[:200])
    try:
        digest = client.create_blob(folder / gguf_name)
        client.create(
            model=name,
            files={gguf_name: digest},
            template=template,
            parameters={**({"stop": stop} if stop else {}), **(parameters or {})},
            stream=False,
        )
    except ollama.ResponseError as e:
        raise RegistrationError("err.ollama_create", name=name, detail=str(e)[:300]) from e
    return Registration(True, name)
