"""carebacklog: RTT clock engine, PTL, NHS England returns, forecasts and booking simulation.

Capabilities live in one sub-package each, named in the domain's words:

- :mod:`carebacklog.rtt`        events in, RTT periods, PTL snapshot, booking order, explanations out
- :mod:`carebacklog.published`  NHS England's published RTT files: readers, headline measures, returns, checks
- :mod:`carebacklog.equity`     health-inequality breakdowns of a patient-level PTL
- :mod:`carebacklog.spc`        statistical process control (Making Data Count XmR charts)
- :mod:`carebacklog.synth`      synthetic trusts calibrated to a published month
- :mod:`carebacklog.forecast`   queueing calculators, stock-flow model, optimiser, back-tests, sweeps
- :mod:`carebacklog.booking`    booking-policy simulation
- :mod:`carebacklog.store`      database schema (SQLite / PostgreSQL)
- :mod:`carebacklog.trust`      a trust's own database: loading its extract as snapshots, changes, users
- :mod:`carebacklog.web`        FastAPI web app and JSON API

``import carebacklog`` lists them (``dir(carebacklog)``, ``__all__``) and loads each on first use
(``carebacklog.rtt.read_events(...)`` works after a bare ``import carebacklog``), so this top level stays
light and the CLI starts fast. The list is ``__init__.pyi``; docs/architecture.md says what each owns.
"""

from carebacklog._lazy import attach_stub

__version__ = "0.1.0"
__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
