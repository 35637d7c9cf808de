"""Files bundled with the package in ``carebacklog/data/community/`` (NHS England, OGL v3.0)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["bundled_path"]


def bundled_path(name: str) -> Path:
    """Path of a bundled file in ``carebacklog/data/community/`` (e.g. ``chs_waiting_lists_2024_25.parquet``)."""
    return Path(str(resources.files("carebacklog").joinpath(f"data/community/{name}")))
