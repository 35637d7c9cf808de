"""Drawing an XmR chart in Making Data Count colours (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from carebacklog._figures import save_figure
from carebacklog.spc.xmr import MDC_COLOURS, XmrChart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ASSURANCE_LABELS", "VARIATION_LABELS", "render_xmr", "save_xmr"]

VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neutral": "Special cause: neither improvement nor concern",
}
ASSURANCE_LABELS = {
    "consistently_pass": "Will consistently pass the target",
    "consistently_fail": "Will consistently fail the target",
    "hit_and_miss": "Will hit and miss the target (inconsistent)",
}


def render_xmr(chart: XmrChart, *, title: str = "", y_label: str = "") -> Figure:
    """The chart as a matplotlib Figure: values, mean, process limits, target, coloured special causes."""
    import polars as pl
    from matplotlib.figure import Figure

    points = chart.points
    x = list(range(points.height))
    labels = [str(p) for p in points["period"].to_list()]
    y = points["value"].to_list()

    fig = Figure(figsize=(10, 4.8), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(x, y, color=MDC_COLOURS["common_cause"], linewidth=1.5, zorder=1)
    colours = [
        MDC_COLOURS[v] if v != "common_cause" else MDC_COLOURS["common_cause"] for v in points["variation"]
    ]
    ax.scatter(x, y, c=colours, s=36, zorder=2, edgecolors="none")
    segments = (
        points.with_row_index("_x")
        .group_by("segment", maintain_order=True)
        .agg(
            pl.col("_x").min().alias("first"),
            pl.col("_x").max().alias("last"),
            pl.col("mean").first(),
            pl.col("upper_limit").first(),
            pl.col("lower_limit").first(),
        )
    )
    for i, seg in enumerate(segments.iter_rows(named=True)):
        span = [seg["first"] - 0.3, seg["last"] + 0.3]
        label = i == segments.height - 1  # one legend entry, for the latest segment
        mean_label = f"Mean {seg['mean']:.4g}" if label else None
        ax.plot(span, [seg["mean"]] * 2, color=MDC_COLOURS["mean"], linewidth=1.2, label=mean_label)
        limit_label = "Process limits" if label else None
        for limit in (seg["upper_limit"], seg["lower_limit"]):
            ax.plot(
                span,
                [limit] * 2,
                color=MDC_COLOURS["limits"],
                linestyle="--",
                linewidth=1.0,
                label=limit_label,
            )
            limit_label = None
    if chart.target is not None:
        ax.axhline(
            chart.target,
            color=MDC_COLOURS["target"],
            linestyle=":",
            linewidth=1.5,
            label=f"Target {chart.target:g}",
        )
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
    ax.set_ylabel(y_label)
    subtitle = VARIATION_LABELS[chart.latest_variation]
    if chart.assurance is not None:
        subtitle += "; " + ASSURANCE_LABELS[chart.assurance]
    ax.set_title(f"{title}\n{subtitle}" if title else subtitle, fontsize=11)
    ax.legend(loc="best", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def save_xmr(chart: XmrChart, path: str | Path, *, title: str = "", y_label: str = "") -> Path:
    """Write the chart to ``path``; the format (PNG or SVG) follows the file's extension."""
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        raise ValueError(f"{target}: chart files must end in .png or .svg")
    fig = render_xmr(chart, title=title, y_label=y_label)
    save_figure(fig, target, format=suffix, dpi=150)
    return target
