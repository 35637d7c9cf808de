"""``carebacklog load``, ``snapshots``, ``changes`` and ``users``: a trust's own database, day to day.

Every command takes ``--database`` (a SQLAlchemy URL or a SQLite file path), else ``DATABASE_URL``, else
``./var/carebacklog.db``; the schema is created or migrated first. See docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carebacklog.clikit import (
    CensusDateOpt,
    FormatOpt,
    LimitOpt,
    OutOpt,
    QuarantineOpt,
    emit,
    fail,
    parse_date,
    report,
    resolve_format,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

__all__ = [
    "changes",
    "load",
    "register",
    "snapshots",
    "users_create",
    "users_disable",
    "users_enable",
    "users_list",
    "users_reset_password",
]

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="SQLAlchemy URL or SQLite file [default: DATABASE_URL, else ./var/carebacklog.db].",
        show_default=False,
    ),
]
ProviderOpt = Annotated[
    str | None,
    typer.Option("--provider", help="Provider (ODS) code [default: the only one, or the newest loaded]."),
]


def _engine(database: str | None) -> Engine:
    from carebacklog.store import database_url, make_engine, migrate

    engine = make_engine(database_url(database))
    migrate(engine)
    return engine


def _operator() -> str:
    """Who is running the command, as the audit log records it (``cli:<login name>``)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (some containers)
        return "cli:unknown"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def load(
    events: Annotated[Path, typer.Argument(help="Events CSV or Parquet (docs/architecture.md).", show_default=False)],
    census_date: CensusDateOpt = None,
    patients: Annotated[Path | None, typer.Option("--patients", help="Patients CSV or Parquet.")] = None,
    bookings: Annotated[
        Path | None, typer.Option("--bookings", help="Bookings CSV or Parquet (appointments, TCI dates).")
    ] = None,
    database: DatabaseOpt = None,
    quarantine: QuarantineOpt = None,
    keep: Annotated[
        int | None,
        typer.Option("--keep", min=1, help="Census dates kept per provider (the oldest go) [default: all]."),
    ] = None,
) -> None:
    """Load a trust's extract: one snapshot per provider and census date, with its provenance."""
    from carebacklog.trust.load import load_extract

    census = parse_date(census_date, required=True)
    assert census is not None
    engine = _engine(database)
    try:
        outcomes = load_extract(
            engine, events, census_date=census, patients=patients, bookings=bookings, quarantine=quarantine,
            loaded_by=_operator(), now=_now(), keep=keep, report=report,
        )  # fmt: skip
    finally:
        engine.dispose()
    import polars as pl

    table = pl.DataFrame(
        [
            {
                "provider": o.provider_code, "name": o.provider_name, "census_date": o.census_date,
                "snapshot": o.load_id, "status": o.status, "waiting": o.waiting, "events": o.events,
                "periods": o.periods,
            }
            for o in outcomes
        ]
    )  # fmt: skip
    emit(table, resolve_format(None, None), None)
    for outcome in outcomes:
        if outcome.status == "unchanged":
            report(
                f"{outcome.provider_code}: these files were already loaded at {census.isoformat()} "
                f"(snapshot {outcome.load_id}); nothing changed"
            )


def _provider(engine: Engine, provider: str | None) -> str:
    from carebacklog.store import current_load, make_sessionmaker

    with make_sessionmaker(engine)() as db:
        load = current_load(db, provider)
    if load is None:
        fail(f"no snapshot of {provider} is loaded" if provider else "nothing is loaded yet: run carebacklog load")
    return load.provider_code


def snapshots(
    provider: ProviderOpt = None,
    database: DatabaseOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """A provider's snapshots: census dates, headline measures and where each came from."""
    import polars as pl

    from carebacklog.store import list_loads, make_sessionmaker, snapshot_headlines

    chosen = resolve_format(fmt, out)
    engine = _engine(database)
    try:
        code = _provider(engine, provider)
        headlines = snapshot_headlines(engine, code)
        with make_sessionmaker(engine)() as db:
            loads = list_loads(db, code)
    finally:
        engine.dispose()
    origin = pl.DataFrame(
        [
            {
                "load_id": x.id, "loaded_at": x.loaded_at.isoformat(timespec="seconds"), "file_name": x.file_name,
                "file_sha256": x.file_sha256, "rows_read": x.rows_read, "rows_rejected": x.rows_rejected,
                "loaded_by": x.loaded_by,
            }
            for x in loads
        ],
        schema={
            "load_id": pl.Int64, "loaded_at": pl.String, "file_name": pl.String, "file_sha256": pl.String,
            "rows_read": pl.Int64, "rows_rejected": pl.Int64, "loaded_by": pl.String,
        },
    )  # fmt: skip
    table = headlines.join(origin, on="load_id", how="left").rename({"load_id": "snapshot"})
    if chosen.value == "table":
        table = table.drop("file_sha256", "over_104", "with_dta")
    emit(table, chosen, out, footer=[f"{table.height} snapshot(s) of {code}"])


def changes(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Census date to compare with (YYYY-MM-DD) [default: the snapshot before]."),
    ] = None,
    provider: ProviderOpt = None,
    horizon: Annotated[
        int, typer.Option("--horizon-weeks", min=0, max=104, help="Look-ahead for pathways about to breach.")
    ] = 4,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only these kinds (joined, stopped, removed, moved_band, will_breach)."),
    ] = None,
    database: DatabaseOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
    limit: LimitOpt = 50,
) -> None:
    """What changed on the PTL since an earlier snapshot: joined, stopped, removed, moved band, about to breach."""
    import polars as pl

    from carebacklog.trust.changes import CHANGE_KINDS
    from carebacklog.trust.history import compare_snapshots

    chosen = resolve_format(fmt, out)
    unknown = sorted(set(kind or ()) - set(CHANGE_KINDS))
    if unknown:
        fail(f"--kind must be one of {', '.join(CHANGE_KINDS)}, not {', '.join(unknown)}")
    since_date = parse_date(since, "--since")
    engine = _engine(database)
    try:
        code = _provider(engine, provider)
        comparison = compare_snapshots(engine, code, since=since_date, horizon_weeks=horizon)
    except LookupError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    table = comparison.changes
    if kind:
        table = table.filter(pl.col("kind").is_in(kind))
    if chosen.value == "table":
        table = table.drop("patient_id", "booking_rank")
    footer = [
        f"{code}: {comparison.before.census_date.isoformat()} → {comparison.after.census_date.isoformat()}: "
        + comparison.summary.line()
    ]
    emit(table, chosen, out, limit=limit, footer=footer)


# --- users --------------------------------------------------------------------------------------------

RoleOpt = Annotated[str, typer.Option("--role", help="admin, ptl (patient level) or viewer (aggregates).")]
PasswordStdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input (one line).")
]


def _password(username: str, from_stdin: bool) -> str:
    from carebacklog.store import password_problem

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        fail("no terminal to prompt for the password: give --password-stdin and pipe it in")
    problem = password_problem(password, username)
    if problem:
        fail(problem)
    return password


def _audit(db: Session, action: str, username: str, detail: dict[str, object]) -> None:
    from carebacklog.store import record_audit

    record_audit(
        db, user=None, actor=_operator(), action=action, object_type="user", object_id=username,
        detail=detail, now=_now(),
    )  # fmt: skip


def users_create(
    username: Annotated[str, typer.Argument(help="Login name (letters, digits, . _ @ -).", show_default=False)],
    role: RoleOpt,
    full_name: Annotated[str | None, typer.Option("--full-name", help="Name shown in the app.")] = None,
    password_stdin: PasswordStdinOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Create a user (the first administrator of a new database, for instance)."""
    import re

    from carebacklog.store import ROLES, create_user, get_user_by_username, make_sessionmaker, session_scope

    if not re.fullmatch(r"[A-Za-z0-9._@-]{3,80}", username):
        fail("the username must be 3 to 80 letters, digits or . _ @ -")
    if role not in ROLES:
        fail(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    password = _password(username, password_stdin)
    engine = _engine(database)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            if get_user_by_username(db, username) is not None:
                fail(f"a user called {username} already exists (use users reset-password or users enable)")
            create_user(db, username=username, password=password, role=role, full_name=full_name or username, now=_now())
            _audit(db, "create_user", username, {"role": role})
    finally:
        engine.dispose()
    report(f"created {username} ({role})")


def users_list(database: DatabaseOpt = None, out: OutOpt = None, fmt: FormatOpt = None) -> None:
    """Every user: role, whether active, when created (never a password hash)."""
    import polars as pl

    from carebacklog.store import list_users, make_sessionmaker

    chosen = resolve_format(fmt, out)
    engine = _engine(database)
    try:
        with make_sessionmaker(engine)() as db:
            rows = [
                {"username": u.username, "full_name": u.full_name, "role": u.role, "active": u.is_active,
                 "created_at": u.created_at.isoformat(timespec="seconds")}
                for u in list_users(db)
            ]  # fmt: skip
    finally:
        engine.dispose()
    schema = {"username": pl.String, "full_name": pl.String, "role": pl.String, "active": pl.Boolean,
              "created_at": pl.String}  # fmt: skip
    emit(pl.DataFrame(rows, schema=schema), chosen, out, footer=[f"{len(rows)} user(s)"])


def _change_user(username: str, database: str | None, action: str, **changes: object) -> None:
    from carebacklog.store import get_user_by_username, make_sessionmaker, session_scope, update_user

    engine = _engine(database)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            user = get_user_by_username(db, username)
            if user is None:
                fail(f"no user called {username}")
            update_user(db, user, **changes)  # type: ignore[arg-type]
            _audit(db, action, username, {k: v for k, v in changes.items() if k != "password"})
    finally:
        engine.dispose()


def users_disable(
    username: Annotated[str, typer.Argument(show_default=False)], database: DatabaseOpt = None
) -> None:
    """Stop a user signing in (their sessions end now); the audit log keeps their history."""
    _change_user(username, database, "disable_user", is_active=False)
    report(f"disabled {username}")


def users_enable(
    username: Annotated[str, typer.Argument(show_default=False)], database: DatabaseOpt = None
) -> None:
    """Let a disabled user sign in again."""
    _change_user(username, database, "enable_user", is_active=True)
    report(f"enabled {username}")


def users_reset_password(
    username: Annotated[str, typer.Argument(show_default=False)],
    password_stdin: PasswordStdinOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Set a new password (their sessions end now)."""
    password = _password(username, password_stdin)
    _change_user(username, database, "reset_password", password=password)
    report(f"new password set for {username}")


def register(app: typer.Typer, users_app: typer.Typer) -> None:
    """Add ``load``, ``snapshots`` and ``changes`` to the root command and the ``users`` commands to theirs."""
    app.command("load")(load)
    app.command("snapshots")(snapshots)
    app.command("changes")(changes)
    users_app.command("create")(users_create)
    users_app.command("list")(users_list)
    users_app.command("disable")(users_disable)
    users_app.command("enable")(users_enable)
    users_app.command("reset-password")(users_reset_password)
