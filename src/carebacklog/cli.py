"""The ``carebacklog`` command.

Each capability registers its own commands (``register(app)`` in ``<package>/cli.py``, module-level
functions added to a group); this module only assembles the groups. Heavy imports (Polars, FastAPI, Dask)
happen inside the commands, so ``--help`` stays fast.

Errors: the root group (:class:`carebacklog.clikit.ErrorHandlingGroup`) turns any
:class:`carebacklog.errors.CarebacklogError` into ``error: <message>`` on stderr and its exit code, and an
output that cannot be written into exit code 3, never a traceback. The exit codes and the output-format
rules are documented in docs/cli.md.
"""

from __future__ import annotations

import typer

from carebacklog import __version__
from carebacklog.booking import cli as booking_cli
from carebacklog.clikit import ErrorHandlingGroup
from carebacklog.community import cli as community_cli
from carebacklog.equity import cli as equity_cli
from carebacklog.flow import cli as flow_cli
from carebacklog.forecast import cli as forecast_cli
from carebacklog.published import cli as published_cli
from carebacklog.published import returns_cli
from carebacklog.rtt import cli as rtt_cli
from carebacklog.spc import cli as spc_cli
from carebacklog.synth import cli as synth_cli
from carebacklog.trust import cli as trust_cli
from carebacklog.web import cli as web_cli

app = typer.Typer(
    name="carebacklog",
    cls=ErrorHandlingGroup,
    help="Tools for NHS care backlogs: RTT clocks and PTL, NHS England returns, forecasts, booking.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
rtt_app = typer.Typer(help="RTT clocks, PTL, published measures and returns.", no_args_is_help=True)
synth_app = typer.Typer(help="Synthetic trusts calibrated to published figures.", no_args_is_help=True)
forecast_app = typer.Typer(help="Projections, capacity plans, back-tests and sweeps.", no_args_is_help=True)
plan_app = typer.Typer(help="Queueing calculators for one waiting list.", no_args_is_help=True)
equity_app = typer.Typer(help="Health-inequality breakdowns of a patient-level PTL.", no_args_is_help=True)
spc_app = typer.Typer(help="Statistical process control charts (Making Data Count).", no_args_is_help=True)
community_app = typer.Typer(
    help="Community and mental-health waiting lists: CHS, Talking Therapies, patient-level waits.",
    no_args_is_help=True,
)
flow_app = typer.Typer(
    help="Urgent care and hospital flow: A&E, beds, diagnostics, cancellations; bed-flow simulation.",
    no_args_is_help=True,
)
users_app = typer.Typer(
    help="Users of the web app: create the first administrator, list, disable, reset passwords.",
    no_args_is_help=True,
)

app.add_typer(rtt_app, name="rtt")
app.add_typer(synth_app, name="synth")
app.add_typer(forecast_app, name="forecast")
app.add_typer(plan_app, name="plan")
app.add_typer(equity_app, name="equity")
app.add_typer(spc_app, name="spc")
app.add_typer(community_app, name="community")
app.add_typer(flow_app, name="flow")
app.add_typer(users_app, name="users")

rtt_cli.register(rtt_app)
published_cli.register(rtt_app)
returns_cli.register(rtt_app)
synth_cli.register(synth_app)
forecast_cli.register(forecast_app, plan_app)
equity_cli.register(equity_app)
spc_cli.register(spc_app)
community_cli.register(community_app)
flow_cli.register(flow_app)
booking_cli.register(app)
web_cli.register(app)
trust_cli.register(app, users_app)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
    ),
) -> None:
    """Tools for NHS care backlogs: RTT clocks and PTL, NHS England returns, forecasts, booking."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
