"""A Polars frame as a CSV download (UTF-8, a header row, ``attachment`` with the file name given)."""

from __future__ import annotations

import polars as pl
from fastapi.responses import Response

__all__ = ["csv_response"]


def csv_response(frame: pl.DataFrame, filename: str) -> Response:
    """``frame`` as a CSV attachment called ``filename`` (dates ISO 8601, nulls empty)."""
    return Response(frame.write_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
