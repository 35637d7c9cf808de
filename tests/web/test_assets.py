"""The front-end assets the app serves load nothing from another host (no CDN, no webfont service)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from carebacklog.web.app import WEB_DIR

ROOT = Path(__file__).resolve().parents[2]
CSS = WEB_DIR / "static" / "vendor" / "nhsuk" / "nhsuk-frontend.min.css"


def _vendor_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("vendor_assets", ROOT / "scripts" / "vendor_assets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_served_stylesheet_fetches_nothing_from_another_host() -> None:
    css = CSS.read_text(encoding="utf-8")
    assert "nhsuk-header" in css  # the real stylesheet, not an empty file
    assert re.findall(r"url\(\s*[\"']?(?:https?:)?//", css) == []
    assert "font-family:Frutiger W01,arial,sans-serif" in css  # the fallback stack stays


def test_external_font_faces_are_dropped_and_other_external_urls_refused() -> None:
    vendor = _vendor_module()
    css = ('@font-face{font-family:X;src:url(https://fonts.example/x.woff2) format("woff2")}'
           '@font-face{font-family:Y;src:url(/static/y.woff2)}body{color:red}')
    cleaned = vendor.local_only_css(css)
    assert "fonts.example" not in cleaned and "/static/y.woff2" in cleaned and "body{color:red}" in cleaned
    with pytest.raises(SystemExit, match="other hosts"):
        vendor.local_only_css("body{background:url(//cdn.example/bg.png)}")
