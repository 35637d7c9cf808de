"""Which optional capabilities are installed, so pages appear only when their package provides them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["Features", "available_features"]


def _has(module: str, *names: str) -> bool:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return False
    public = set(getattr(mod, "__all__", ()))
    return all(name in public for name in names)


@dataclass(frozen=True)
class Features:
    """One flag per optional page; a page whose package has not provided its public API is left out."""

    national: bool
    spc: bool
    forecast: bool
    equity: bool
    explain: bool


def available_features() -> Features:
    return Features(
        national=_has("carebacklog.published", "read_rtt", "read_orgs", "headline_measures"),
        spc=_has("carebacklog.spc", "xmr_chart"),
        forecast=_has("carebacklog.forecast", "inputs_from_ptl", "forecast", "plan_capacity", "parse_target"),
        equity=_has("carebacklog.equity", "equity_breakdown"),
        explain=_has("carebacklog.rtt", "explain"),
    )
