"""Forecasts and recovery planning for RTT waiting lists (docs/forecast.md).

Public API — the names the web app, the CLI and other packages use:

Queueing calculators (docs/rules-rtt.md §Waiting-list dynamics, weeks throughout)
    :func:`queue_plan` (all at once, → :class:`QueuePlan`), :func:`factor_from_percentile`,
    :func:`queue_load`, :func:`target_mean_wait`, :func:`target_queue_size`, :func:`relief_capacity`,
    :func:`target_capacity` (Kingman, with the /2), :func:`waiting_list_pressure`.

Model inputs (a :class:`Calibration` for one or many lists)
    :func:`inputs_from_tidy` — published extracts read by ``carebacklog.published.read_rtt`` (weekly bins).
    :func:`inputs_from_series` / :func:`read_series` — the bundled 13-month monthly-bin series.
    :func:`inputs_from_ptl` — a trust's own ``ptl_snapshot`` frame plus its RTT periods (or two monthly
    numbers): the entry point for the web app's forecast page.
    :func:`load_observations` + :func:`calibrate` — files (CLI FILE arguments) → :class:`Observations`
    → :class:`Calibration`.

Projection and planning
    :func:`forecast` (seeded Monte Carlo, runs as an array axis; ``runs=0`` the central path) under a
    :class:`Scenario` (referral growth, capacity change, extra capacity, ring-fence) → :class:`Forecast`
    (``.to_frame()``: keys, ``month``, ``total``, ``pct_within_18``, ``over_52``/``65``/``78``/``104``,
    each with ``_p10``/``_p90``).
    :func:`plan_capacity` with :func:`parse_target` targets → :class:`CapacityPlan` (least extra clock
    stops a week, profile by month, projection, plain-English messages).
    :func:`backtest` — model, in-sample blend, naive and linear trend on held-out months.
    :func:`sweep` — every list of a national extract on Dask.
    :func:`projection_chart`, :func:`plan_chart` — PNG/SVG.

Model core (for those who build their own inputs)
    :class:`Bins` (:func:`weekly_bins`, :func:`monthly_bins`, :func:`compact_bins`), :func:`project`,
    :func:`step`, :data:`WEEKS_PER_MONTH`.

Web-app example::

    cal = inputs_from_ptl(ptl, census_date, periods=periods)           # or starts/stops per month
    fc = forecast(cal, 24, rng=np.random.default_rng(seed), runs=1000,
                  scenario=Scenario(referral_growth=0.03, capacity_change=-0.05))
    plan = plan_capacity(cal, [parse_target("pct18>=65@2026-03"), parse_target("pct18>=92@2029-03")])

The names are listed once, in ``__init__.pyi``, and loaded on first use (``carebacklog._lazy``).
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
