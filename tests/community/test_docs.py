"""The Python example in docs/community.md runs and its assertions hold (executable documentation)."""

from __future__ import annotations

import re

from .conftest import REPO


def test_docs_example_runs() -> None:
    text = (REPO / "docs" / "community.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/community.md has no python example"
    for block in blocks:
        exec(compile(block, "docs/community.md", "exec"), {})
