"""Copy the front-end assets installed from the npm registry into the package's static folder.

The web app serves these itself (NHS networks are often closed: no CDN). Run by ``./run setup``.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "carebacklog" / "web" / "static" / "vendor"

# (source under node_modules, destination under static/vendor)
FILES = [
    ("nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css", "nhsuk/nhsuk-frontend.min.css"),
    ("nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js", "nhsuk/nhsuk-frontend.min.js"),
    ("axe-core/axe.min.js", "axe/axe.min.js"),
]
TREES = [("nhsuk-frontend/dist/nhsuk/assets", "nhsuk/assets")]

#: ``@font-face`` rules that load a font from another host. The NHS.UK stylesheet loads Frutiger from
#: assets.nhs.uk: the app's Content-Security-Policy (font-src 'self') blocks that, and Frutiger is licensed
#: to NHS services, not for redistribution in an open-source package, so the rules are dropped and pages use
#: the frontend's own fallback stack (``Frutiger W01, arial, sans-serif``). docs/web.md, "Fonts".
EXTERNAL_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*url\(\s*[\"']?(?:https?:)?//[^}]*\}")


def local_only_css(css: str) -> str:
    """``css`` without ``@font-face`` rules that fetch from another host; refuses any other external url()."""
    cleaned = EXTERNAL_FONT_FACE.sub("", css)
    external = re.findall(r"url\(\s*[\"']?((?:https?:)?//[^)\"']+)", cleaned)
    if external:
        raise SystemExit(f"vendor_assets: the stylesheet still loads from other hosts: {sorted(set(external))[:3]}")
    return cleaned


def main() -> int:
    missing = [src for src, _ in FILES + TREES if not (NODE / src).exists()]
    if missing:
        print(f"vendor_assets: missing {missing}; run `npm install` first", file=sys.stderr)
        return 1
    for src, dest in FILES:
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".css":
            # always rewritten (a few hundred KB), so an older unfiltered copy never survives
            target.write_text(local_only_css((NODE / src).read_text(encoding="utf-8")), encoding="utf-8")
        elif not target.exists() or target.stat().st_mtime < (NODE / src).stat().st_mtime:
            shutil.copy2(NODE / src, target)
    for src, dest in TREES:
        # Copied every time (a few hundred KB), so a new nhsuk-frontend version never leaves stale assets.
        shutil.copytree(NODE / src, VENDOR / dest, dirs_exist_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
