"""The Python example in docs/published.md runs and its assertions hold (executable documentation)."""

from __future__ import annotations

import re

from .conftest import REPO


def test_docs_example_runs() -> None:
    text = (REPO / "docs" / "published.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/published.md has no python example"
    for block in blocks:
        exec(compile(block, "docs/published.md", "exec"), {})
