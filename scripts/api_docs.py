"""Build the API reference of carebacklog from its docstrings with pdoc, into a folder (default build/api).

Usage: ``python scripts/api_docs.py [OUT_DIR]`` (``./run docs``; ``./run test`` builds it too). Every
public module is imported; a module that fails to import fails the build (exit 1) with pdoc's message, so
the reference never silently misses a page. pdoc's other notes (an annotation it cannot evaluate) are
printed and do not fail it.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pdoc
import pdoc.render

#: How pdoc's warnings about a module it could not import begin.
IMPORT_FAILURES = ("Error loading", "Error importing", "Cannot find spec")


def build(out: Path) -> list[str]:
    """Write the reference into ``out``; the notes pdoc reported (empty when the build is clean)."""
    pdoc.render.configure(docformat="restructuredtext", show_source=False, search=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc("carebacklog", output_directory=out)
    # pdoc's own warnings (import failures, unrenderable docstrings); not the libraries' deprecations
    return [
        str(w.message).splitlines()[0]
        for w in caught
        if not issubclass(w.category, DeprecationWarning | PendingDeprecationWarning | FutureWarning)
    ]


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("build/api")
    notes = build(out)
    for note in notes:
        print(f"api_docs: {note}", file=sys.stderr)
    if any(note.startswith(IMPORT_FAILURES) for note in notes):
        print("api_docs: a module failed to import: the API reference is incomplete", file=sys.stderr)
        return 1
    pages = sum(1 for _ in out.rglob("*.html"))
    print(f"api_docs: {pages} pages in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
