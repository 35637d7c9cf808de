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
        assert MigrationContext.configure(conn).get_current_revision() == "0002"


def test_a_database_from_before_snapshots_upgrades_with_its_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A trust that loaded under revision 0001 keeps its load, with empty provenance, after upgrading."""
    import datetime as dt

    from sqlalchemy import text

    from carebacklog.store import current_load, make_engine, make_sessionmaker

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
    migrate(engine)
    with make_sessionmaker(engine)() as db:
        load = current_load(db)
        assert load is not None and load.provider_code == "RBD" and load.file_sha256 is None
    engine.dispose()
