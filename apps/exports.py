"""What the tuning tabs show after an export: the llama.cpp check, Ollama's answer and where the model went."""

from __future__ import annotations

from apps.context import AppContext
from finetune.export.ollama import Registration
from finetune.export.verify import VerifyReport


def export_markdown(
    ctx: AppContext, report: VerifyReport, registration: Registration | None, name: str, local_model: str
) -> str:
    """The verdict, one table row per checked prompt, the Ollama result (or the commands), the local model name."""
    rows = ["| prompt | tokens | max Δlogit | top-1 |", "|---|---|---|---|"]
    rows += [
        f"| {c.prompt.strip().replace(chr(10), ' ')[:40]} | {'=' if c.same_tokens else '≠'} | "
        f"{c.max_logit_diff:.4f} | {'=' if c.same_top1 else '≠'} |"
        for c in report.checks
    ]
    verdict = ctx.t("cli.export_verified" if report.ok else "cli.export_mismatch", diff=f"{report.max_logit_diff:.4f}")
    if registration is not None and registration.registered:
        ollama = ctx.t("cli.ollama_registered", name=name)
    else:
        commands = registration.commands if registration else ""
        ollama = ctx.t("cli.ollama_manual", commands=f"\n```\n{commands}\n```")
    return "\n".join(
        [
            f"{'✓' if report.ok else '⚠'} {verdict}",
            "",
            *rows,
            "",
            ollama,
            "",
            ctx.t("cli.local_model", name=local_model),
        ]
    )
