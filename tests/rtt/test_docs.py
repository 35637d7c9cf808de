"""docs/rtt.md's example runs as written (executable documentation)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_docs_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "docs" / "rtt.md").read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    monkeypatch.chdir(ROOT)
    exec(compile(block.group(1), "docs/rtt.md", "exec"), {})
    out = capsys.readouterr().out
    assert "rule 4: status 33 DNA of first activity nullifies period 1 on 2024-10-01" in out
