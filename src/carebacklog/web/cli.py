"""CLI for the web app: `demo`, `serve`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this package's commands (being built: see the package's issue)."""
