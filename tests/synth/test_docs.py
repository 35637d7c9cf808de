"""The Python example in docs/synth.md runs and its assertions hold."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "synth.md"


def test_docs_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert blocks, "docs/synth.md has no Python example"
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})
