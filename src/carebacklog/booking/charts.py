"""Charts of a policy comparison (matplotlib, Agg backend; PNG or SVG by the file's suffix)."""

from __future__ import annotations

from pathlib import Path

from carebacklog._figures import save_figure
from carebacklog.booking.runner import PolicyComparison

__all__ = ["comparison_chart"]


def comparison_chart(comparison: PolicyComparison, path: Path, title: str = "Booking policies") -> Path:
    """Four panels: % within 18 weeks and 52+ week waiters by week, list size, mean wait by IMD quintile."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import polars as pl

    path = Path(path)
    if path.suffix.lower() not in {".png", ".svg"}:
        raise ValueError(f"{path}: chart file must end in .png or .svg")
    fig, axes = plt.subplots(2, 2, figsize=(12.5, 8), constrained_layout=True)
    weekly = comparison.weekly
    for name in comparison.results:
        rows = weekly.filter(pl.col("policy") == name)
        axes[0, 0].plot(rows["week"], rows["pct_within_18"], label=name)
        axes[0, 1].plot(rows["week"], rows["over_52"], label=name)
        axes[1, 0].plot(rows["week"], rows["list_size"], label=name)
    axes[0, 0].axhline(92, color="grey", linestyle="--", linewidth=0.8)
    axes[0, 0].set(title="% waiting within 18 weeks (92% standard dashed)", xlabel="week", ylabel="%")
    axes[0, 1].set(title="Waiting over 52 weeks", xlabel="week", ylabel="pathways")
    axes[1, 0].set(title="Waiting list size", xlabel="week", ylabel="pathways")
    imd = comparison.waits.filter((pl.col("dimension") == "imd_quintile") & (pl.col("group") != "Unknown"))
    groups = sorted(imd["group"].unique().to_list())
    width = 0.8 / max(len(comparison.results), 1)
    for i, name in enumerate(comparison.results):
        rows = imd.filter(pl.col("policy") == name)
        lookup = dict(zip(rows["group"].to_list(), rows["mean_wait_weeks"].to_list(), strict=True))
        axes[1, 1].bar(
            [g + i * width for g in range(len(groups))],
            [lookup.get(g) or 0.0 for g in groups],
            width=width,
            label=name,
        )
    axes[1, 1].set_xticks([g + 0.4 - width / 2 for g in range(len(groups))], [f"Q{g}" for g in groups])
    axes[1, 1].set(title="Mean wait when treated by IMD quintile (Q1 = most deprived)", ylabel="weeks")
    axes[1, 1].title.set_fontsize(10)
    for ax in axes.flat[:3]:
        ax.legend(fontsize=8)
    axes[1, 1].legend(fontsize=8, loc="lower right")
    fig.suptitle(title)
    fmt = path.suffix.lower().lstrip(".") or "png"
    save_figure(fig, path, format=fmt)
    plt.close(fig)
    return path
