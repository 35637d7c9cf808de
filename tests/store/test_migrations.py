"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from carebacklog.store import migrate
from carebacklog.store.models import Base


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_migrating_twice_is_harmless(engine: Engine) -> None:
    migrate(engine)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0004"


def test_a_database_from_before_snapshots_upgrades_with_its_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A trust that loaded under revision 0001 keeps its load, with empty provenance, after upgrading; its
    rows move into snapshot parts (and read back the same)."""
    import datetime as dt

    from sqlalchemy import text

    from carebacklog.store import current_load, make_engine, make_sessionmaker, pathway_events, ptl_frame

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO loads (provider_code, provider_name, census_date, loaded_at, source, n_events,"
                " n_patients, n_periods, n_open) VALUES ('RBD', 'Dorset', '2024-11-30', :at, 'import', 1, 1,"
                " 1, 1)"
            ),
            {"at": dt.datetime(2024, 12, 1, tzinfo=dt.UTC)},
        )
        conn.execute(
            text(
                "INSERT INTO events (load_id, event_id, pathway_id, patient_id, provider_code, treatment_function,"
                " event_date, activity, rtt_status) VALUES (1, 'e1', 'PW1', 'P1', 'RBD', '110', '2024-10-01',"
                " 'referral', 10)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO ptl_entries (load_id, pathway_id, period, patient_id, treatment_function, clock_start,"
                " has_dta, days_waited, weeks_waited, breach_18_date, breach_52_date, breach_65_date,"
                " breach_78_date, breach_104_date, booking_rank) VALUES (1, 'PW1', 1, 'P1', '110', '2024-10-01',"
                " 0, 60, 8, '2025-02-04', '2025-09-30', '2025-12-30', '2026-03-31', '2026-09-29', 1)"
            )
        )
    migrate(engine)
    with make_sessionmaker(engine)() as db:
        load = current_load(db)
        assert load is not None and load.provider_code == "RBD" and load.file_sha256 is None
        assert (load.n_within_18, load.n_over_52) == (1, 0)
    events = pathway_events(engine, load.id, "PW1")
    assert events["event_date"].to_list() == [dt.date(2024, 10, 1)] and events["rtt_status"].to_list() == [10]
    ptl = ptl_frame(engine, load.id)
    assert ptl["weeks_waited"].to_list() == [8] and ptl["has_dta"].to_list() == [False]
    assert "events" not in inspect(engine).get_table_names()
    engine.dispose()
