"""Writing matplotlib figures reproducibly: the same figure gives the same bytes, run after run.

matplotlib's SVG writer salts the ids of clip paths and glyphs with a random UUID and stamps the file
with the date (``<dc:date>``); PDF carries creation and modification dates. :func:`save_figure` fixes the
salt and drops the dates, so chart files can be compared byte for byte (golden files, caches, diffs).
PNG output has no timestamp and is unchanged. Every chart writer of the package saves through here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["HASH_SALT", "save_figure"]

#: Salt of matplotlib's SVG ids: fixed, so ids depend on the content only.
HASH_SALT = "carebacklog"

# Per format, the metadata keys matplotlib would fill with the time of writing (None: leave them out).
_NO_DATES: dict[str, dict[str, None]] = {
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
    "png": {},
}


def save_figure(fig: Figure, path: str | Path, *, format: str, dpi: float | None = None) -> Path:
    """Write ``fig`` to ``path`` as ``format`` (``svg``, ``png`` or ``pdf``) with no time or random id in it."""
    import matplotlib

    if format not in _NO_DATES:
        raise ValueError(f"{path}: cannot write a chart as {format!r} (svg, png or pdf)")
    target = Path(path)
    with matplotlib.rc_context({"svg.hashsalt": HASH_SALT, "svg.id": None}):
        fig.savefig(target, format=format, dpi=dpi if dpi is not None else "figure", metadata=_NO_DATES[format])
    return target
