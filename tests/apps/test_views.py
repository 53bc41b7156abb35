"""Shared view helpers of the training tabs: the loss plot's data and the overfitting notice."""

from __future__ import annotations

import gradio as gr

from apps.context import AppContext
from apps.views import loss_frame, loss_plot_kwargs, overfitting


def test_the_loss_plot_has_number_axes_before_and_after_the_first_step() -> None:
    ctx = AppContext(lang="ja")
    assert loss_frame(ctx, []) is None  # an empty frame first left the lines undrawn for good
    plot = gr.LinePlot(None, **loss_plot_kwargs(ctx))
    data = plot.postprocess(loss_frame(ctx, [(1, 7.11, "train"), (2, 7.05, "train"), (2, 7.3, "validation")]))
    assert data.datatypes["step"] == data.datatypes["loss"] == "quantitative"  # numbers, not categories
    frame = loss_frame(ctx, [(1, 7.11, "train"), (2, float("nan"), "validation"), (2, 7.3, "validation")])
    assert list(frame["series"]) == ["学習", "検証"] and len(frame) == 2  # Japanese legend, no NaN point


def test_overfitting_when_validation_rises_while_training_falls() -> None:
    falling = [(i, 3.0 - 0.5 * i, "train") for i in range(5)]
    assert overfitting([*falling, (2, 2.0, "validation"), (4, 2.6, "validation")])
    assert not overfitting([*falling, (2, 2.0, "validation"), (4, 1.8, "validation")])
