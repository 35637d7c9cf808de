"""CLI for forecasting: `forecast project|plan|backtest|sweep`, `plan queue`."""

from __future__ import annotations

import typer


def register(forecast_app: typer.Typer, plan_app: typer.Typer) -> None:
    """Add this package's commands (being built: see the package's issue)."""
