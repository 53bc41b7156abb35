"""Check an assistant YAML file the way a non-programmer needs: every problem with its line and a way to fix it.

Haystack's own errors name the problem but not the line, suggest nothing for a misspelt component, and say
"not imported" for a re-exported short path (docs/libraries.md §1.2). We check in order, stopping where a
later check would only repeat an earlier failure:

1. YAML syntax (line and column from the parser);
2. the shape: `components`, `connections`, `metadata.tokka` (name, collection);
3. every component type: only our packages and Haystack's may be named (others are refused *before* anything is
   imported); an unknown one gets the closest valid full path;
4. loading with Haystack (wrong parameters, bad connections);
5. inputs nobody provides — for prompt builders, template variables with no value;
6. the collection exists; the model exists (Ollama's list, or a local GGUF); the context window holds the prompt.
"""

from __future__ import annotations

import difflib
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import yaml
from haystack import Pipeline
from haystack.core.errors import DeserializationError, PipelineConnectError, PipelineError

from pipelines import ALLOWED_MODULES
from tokka.locales import for_ui, t
from tokka.settings import get_settings

# Inputs the assistant runner fills in itself (the question, and the history for templates that use it).
RUNTIME_INPUTS = {"query", "text", "history"}
ALLOWED_PREFIXES = tuple(f"{m}." for m in [*ALLOWED_MODULES, "haystack", "haystack_integrations"])
PROMPT_BUILDERS = {"ChatPromptBuilder", "PromptBuilder"}
# Modules imported so their components are known to the registry used for "did you mean" suggestions.
_KNOWN_COMPONENT_MODULES = [
    "pipelines.components.answer",
    "pipelines.components.converter",
    "pipelines.components.embedders",
    "pipelines.components.extractive",
    "pipelines.components.generators",
    "pipelines.components.grounding",
    "pipelines.components.normalizer",
    "pipelines.components.retrievers",
    "pipelines.components.splitter",
    "pipelines.components.tokenizer",
    "pipelines.components.writer",
    "haystack.components.builders.chat_prompt_builder",
    "haystack.components.builders.prompt_builder",
    "haystack.components.builders.answer_builder",
    "haystack.components.joiners.document_joiner",
    "haystack_integrations.components.generators.ollama.chat.chat_generator",
    "haystack_integrations.components.embedders.ollama.text_embedder",
]
CHARS_PER_CHUNK_DEFAULT = 400
PROMPT_OVERHEAD_TOKENS = 1500  # instructions, question and the answer itself


@dataclass
class Issue:
    """One problem in a file.

    `severity` is `error` (the file is wrong: the assistant cannot be loaded), `missing` (the file is right but
    something it names is not there yet: a collection or a model; the assistant still runs and explains at answer
    time), or `warning`. `python -m pipelines validate` fails on `error` and `missing`.
    """

    code: str
    line: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"

    def message(self, lang: str | None = None, file: str | None = None, ui: bool = False) -> str:
        """`file:line: message` in the user's language; `ui`: the app's wording."""
        where = ":".join(str(p) for p in (file, self.line) if p is not None)
        # A parameter named `<name>_key` is itself a message key, shown in the same language as `<name>`.
        params = {k.removesuffix("_key"): t(v, lang) if k.endswith("_key") else v for k, v in self.params.items()}
        text = t(for_ui(self.code) if ui else self.code, lang, **params)
        return f"{where}: {text}" if where else text


def render_yaml(text: str) -> str:
    """Fill `${chat_model}`, `${ollama_url}`, `${ollama_timeout}` from the settings (other `$` text is left alone)."""
    settings = get_settings()
    return Template(text).safe_substitute(
        chat_model=settings.chat_model, ollama_url=settings.ollama_url, ollama_timeout=settings.ollama_timeout
    )


class _Lines:
    """Line numbers (1-based) of the parts of a YAML document, from `yaml.compose`."""

    def __init__(self, text: str) -> None:
        try:
            self.root = yaml.compose(text)
        except yaml.YAMLError:
            self.root = None

    def of(self, *path: str | int) -> int | None:
        node, line = self.root, None
        for key in path:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == key), None)
                if match is None:
                    return line
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def _component_candidates() -> dict[str, type]:
    from haystack import component

    registry = component.registry  # every class decorated with @component so far, by full path
    for module in _KNOWN_COMPONENT_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            continue
    return {k: v for k, v in registry.items() if k.startswith(ALLOWED_PREFIXES)}


def suggest_component(type_path: str) -> str | None:
    """The closest valid full component path for a wrong one (same class name first, then spelling)."""
    candidates = _component_candidates()
    class_name = type_path.rsplit(".", 1)[-1]
    same_name = [path for path in candidates if path.rsplit(".", 1)[-1] == class_name]
    if same_name:
        return same_name[0]
    by_class = {path.rsplit(".", 1)[-1]: path for path in candidates}
    close = difflib.get_close_matches(class_name, list(by_class), n=1, cutoff=0.6)
    if close:
        return by_class[close[0]]
    close = difflib.get_close_matches(type_path, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def _check_type(type_path: object) -> tuple[str, dict[str, Any]] | None:
    """None when `type_path` names an importable component class in an allowed module, else (code, params)."""
    if not isinstance(type_path, str) or "." not in type_path:
        return "err.unknown_component", {"type": type_path, "suggestion": ""}
    if not type_path.startswith(ALLOWED_PREFIXES):
        return "err.module_not_allowed", {"type": type_path, "allowed": ", ".join(p + "…" for p in ALLOWED_PREFIXES)}
    module_name, class_name = type_path.rsplit(".", 1)
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
        if getattr(cls, "__module__", None) != module_name:
            raise AttributeError(class_name)  # re-exported: Haystack needs the defining module
    except (ImportError, AttributeError, ValueError):
        suggestion = suggest_component(type_path)
        hint = t("hint.did_you_mean", candidate=suggestion) if suggestion else ""
        return "err.unknown_component", {"type": type_path, "suggestion": hint}
    return None


MAX_YAML_BYTES = 256 * 1024  # an assistant file is a few KB; nothing legitimate is near this


def unsafe_yaml(text: str) -> Issue | None:
    """An issue when the text is too large or uses YAML aliases (`*name`), else None.

    An alias repeats an anchored node; nested a few times, 606 bytes expanded into billions of nodes and took
    minutes to validate. Assistant files have no use for anchors, so aliases are refused before anything walks the
    document (the event scan itself is linear in the text).
    """
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        return Issue("err.yaml_too_large", 1, {"limit_kb": MAX_YAML_BYTES // 1024})
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return Issue("err.yaml_alias", event.start_mark.line + 1, {"alias": event.anchor})
    except yaml.YAMLError:
        return None  # reported with its line by the syntax check
    return None


def validate_text(text: str, check_environment: bool = True) -> list[Issue]:
    """All issues of an assistant YAML text (after `${...}` substitution)."""
    unsafe = unsafe_yaml(text)
    if unsafe is not None:
        return [unsafe]
    parsed = _parse(text)
    if isinstance(parsed, Issue):
        return [parsed]
    lines = _Lines(text)
    shape = _shape(parsed, lines)
    if shape is not None:
        return [shape]
    tokka_meta = (parsed.get("metadata") or {}).get("tokka") if isinstance(parsed.get("metadata"), dict) else None
    issues: list[Issue] = []
    if not isinstance(tokka_meta, dict) or not tokka_meta.get("name"):
        issues.append(Issue("err.no_metadata", lines.of("metadata") or 1))
        tokka_meta = tokka_meta if isinstance(tokka_meta, dict) else {}
    issues += _component_types(parsed, lines)
    if any(i.severity == "error" and i.code != "err.no_metadata" for i in issues):
        return issues
    pipeline = _load(parsed, text, lines, issues)
    if pipeline is None:
        return issues
    issues.extend(_unfed_inputs(pipeline, parsed, lines))
    if check_environment:
        issues.extend(_environment(pipeline, parsed, tokka_meta, lines))
    return issues


# What PyYAML says, and what a person should check (the original text is kept in the message too).
_YAML_HINTS = (
    ("expected <block end>", "hint.yaml_indent"),
    ("mapping values are not allowed", "hint.yaml_colon"),
    ("could not find expected ':'", "hint.yaml_colon"),
    ("found character '\\t'", "hint.yaml_tab"),
    ("found character that cannot start any token", "hint.yaml_tab"),
    ("found undefined alias", "hint.yaml_alias"),
    ("while scanning a quoted scalar", "hint.yaml_quote"),
)


def _parse(text: str) -> dict[str, Any] | Issue:
    """The YAML document, or the syntax error with its line, column and a hint."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        detail = " ".join(str(getattr(e, "problem", None) or str(e).split("\n")[0]).split())
        hint = next((key for needle, key in _YAML_HINTS if needle in str(e)), "hint.yaml_general")
        params = {"detail": detail, "column": mark.column + 1 if mark else "?", "hint_key": hint}
        return Issue("err.yaml_syntax", mark.line + 1 if mark else None, params)


def _shape(data: object, lines: _Lines) -> Issue | None:
    """An issue when the document lacks `components` or has a malformed `connections`."""
    if not isinstance(data, dict) or not isinstance(data.get("components"), dict) or not data["components"]:
        return Issue("err.yaml_structure", 1, {"detail": "components:"})
    if not isinstance(data.get("connections") or [], list):
        return Issue("err.yaml_structure", lines.of("connections"), {"detail": "connections: (list)"})
    return None


def _component_types(data: dict[str, Any], lines: _Lines) -> list[Issue]:
    issues = []
    for name, spec in data["components"].items():
        if not isinstance(spec, dict) or "type" not in spec:
            issues.append(Issue("err.yaml_structure", lines.of("components", name), {"detail": f"{name}: type:"}))
            continue
        problem = _check_type(spec["type"])
        if problem:
            issues.append(Issue(problem[0], lines.of("components", name, "type"), problem[1]))
    return issues


def _load(data: dict[str, Any], text: str, lines: _Lines, issues: list[Issue]) -> Pipeline | None:
    components = data["components"]
    try:
        return Pipeline.from_dict(data, allowed_modules=ALLOWED_MODULES)
    except PipelineConnectError as e:
        index = _failing_connection(data, str(e))
        connection = (data.get("connections") or [{}])[index] if index is not None else {}
        issues.append(
            Issue(
                "err.bad_connection",
                lines.of("connections", index) if index is not None else lines.of("connections"),
                {
                    "sender": connection.get("sender", "?"),
                    "receiver": connection.get("receiver", "?"),
                    "detail": _first_line(e),
                },
            )
        )
    except (DeserializationError, PipelineError, ValueError, TypeError) as e:
        message = str(e)
        name = next((n for n in components if f"'{n}'" in message or f"{n}" in message.split("\n")[0]), None)
        if "Component named" in message or "not found in the pipeline" in message:
            index = _failing_connection(data, message)
            issues.append(
                Issue(
                    "err.bad_connection",
                    lines.of("connections", index) if index is not None else None,
                    {"sender": "?", "receiver": "?", "detail": _first_line(e)},
                )
            )
        else:
            cause = e.__cause__
            detail = _first_line(cause) if cause is not None else _first_line(e)
            original = re.search(r"Original error: (.*)", message)
            issues.append(
                Issue(
                    "err.component_params",
                    lines.of("components", name, "init_parameters") if name else None,
                    {"name": name or "?", "detail": original.group(1) if original else detail},
                )
            )
    return None


def _first_line(error: BaseException) -> str:
    return str(error).strip().split("\n")[0][:300]


def _failing_connection(data: dict[str, Any], message: str) -> int | None:
    for index, connection in enumerate(data.get("connections") or []):
        if not isinstance(connection, dict):
            return index
        for end in (connection.get("sender", ""), connection.get("receiver", "")):
            if end and (end in message or end.split(".")[0] in message):
                return index
    return None


def _unfed_inputs(pipeline: Pipeline, data: dict[str, Any], lines: _Lines) -> list[Issue]:
    issues = []
    for name, sockets in pipeline.inputs().items():
        kind = str(data["components"][name]["type"]).rsplit(".", 1)[-1]
        for socket, info in sockets.items():
            if not info.get("is_mandatory") or socket in RUNTIME_INPUTS:
                continue
            if kind in PROMPT_BUILDERS:
                issues.append(
                    Issue(
                        "err.missing_prompt_variable",
                        lines.of("components", name, "init_parameters"),
                        {"name": name, "variable": socket},
                    )
                )
            else:
                issues.append(
                    Issue("err.missing_input", lines.of("components", name), {"name": name, "socket": socket})
                )
    return issues


def _environment(pipeline: Pipeline, data: dict[str, Any], meta: dict[str, Any], lines: _Lines) -> list[Issue]:
    """What this machine lacks for the file: collections not created yet, models not pulled, a small context."""
    collections: list[tuple[str, tuple[str | int, ...]]] = []
    if meta.get("collection"):
        collections.append((str(meta["collection"]), ("metadata", "tokka", "collection")))
    top_k = 5
    for name, spec in data["components"].items():
        params = spec.get("init_parameters") or {}
        if isinstance(params.get("collection"), str):
            collections.append((params["collection"], ("components", name, "init_parameters", "collection")))
        if "top_k" in params and isinstance(params["top_k"], int) and "Retriever" in str(spec["type"]):
            top_k = params["top_k"]
    issues = _missing_collections(collections, lines)
    for name, spec in data["components"].items():
        issues += _generator_issues(name, spec, top_k, lines)
    return issues


def _missing_collections(collections: list[tuple[str, tuple[str | int, ...]]], lines: _Lines) -> list[Issue]:
    from corpus.stores import open_store

    issues, checked = [], set()
    for collection, path in collections:
        if collection in checked:
            continue
        checked.add(collection)
        try:
            backend = open_store(collection).backend
            exists = backend.collection(collection) is not None
            available = ", ".join(c.name for c in backend.collections()) or "-"
        except Exception:
            exists, available = False, "-"
        if not exists:
            params = {"collection": collection, "available": available}
            issues.append(Issue("err.unknown_collection", lines.of(*path), params, "missing"))
    return issues


def _generator_issues(name: str, spec: dict[str, Any], top_k: int, lines: _Lines) -> list[Issue]:
    from corpus.embeddings import ollama_has_model, ollama_models
    from pipelines.local_models import ModelNotFoundError, local_model_exists, resolve_adapter

    kind = str(spec["type"]).rsplit(".", 1)[-1]
    params = spec.get("init_parameters") or {}
    line = lines.of("components", name, "init_parameters", "model") or lines.of("components", name)
    issues: list[Issue] = []
    if kind == "OllamaChatGenerator":
        model = str(params.get("model", ""))
        url = str(params.get("url") or get_settings().ollama_url)
        models = ollama_models(url)
        if models is None:
            issues.append(Issue("warn.ollama_unreachable", line, {"url": url, "model": model}, "warning"))
        elif not ollama_has_model(models, model):
            issues.append(Issue("err.unknown_model", line, {"model": model}, "missing"))
        num_ctx = (params.get("generation_kwargs") or {}).get("num_ctx")
        if num_ctx is None:
            issues.append(Issue("warn.num_ctx_unset", lines.of("components", name), {"name": name}, "warning"))
        else:
            issues.extend(_context_check(int(num_ctx), top_k, lines.of("components", name, "init_parameters")))
    elif kind == "LocalGGUFChatGenerator":
        try:
            local_model_exists(str(params.get("model", "gemma3-270m")))
        except ModelNotFoundError as e:
            issues.append(Issue(e.code, line, e.params, "missing"))
        if params.get("lora"):
            try:
                resolve_adapter(str(params["lora"]))
            except ModelNotFoundError as e:
                where = lines.of("components", name, "init_parameters", "lora") or line
                issues.append(Issue(e.code, where, e.params, "missing"))
        issues.extend(_context_check(int(params.get("n_ctx", 4096)), top_k, line))
    return issues


def _context_check(n_ctx: int, top_k: int, line: int | None) -> list[Issue]:
    """Japanese text needs up to about one token per character; the retrieved chunks must fit with room to answer."""
    needed = top_k * CHARS_PER_CHUNK_DEFAULT + PROMPT_OVERHEAD_TOKENS
    if n_ctx >= needed:
        return []
    return [
        Issue(
            "err.context_too_small",
            line,
            {"n_ctx": n_ctx, "top_k": top_k, "chars": top_k * CHARS_PER_CHUNK_DEFAULT, "needed": needed},
        )
    ]


def validate_file(path: Path, check_environment: bool = True) -> list[Issue]:
    """Issues of one file (read as UTF-8, `${...}` filled in)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [Issue("err.read_failed", None, {"detail": str(e)})]
    return validate_text(render_yaml(text), check_environment)
