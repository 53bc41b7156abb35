"""llama.cpp's own HF → GGUF converter, pinned to the llama.cpp vendored in llama-cpp-python 0.3.36.

The converter is not installed by pip with llama-cpp-python; it ships only in its source distribution. We fetch
that sdist once through pip (the package registry), extract `convert_hf_to_gguf.py`, `convert_lora_to_gguf.py`,
`conversion/` and the matching `gguf-py/` (the PyPI `gguf` is older than the vendored one, docs/models.md §3.2),
and keep them in a cache folder. `make setup` does this ahead of time so exporting works offline later.

Never Unsloth's `save_pretrained_gguf`: it clones llama.cpp and installs system packages at run time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from tokka.errors import TokkaError

LLAMA_CPP_PYTHON = "0.3.36"
_MEMBERS = ("convert_hf_to_gguf.py", "convert_lora_to_gguf.py", "conversion/", "gguf-py/")


class ConversionError(TokkaError):
    """The converter could not be fetched, or it failed on a model."""


def converter_dir() -> Path:
    """Where the converter is kept (`TOKKA_CONVERTER_DIR`, default `~/.cache/tokka/llama.cpp-<version>`)."""
    default = Path.home() / ".cache" / "tokka" / f"llama.cpp-{LLAMA_CPP_PYTHON}"
    return Path(os.environ.get("TOKKA_CONVERTER_DIR") or default)


def ensure_converter() -> Path:
    """The folder holding `convert_hf_to_gguf.py`, fetched from the pinned sdist on first use.

    :raises ConversionError: `err.converter_fetch` when pip cannot download the sdist.
    """
    target = converter_dir()
    if (target / "convert_hf_to_gguf.py").is_file() and (target / "gguf-py").is_dir():
        return target
    with tempfile.TemporaryDirectory(prefix="tokka-sdist-") as tmp:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"llama-cpp-python=={LLAMA_CPP_PYTHON}",
                "-d",
                tmp,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        archives = list(Path(tmp).glob("llama_cpp_python-*.tar.gz"))
        if result.returncode != 0 or not archives:
            raise ConversionError("err.converter_fetch", detail=(result.stderr or result.stdout)[-300:])
        staging = Path(tmp) / "extract"
        with tarfile.open(archives[0]) as archive:
            prefix = f"llama_cpp_python-{LLAMA_CPP_PYTHON}/vendor/llama.cpp/"
            members = [
                m
                for m in archive.getmembers()
                if m.name.startswith(prefix) and m.name[len(prefix) :].startswith(_MEMBERS)
            ]
            for member in members:
                member.name = member.name[len(prefix) :]
            archive.extractall(staging, members=members, filter="data")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.move(str(staging), partial)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    return target


def convert_hf_to_gguf(hf_dir: Path, out_path: Path, outtype: str = "f16") -> Path:
    """Convert a Hugging Face model folder to GGUF (`outtype`: f32, f16, bf16 or q8_0).

    :raises ConversionError: `err.conversion_failed` with the converter's last lines.
    """
    script = ensure_converter() / "convert_hf_to_gguf.py"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NO_LOCAL_GGUF": "", "PYTHONPATH": str(script.parent / "gguf-py")}
    env.pop("NO_LOCAL_GGUF")
    result = subprocess.run(
        [sys.executable, str(script), str(hf_dir), "--outfile", str(out_path), "--outtype", outtype],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0 or not out_path.is_file():
        raise ConversionError("err.conversion_failed", detail=(result.stderr or result.stdout)[-500:])
    return out_path


def convert_lora_to_gguf(adapter_dir: Path, base_dir: Path, out_path: Path, outtype: str = "f16") -> Path:
    """Convert a PEFT LoRA adapter to a GGUF adapter (for an Ollama `ADAPTER` line).

    :raises ConversionError: `err.conversion_failed`.
    """
    script = ensure_converter() / "convert_lora_to_gguf.py"
    env = {**os.environ, "PYTHONPATH": str(script.parent / "gguf-py")}
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            str(adapter_dir),
            "--base",
            str(base_dir),
            "--outfile",
            str(out_path),
            "--outtype",
            outtype,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0 or not out_path.is_file():
        raise ConversionError("err.conversion_failed", detail=(result.stderr or result.stdout)[-500:])
    return out_path


if __name__ == "__main__":
    print(ensure_converter())  # noqa: T201 - `python -m finetune.export.converter` (make setup)
