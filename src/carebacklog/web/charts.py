"""Server-rendered SVG charts: no JavaScript, no external library, no inline styles (CSP allows none).

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>``; pages put the same figures in a
table beside it, so screen-reader users get the numbers, not a picture of them. Colours are NHS.UK
palette colours with at least 3:1 contrast against white (WCAG 2.2 1.4.11).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

__all__ = ["BLUE", "GREY", "ORANGE", "PURPLE", "RANGE", "Band", "Line", "bar_chart", "line_chart"]

BLUE = "#005eb8"
GREY = "#768692"
ORANGE = "#ed8b00"
PURPLE = "#330072"
RANGE = "#a6c7e8"
_TEXT = "#212b32"
_AXIS = "#4c6272"


@dataclass(frozen=True)
class Line:
    """A series drawn as a line; ``dashed`` for limits and targets."""

    label: str
    values: Sequence[float | None]
    colour: str = BLUE
    dashed: bool = False
    markers: Sequence[str | None] = field(default_factory=tuple)  # per-point colour for special causes


@dataclass(frozen=True)
class Band:
    """A shaded range between ``low`` and ``high`` (e.g. a forecast's 10th-90th percentile)."""

    label: str
    low: Sequence[float]
    high: Sequence[float]
    colour: str = RANGE


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _frame(title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg class="cb-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="t d" focusable="false">'
    )
    # ids must be unique per page: derive them from the title.
    key = f"c{zlib.crc32(title.encode()):08x}"
    head = head.replace('aria-labelledby="t d"', f'aria-labelledby="{key}t {key}d"')
    parts = [head, f'<title id="{key}t">{escape(title)}</title>', f'<desc id="{key}d">{escape(desc)}</desc>']
    parts.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    parts.extend(body)
    parts.append("</svg>")
    return Markup("".join(parts))


def _y_axis(top: float, x0: int, x1: int, y0: int, y1: int, ticks: int = 4) -> list[str]:
    out = []
    for i in range(ticks + 1):
        value = top * i / ticks
        y = y1 - (y1 - y0) * i / ticks
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="#d8dde0" stroke-width="1"/>')
        out.append(
            f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{_TEXT}">{_fmt(value)}</text>'
        )
    return out


def _axis_titles(x_title: str, y_title: str, width: int, height: int, left: int, plot_mid_y: float) -> list[str]:
    """The x title centred under the axis labels and the y title turned up the left edge (units in both)."""
    out = []
    if x_title:
        out.append(
            f'<text x="{left + (width - left) / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="12" '
            f'fill="{_TEXT}" class="cb-axis-title">{escape(x_title)}</text>'
        )
    if y_title:
        out.append(
            f'<text x="14" y="{plot_mid_y:.1f}" text-anchor="middle" font-size="12" fill="{_TEXT}" '
            f'transform="rotate(-90 14 {plot_mid_y:.1f})" class="cb-axis-title">{escape(y_title)}</text>'
        )
    return out


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    desc: str,
    colours: Sequence[str] | None = None,
    width: int = 720,
    height: int = 300,
    label_every: int = 1,
    x_title: str = "",
    y_title: str = "",
) -> Markup:
    """Vertical bars, one per label; ``x_title`` and ``y_title`` name each axis with its unit."""
    left, right, top_pad, bottom = (80 if y_title else 64), 12, 16, (64 if x_title else 56)
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    n = max(len(values), 1)
    slot = plot_w / n
    body = _y_axis(top, left, width - right, top_pad, top_pad + plot_h)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x = left + i * slot + slot * 0.1
        colour = colours[i] if colours else BLUE
        body.append(
            f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(label)}: {_fmt(value)}</title></rect>'
        )
        if i % label_every == 0:
            cx = left + (i + 0.5) * slot
            body.append(
                f'<text x="{cx:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" font-size="11" '
                f'fill="{_TEXT}">{escape(label)}</text>'
            )
    body.append(
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" stroke="{_AXIS}"/>'
    )
    body += _axis_titles(x_title, y_title, width, height, left, top_pad + plot_h / 2)
    return _frame(title, desc, width, height, body)


def line_chart(
    x_labels: Sequence[str],
    lines: Sequence[Line],
    *,
    title: str,
    desc: str,
    bands: Sequence[Band] = (),
    width: int = 720,
    height: int = 320,
    y_min: float | None = 0.0,
    label_every: int = 1,
    x_title: str = "",
    y_title: str = "",
) -> Markup:
    """Lines over a shared x axis, with optional shaded ranges beneath them; ``x_title`` and ``y_title``
    name each axis with its unit."""
    left, right, top_pad, bottom = (80 if y_title else 64), 12, 16, (62 if x_title else 48)
    every = [v for line in lines for v in line.values if v is not None]
    every += [v for band in bands for v in (*band.low, *band.high)]
    hi = _nice_max(max(every, default=1.0))
    lo = 0.0 if y_min == 0.0 else min(every, default=0.0)
    if lo >= hi:
        hi = lo + 1
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    n = max(len(x_labels), 2)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + plot_w * i / (n - 1), top_pad + plot_h * (1 - (v - lo) / (hi - lo))

    body = []
    if lo == 0.0:
        body += _y_axis(hi, left, width - right, top_pad, top_pad + plot_h)
    for band in bands:
        upper = [xy(i, v) for i, v in enumerate(band.high)]
        lower = [xy(i, v) for i, v in enumerate(band.low)][::-1]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)
        body.append(
            f'<polygon points="{points}" fill="{band.colour}" stroke="none"><title>{escape(band.label)}</title></polygon>'
        )
    for line in lines:
        pts = [(i, v) for i, v in enumerate(line.values) if v is not None]
        if not pts:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in pts))
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{line.colour}" stroke-width="2.5"{dash}/>'
        )
        for i, v in pts:
            marker = line.markers[i] if i < len(line.markers) else None
            if marker or not line.dashed:
                x, y = xy(i, v)
                body.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 if marker else 2.5}" fill="{marker or line.colour}">'
                    f"<title>{escape(line.label)}, {escape(x_labels[i])}: {_fmt(v)}</title></circle>"
                )
    last = len(x_labels) - 1
    for i, label in enumerate(x_labels):
        if i % label_every == 0 or i == last:
            if i == last and i % label_every and last - (last // label_every) * label_every < label_every / 2:
                continue  # too close to the previous label to fit beside it
            x, _ = xy(i, lo)
            # the last label ends at its point, so it is never cut off at the chart's right edge
            anchor = "end" if i == last and last > 0 else "middle"
            body.append(
                f'<text x="{x:.1f}" y="{top_pad + plot_h + 18}" text-anchor="{anchor}" font-size="11" '
                f'fill="{_TEXT}">{escape(label)}</text>'
            )
    if lo != 0.0:
        for value in (lo, (lo + hi) / 2, hi):
            _, y = xy(0, value)
            body.append(
                f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{_TEXT}">{_fmt(value)}</text>'
            )
    body.append(
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" stroke="{_AXIS}"/>'
    )
    body += _axis_titles(x_title, y_title, width, height, left, top_pad + plot_h / 2)
    return _frame(title, desc, width, height, body)
