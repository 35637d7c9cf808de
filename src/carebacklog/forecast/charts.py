"""Charts of projections and capacity plans (matplotlib, Agg backend: PNG or SVG, no display needed)."""

from __future__ import annotations

from pathlib import Path

from carebacklog._figures import save_figure
from carebacklog.forecast.montecarlo import Forecast
from carebacklog.forecast.optimise import CapacityPlan

__all__ = ["plan_chart", "projection_chart"]

# NHS identity colours (NHS England brand guidelines): NHS Blue, Dark Blue, Warm Yellow.
NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_WARM_YELLOW = "#FFB81C"


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        raise ValueError(f"{path}: chart files must end in .png or .svg")
    return suffix


def _label(fc: Forecast, i: int) -> str:
    return " · ".join(str(fc.keys[c][i]) for c in fc.keys.columns)


def projection_chart(fc: Forecast, path: str | Path, *, list_index: int = 0) -> Path:
    """List size and % within 18 weeks by month for one list: median line and 10th–90th band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fmt = _suffix(path)
    x = [m.strftime("%Y-%m") for m in fc.months]
    fig, axes = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for ax, name, ylabel in (
        (axes[0], "total", "Waiting list (pathways)"),
        (axes[1], "pct_within_18", "% within 18 weeks"),
    ):
        lo, mid, hi = (fc.measure(name, q)[list_index] for q in (0.1, 0.5, 0.9))
        ax.fill_between(x, lo, hi, color=NHS_BLUE, alpha=0.2, label="10th–90th percentile")
        ax.plot(x, mid, color=NHS_DARK_BLUE, label="median")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[1].axhline(92, color=NHS_WARM_YELLOW, linestyle="--", label="92% standard")
    axes[1].legend(loc="best", fontsize=8)
    axes[1].tick_params(axis="x", rotation=60, labelsize=7)
    fig.suptitle(f"Projection: {_label(fc, list_index)} ({fc.runs} runs)")
    fig.tight_layout()
    save_figure(fig, path, format=fmt)
    plt.close(fig)
    return path


def plan_chart(plan: CapacityPlan, path: str | Path, *, list_index: int = 0) -> Path:
    """Capacity per week under the plan and the projected % within 18 weeks with the targets marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fmt = _suffix(path)
    x = [m.strftime("%Y-%m") for m in plan.months]
    fig, axes = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    base = plan.base_per_week[list_index]
    axes[0].step(x, base + plan.profile[list_index], where="mid", color=NHS_DARK_BLUE, label="planned")
    axes[0].axhline(base, color="grey", linestyle=":", label="today")
    axes[0].set_ylabel("Clock stops a week")
    axes[0].legend(loc="best", fontsize=8)
    pct = plan.projection.measure("pct_within_18")[list_index]
    axes[1].plot(x, pct, color=NHS_BLUE, label="% within 18 weeks")
    for t in plan.targets:
        if t.measure == "pct18":
            axes[1].plot([t.month.strftime("%Y-%m")], [t.value], marker="o", color=NHS_WARM_YELLOW)
    axes[1].set_ylabel("% within 18 weeks")
    axes[1].tick_params(axis="x", rotation=60, labelsize=7)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.suptitle(f"Capacity plan: {_label(plan.projection, list_index)}")
    fig.tight_layout()
    save_figure(fig, path, format=fmt)
    plt.close(fig)
    return path
