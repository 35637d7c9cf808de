"""A trust's daily use from the command line: load, reload, a later extract, changes, snapshots, users."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.store import (
    get_user_by_username,
    list_audit,
    list_loads,
    make_engine,
    make_sessionmaker,
    ptl_frame,
    verify_password,
)
from carebacklog.synth import advance_extract

runner = CliRunner()
CENSUS = dt.date(2024, 11, 30)


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small synthetic RBD extract as a PAS would give it (CSV files)."""
    from carebacklog.synth import demo_trust

    trust = demo_trust(11, scale=0.03)
    folder = tmp_path_factory.mktemp("extract")
    trust.events.write_csv(folder / "events.csv")
    trust.patients.write_csv(folder / "patients.csv")
    return folder / "events.csv", folder / "patients.csv"


def _load(events: Path, patients: Path, db: Path, census: dt.date, *extra: str) -> object:
    args = ["load", str(events), "--patients", str(patients), "--census-date", census.isoformat()]
    return runner.invoke(app, [*args, "--database", str(db), *extra])


def test_a_load_stores_exactly_the_ptl_rtt_ptl_gives_and_records_its_provenance(
    extract: tuple[Path, Path], tmp_path: Path
) -> None:
    events, patients = extract
    db = tmp_path / "trust.db"
    result = _load(events, patients, db, CENSUS)
    assert result.exit_code == 0, result.output
    assert "loaded" in result.stdout and "RBD" in result.stdout
    ptl_csv = tmp_path / "ptl.csv"
    args = ["rtt", "ptl", str(events), "--patients", str(patients), "--census-date", CENSUS.isoformat()]
    assert runner.invoke(app, [*args, "--out", str(ptl_csv)]).exit_code == 0
    engine = make_engine(f"sqlite:///{db}")
    with make_sessionmaker(engine)() as session:
        (load,) = list_loads(session)
        assert load.provider_name == "Dorset County Hospital NHS Foundation Trust"
        assert load.file_name == "events.csv" and load.loaded_by and load.loaded_by.startswith("cli:")
        assert load.rows_read == load.rows_accepted == pl.read_csv(events).height and load.rows_rejected == 0
        import hashlib

        assert load.file_sha256 == hashlib.sha256(events.read_bytes()).hexdigest()
        _, audit = list_audit(session, object_type="snapshot")
        assert [entry.action for entry in audit] == ["load"]
    stored = ptl_frame(engine, load.id)
    expected = pl.read_csv(ptl_csv, try_parse_dates=True)
    columns = ["pathway_id", "period", "weeks_waited", "booking_rank", "breach_18_date"]
    assert stored.select(columns).equals(expected.select(columns).cast(stored.select(columns).schema))
    engine.dispose()


def test_the_same_files_twice_make_one_snapshot(extract: tuple[Path, Path], tmp_path: Path) -> None:
    events, patients = extract
    db = tmp_path / "trust.db"
    assert _load(events, patients, db, CENSUS).exit_code == 0
    again = _load(events, patients, db, CENSUS)
    assert again.exit_code == 0 and "unchanged" in again.stdout
    assert "already loaded" in again.stderr
    engine = make_engine(f"sqlite:///{db}")
    with make_sessionmaker(engine)() as session:
        assert len(list_loads(session)) == 1
    engine.dispose()


def test_rejected_rows_are_counted_quarantined_and_the_good_ones_loaded(
    extract: tuple[Path, Path], tmp_path: Path
) -> None:
    events, patients = extract
    broken = tmp_path / "events.csv"
    lines = events.read_text().splitlines()
    fields = lines[1].split(",")
    fields[0], fields[6] = "bad-row", "31/02/2024"  # a new event whose event_date is not a date
    broken.write_text("\n".join([*lines, ",".join(fields)]) + "\n")
    quarantine = tmp_path / "rejected.csv"
    db = tmp_path / "trust.db"
    result = _load(broken, patients, db, CENSUS, "--quarantine", str(quarantine))
    assert result.exit_code == 0, result.output
    assert "1 rejected" in result.stderr
    rejected = pl.read_csv(quarantine, infer_schema_length=0)
    assert rejected.height == 1 and rejected["column"][0] == "event_date"
    engine = make_engine(f"sqlite:///{db}")
    with make_sessionmaker(engine)() as session:
        (load,) = list_loads(session)
        assert (load.rows_read, load.rows_accepted, load.rows_rejected) == (len(lines), len(lines) - 1, 1)
    engine.dispose()


def test_a_later_extract_adds_a_snapshot_and_changes_lists_what_happened(
    extract: tuple[Path, Path], tmp_path: Path
) -> None:
    from carebacklog.rtt import read_events, read_patients

    events, patients = extract
    db = tmp_path / "trust.db"
    assert _load(events, patients, db, CENSUS).exit_code == 0
    later = advance_extract(
        read_events(events).events, read_patients(patients).events, CENSUS, days=7, seed=5
    )
    later_events, later_patients = tmp_path / "events_later.csv", tmp_path / "patients_later.csv"
    later.events.write_csv(later_events)
    later.patients.write_csv(later_patients)
    assert _load(later_events, later_patients, db, later.census_date).exit_code == 0

    listed = runner.invoke(app, ["snapshots", "--database", str(db), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [row["census_date"] for row in rows] == [CENSUS.isoformat(), later.census_date.isoformat()]
    assert rows[1]["file_name"] == "events_later.csv"

    out = tmp_path / "changes.csv"
    result = runner.invoke(app, ["changes", "--database", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    found = pl.read_csv(out, infer_schema_length=0)
    counts = dict(found.group_by("kind").len().iter_rows())
    assert counts["joined"] == later.referred
    assert counts["stopped"] == later.stopped
    assert counts["removed"] == later.removed
    assert counts.get("moved_band", 0) > 0 and counts.get("will_breach", 0) > 0
    assert f"joined {later.referred:,}" in result.stderr

    only = runner.invoke(app, ["changes", "--database", str(db), "--kind", "removed", "--format", "csv"])
    assert only.exit_code == 0 and set(pl.read_csv(only.stdout.encode())["kind"]) == {"removed"}
    bad = runner.invoke(app, ["changes", "--database", str(db), "--kind", "vanished"])
    assert bad.exit_code == 2 and "--kind must be one of" in bad.stderr


def test_changes_needs_two_snapshots_and_says_so(extract: tuple[Path, Path], tmp_path: Path) -> None:
    events, patients = extract
    db = tmp_path / "trust.db"
    empty = runner.invoke(app, ["changes", "--database", str(db)])
    assert empty.exit_code == 2 and "nothing is loaded yet" in empty.stderr
    assert _load(events, patients, db, CENSUS).exit_code == 0
    one = runner.invoke(app, ["changes", "--database", str(db)])
    assert one.exit_code == 2 and "no snapshot" in one.stderr and "to compare with" in one.stderr


def test_one_file_with_two_providers_makes_a_snapshot_of_each(
    extract: tuple[Path, Path], tmp_path: Path
) -> None:
    events, patients = extract
    frame = pl.read_csv(events, infer_schema_length=0)
    pathways = frame["pathway_id"].unique().sort()
    second_site = pathways.head(pathways.len() // 3)
    both = frame.with_columns(
        provider_code=pl.when(pl.col("pathway_id").is_in(second_site.implode()))
        .then(pl.lit("RDZ"))
        .otherwise(pl.col("provider_code"))
    )
    two = tmp_path / "two.csv"
    both.write_csv(two)
    db = tmp_path / "trust.db"
    result = _load(two, patients, db, CENSUS)
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{db}")
    with make_sessionmaker(engine)() as session:
        loads = {load.provider_code: load for load in list_loads(session)}
    assert set(loads) == {"RBD", "RDZ"}
    waiting = sum(load.n_open for load in loads.values())
    single = tmp_path / "single.db"
    assert _load(events, patients, single, CENSUS).exit_code == 0
    engine_one = make_engine(f"sqlite:///{single}")
    with make_sessionmaker(engine_one)() as session:
        (only,) = list_loads(session)
    assert waiting == only.n_open  # the sites' lists add up to the trust's
    assert loads["RDZ"].n_patients < only.n_patients  # each site keeps only its own patients
    engine.dispose()
    engine_one.dispose()


def test_keep_bounds_the_census_dates_kept(extract: tuple[Path, Path], tmp_path: Path) -> None:
    events, patients = extract
    db = tmp_path / "trust.db"
    for days in (0, 7, 14):
        result = _load(events, patients, db, CENSUS + dt.timedelta(days=days), "--keep", "2")
        assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{db}")
    with make_sessionmaker(engine)() as session:
        dates = [load.census_date for load in list_loads(session)]
    assert dates == [CENSUS + dt.timedelta(days=14), CENSUS + dt.timedelta(days=7)]
    engine.dispose()


def test_users_from_the_command_line_are_audited(tmp_path: Path) -> None:
    db = str(tmp_path / "trust.db")
    password = "correct horse battery"
    created = runner.invoke(
        app, ["users", "create", "jsmith", "--role", "admin", "--full-name", "Jo Smith", "--password-stdin",
              "--database", db], input=password + "\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    again = runner.invoke(
        app, ["users", "create", "jsmith", "--role", "ptl", "--password-stdin", "--database", db],
        input=password + "\n",
    )  # fmt: skip
    assert again.exit_code == 2 and "already exists" in again.stderr
    short = runner.invoke(
        app, ["users", "create", "kb", "--role", "viewer", "--password-stdin", "--database", db], input="x\n"
    )
    assert short.exit_code == 2
    weak = runner.invoke(
        app, ["users", "create", "abcdefghijklm", "--role", "viewer", "--password-stdin", "--database", db],
        input="abcdefghijklm\n",
    )  # fmt: skip
    assert weak.exit_code == 2 and "must not be the username" in weak.stderr
    role = runner.invoke(
        app, ["users", "create", "kim", "--role", "owner", "--password-stdin", "--database", db], input=password
    )
    assert role.exit_code == 2 and "--role must be one of" in role.stderr

    listed = runner.invoke(app, ["users", "list", "--database", db, "--format", "json"])
    users = json.loads(listed.stdout)
    assert [(u["username"], u["role"], u["active"]) for u in users] == [("jsmith", "admin", True)]
    assert "hash" not in listed.stdout and password not in listed.stdout

    assert runner.invoke(app, ["users", "disable", "jsmith", "--database", db]).exit_code == 0
    reset = runner.invoke(
        app, ["users", "reset-password", "jsmith", "--password-stdin", "--database", db],
        input="another long passphrase\n",
    )  # fmt: skip
    assert reset.exit_code == 0, reset.output
    missing = runner.invoke(app, ["users", "disable", "nobody", "--database", db])
    assert missing.exit_code == 2 and "no user called nobody" in missing.stderr

    engine = make_engine(f"sqlite:///{db}")
    with make_sessionmaker(engine)() as session:
        user = get_user_by_username(session, "jsmith")
        assert user is not None and not user.is_active
        assert verify_password(user.password_hash, "another long passphrase")
        _, audit = list_audit(session, object_type="user")
        assert [e.action for e in audit][::-1] == ["create_user", "disable_user", "reset_password"]
        assert all(e.username.startswith("cli:") for e in audit)
        assert all("passphrase" not in (e.detail or "") for e in audit)
    engine.dispose()


def test_without_a_terminal_or_stdin_flag_the_password_is_not_guessed(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["users", "create", "jsmith", "--role", "admin", "--database", str(tmp_path / "t.db")]
    )
    assert result.exit_code == 2 and "--password-stdin" in result.stderr


def test_a_load_with_bookings_stores_what_is_booked(tmp_path: Path) -> None:
    from carebacklog.synth import demo_trust

    trust = demo_trust(8, scale=0.03, bookings=True)
    for name, frame in (("events", trust.events), ("patients", trust.patients), ("bookings", trust.bookings)):
        frame.write_csv(tmp_path / f"{name}.csv")
    db = tmp_path / "trust.db"
    args = ["load", str(tmp_path / "events.csv"), "--patients", str(tmp_path / "patients.csv"),
            "--bookings", str(tmp_path / "bookings.csv"), "--census-date", CENSUS.isoformat(), "--database", str(db)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{db}")
    with make_sessionmaker(engine)() as session:
        (load,) = list_loads(session)
    stored = ptl_frame(engine, load.id)
    engine.dispose()
    assert 0 < stored["booked"].sum() < stored.height and stored["booked_after_breach"].sum() > 0
    again = runner.invoke(app, args)
    assert "unchanged" in again.stdout  # the bookings file is part of the fingerprint
    (tmp_path / "bookings.csv").write_text(trust.bookings.head(5).write_csv())
    changed = runner.invoke(app, args)
    assert "replaced" in changed.stdout
