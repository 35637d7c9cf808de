"""Every chart a page draws names both its axes (with units), so a reader knows what the numbers are."""

from __future__ import annotations

import re

import pytest

from .conftest import WebApp


@pytest.mark.parametrize("path", ["/", "/equity", "/national", "/forecast", "/community", "/urgent-care?provider=RBD"])
def test_each_chart_has_an_x_and_a_y_axis_title(sqlite_web: WebApp, path: str) -> None:
    html = sqlite_web.client("viewer").get(path).text
    charts = re.findall(r'<svg class="cb-chart".*?</svg>', html, re.S)
    assert charts, f"{path} draws no chart"
    for svg in charts:
        titles = re.findall(r'class="cb-axis-title">([^<]+)<', svg)
        name = re.search(r"<title[^>]*>([^<]+)</title>", svg)
        assert len(titles) == 2 and all(t.strip() for t in titles), (path, name and name.group(1), titles)
