"""The conventions of docs/cli.md, held by the commands a user runs: formats, exit codes, safe outputs,
rejected rows and the rates convention."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "rtt" / "golden" / "events.csv"
CENSUS = ["--census-date", "2025-03-31"]
runner = CliRunner()


def _ptl(*args: str) -> object:
    return runner.invoke(app, ["rtt", "ptl", str(EVENTS), *CENSUS, *args])


def test_ptl_to_parquet_writes_a_real_parquet_with_every_row_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "ptl.parquet"
    result = _ptl("--limit", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    ptl = pl.read_parquet(out)  # not a terminal table
    assert ptl.height == 24 and "booking_rank" in ptl.columns and "breach_104_date" in ptl.columns
    assert f"Wrote 24 rows to {out}" in result.stderr


@pytest.mark.parametrize(("name", "reader"), [("ptl.csv", pl.read_csv), ("ptl.json", pl.read_json)])
def test_the_format_follows_the_extension(tmp_path: Path, name: str, reader: object) -> None:
    out = tmp_path / name
    result = _ptl("--out", str(out))
    assert result.exit_code == 0, result.output
    assert reader(out).height == 24  # type: ignore[operator]


def test_a_format_that_contradicts_the_extension_is_refused_before_work(tmp_path: Path) -> None:
    out = tmp_path / "x.parquet"
    mismatch = _ptl("--format", "csv", "--out", str(out))
    assert mismatch.exit_code == 2 and "does not match --out" in mismatch.stderr
    table = _ptl("--format", "table", "--out", str(out))
    assert table.exit_code == 2 and "a table cannot be written to" in table.stderr
    assert not out.exists()
    text = tmp_path / "ptl.txt"
    shown = _ptl("--format", "table", "--limit", "5", "--out", str(text))
    assert shown.exit_code == 0 and "Wrote a table of 5 of 24 rows" in shown.stderr
    assert "showing 5 of 24 rows" in text.read_text()
    terminal = _ptl("--format", "parquet")
    assert terminal.exit_code == 2 and "needs --out" in terminal.stderr


def test_quarantine_or_out_naming_an_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_bytes(EVENTS.read_bytes())
    before = events.read_bytes()
    for args in (["--quarantine", str(events)], ["--out", str(events)],
                 ["--out", str(tmp_path / "a.csv"), "--quarantine", str(tmp_path / "a.csv")]):  # fmt: skip
        result = runner.invoke(app, ["rtt", "ptl", str(events), *CENSUS, *args])
        assert result.exit_code == 2, result.output
        assert "choose another file" in result.stderr and "Traceback" not in result.output
    assert events.read_bytes() == before
    assert not (tmp_path / "a.csv").exists()


def test_rejected_rows_are_counted_reported_and_quarantined(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    lines = EVENTS.read_text().splitlines()
    events.write_text("\n".join([*lines, "X-1,X,PX,RBD,110,QVV,2025-02-30,referral,10,,,bad date"]) + "\n")
    quarantine = tmp_path / "rejected.csv"
    result = runner.invoke(app, ["equity", "breakdown", str(events), *CENSUS, "--format", "csv",
                                 "--quarantine", str(quarantine)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"read 94 rows from {events}: 93 accepted, 1 rejected (see {quarantine})" in result.stderr
    assert "PX" not in result.stderr  # never a row's values
    assert pl.read_csv(quarantine, infer_schema=False)["event_id"].to_list() == ["X-1"]


def test_a_file_whose_every_row_is_rejected_fails_with_exit_2(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    header = EVENTS.read_text().splitlines()[0]
    events.write_text(header + "\nX-1,X,PX,RBD,110,QVV,2025-02-30,referral,10,,,\nX-2,X,PX,RBD,110,QVV,nope,referral,10,,,\n")
    for command in (["rtt", "ptl", str(events), *CENSUS], ["simulate", str(events), "--weeks", "1", "--runs", "1"],
                    ["rtt", "return", str(events), "--month", "2025-03", "--out", str(tmp_path / "r.csv")]):  # fmt: skip
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "all 2 rows rejected" in result.stderr
    assert not (tmp_path / "r.csv").exists()


def test_exit_codes_for_each_kind_of_error(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["rtt", "ptl", str(tmp_path / "none.csv"), *CENSUS])
    assert missing.exit_code == 2 and missing.stderr.startswith("error: ")
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    unwritable = _ptl("--out", str(blocker / "ptl.csv"))  # its folder cannot be created
    assert unwritable.exit_code == 3 and unwritable.stderr.startswith("error: ")
    assert "Traceback" not in unwritable.output
    unknown = runner.invoke(app, ["rtt", "explain", str(EVENTS), "--pathway", "NOPE"])
    assert unknown.exit_code == 1
    bad_format = _ptl("--format", "xml")
    assert bad_format.exit_code == 2


def test_one_number_rule_tables_two_decimals_files_full_precision(tmp_path: Path) -> None:
    from carebacklog.clikit import format_cell

    assert [format_cell(v) for v in (1234.5678, 3, None, float("nan"), True)] == ["1,234.57", "3", "", "", "true"]
    extract = ROOT / "src" / "carebacklog" / "data" / "rtt_full_extract_2024_11_RBD.csv"
    out = tmp_path / "m.csv"
    written = runner.invoke(app, ["rtt", "measures", str(extract), "--out", str(out)])
    assert written.exit_code == 0, written.output
    row = pl.read_csv(out).row(0, named=True)
    assert isinstance(row["total"], int)  # counts are integers
    table = runner.invoke(app, ["rtt", "measures", str(extract)])
    assert f"{row['pct_within_18']:,.2f}" in table.stdout and f"{row['total']:,}" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "queue", "--demand", "1", "--capacity", "2", "--target-wait", "18", "--percentile", "1"], "ambiguous"),
        (["plan", "queue", "--demand", "1", "--capacity", "2", "--target-wait", "18", "--percentile", "0.92"],
         "ambiguous"),
        (["plan", "queue", "--demand", "1", "--capacity", "2", "--target-wait", "18", "--percentile", "100"],
         "out of range"),
        (["forecast", "project", "missing.csv", "--horizon", "2", "--referral-growth", "-200"], "out of range"),
        (["forecast", "project", "missing.csv", "--horizon", "2", "--capacity-change", "0.1"], "ambiguous"),
        (["forecast", "plan", "missing.csv", "--target", "pct18>=92@2029-03", "--ring-fence", "20"], "out of range"),
        (["equity", "breakdown", "missing.csv", "--level", "95"], "out of range"),
        (["synth", "trust", "--provider", "RBD", "--from", "missing.csv", "--census-date", "2024-11-30",
          "--out", "x", "--shared-patients", "16"], "out of range"),
    ],
)
def test_rates_and_percentages_are_refused_when_ambiguous_or_out_of_range_before_any_work(
    args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr  # checked before the (missing) file is opened
    assert "no such file" not in result.stderr


def test_percentages_in_per_cent_with_or_without_the_sign_agree() -> None:
    base = ["plan", "queue", "--demand", "100", "--capacity", "110", "--target-wait", "18", "--format", "json"]
    plain = json.loads(runner.invoke(app, [*base, "--percentile", "92"]).stdout)
    signed = json.loads(runner.invoke(app, [*base, "--percentile", "92%"]).stdout)
    small = runner.invoke(app, [*base, "--percentile", "0.5%"])
    assert plain == signed and small.exit_code == 0


CLI_MODULES = sorted(
    [*(ROOT / "src" / "carebacklog").glob("*/cli.py"), ROOT / "src" / "carebacklog" / "cli.py",
     ROOT / "src" / "carebacklog" / "published" / "returns_cli.py", ROOT / "src" / "carebacklog" / "clikit.py",
     ROOT / "src" / "carebacklog" / "files.py", ROOT / "src" / "carebacklog" / "errors.py"]
)  # fmt: skip
HEAVY = ("polars", "numpy", "pydantic", "pandas", "matplotlib", "fastapi", "sqlalchemy", "distributed")


def _module_level_imports(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
            if isinstance(sub, ast.Import):
                names += [a.name for a in sub.names]
            elif isinstance(sub, ast.ImportFrom) and sub.module:
                names.append(sub.module)
    return names


@pytest.mark.parametrize("path", CLI_MODULES, ids=lambda p: str(p.relative_to(ROOT / "src")))
def test_cli_modules_import_heavy_libraries_inside_commands_only(path: Path) -> None:
    """So ``carebacklog --help`` pays only for typer and rich (the package faces do the rest)."""
    imported = _module_level_imports(ast.parse(path.read_text()))
    assert [m for m in imported if m.split(".")[0] in HEAVY] == []


@pytest.mark.parametrize("path", CLI_MODULES, ids=lambda p: str(p.relative_to(ROOT / "src")))
def test_register_only_adds_module_level_commands(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "register":
            nested = [n.name for n in ast.walk(node) if isinstance(n, ast.FunctionDef) and n is not node]
            assert nested == [], f"{path.name}: commands defined inside register(): {nested}"
            assert len(node.body) <= 10
