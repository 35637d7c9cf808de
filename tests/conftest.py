"""Test tiers: ``slow`` marks the tests that take seconds each, so ``./run test --fast`` (``-m "not slow"``)
runs the rest in under two minutes while ``./run test`` runs everything.

A test file may mark its own tests (``@pytest.mark.slow`` or ``pytestmark = pytest.mark.slow``); the tests
listed here were measured (``pytest --durations``) at two seconds or more on the 2-core machine, or sit in a
module whose shared fixture takes that long, and are marked from this one place. Browser tests are always
slow (they start Chromium).
"""

from __future__ import annotations

import warnings

import pytest

#: Node-id prefixes of slow tests: a whole module (``path``) or one test (``path::name``, every parameter).
SLOW: tuple[str, ...] = (
    # whole modules: a heavy shared fixture, or every test in them takes seconds
    "tests/published/test_agreement_2014_15.py",  # reads the 18 commissioner workbooks (~100 s setup)
    "tests/published/test_national_agreement.py",
    "tests/synth/test_many.py",
    "tests/synth/test_cli.py",
    "tests/rtt/test_properties.py",
    "tests/booking/test_validation.py",
    "tests/forecast/test_sweep.py",
    "tests/web/test_browser.py",
    # single tests
    "tests/test_readme.py::test_readme_first_session_runs_and_prints_the_published_national_figures",
    "tests/published/test_cli.py::test_measures_table_over_several_files_and_parts",
    "tests/published/test_docs.py::test_docs_example_runs",
    "tests/published/test_checks.py::test_january_2026_national_file",
    "tests/published/test_checks.py::test_a_single_part_workbook_is_checked_without_false_cross_part_alarms",
    "tests/published/test_checks.py::test_every_row_of_the_national_file_adds_up",
    "tests/published/test_measures.py::test_groupings_add_up_and_percentiles_are_ordered",
    "tests/synth/test_properties.py::test_any_consistent_month_round_trips_exactly",
    "tests/synth/test_calibration.py::test_national_providers_round_trip",
    "tests/booking/test_policies.py::test_replications_in_worker_processes_give_the_same_answer",
    "tests/booking/test_cli.py::test_all_policies_weekly_csv_and_a_chart",
    "tests/booking/test_docs_and_demo.py::test_every_policy_runs_on_the_demo_trust_with_the_documented_scenario",
    "tests/spc/test_xmr.py::test_rebased_chart_draws_each_segments_mean_and_limits",
    "tests/web/test_authorisation.py::test_viewers_can_open_aggregate_pages",
    "tests/web/test_aggregates.py::test_national_figures_match_the_published_extract",
    "tests/web/test_security.py::test_login_is_rate_limited",
    "tests/web/test_security.py::test_request_log_has_route_templates_not_patient_identifiers",
    "tests/web/test_security.py::test_sessions_expire",
    "tests/web/test_forecast.py::test_more_capacity_shortens_waits",
    "tests/web/test_forecast.py::test_forecast_api_gives_ranges_and_a_recommendation",
    "tests/web/test_web_cli.py::test_demo_builds_loads_and_prints_logins",
)


def _matches(nodeid: str, prefix: str) -> bool:
    if "::" not in prefix:
        return nodeid.startswith(prefix + "::")
    return nodeid == prefix or nodeid.startswith((prefix + "[", prefix + "::"))


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    used: set[str] = set()
    for item in items:
        hit = [prefix for prefix in SLOW if _matches(item.nodeid, prefix)]
        used.update(hit)
        if hit or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
    # A whole-suite run that no longer finds a listed test says so (a rename would drop it to the fast tier).
    if config.args in ([], ["tests"], [str(config.rootpath / "tests")]):
        for prefix in sorted(set(SLOW) - used):
            warnings.warn(f"tests/conftest.py SLOW lists {prefix}, which no longer exists", stacklevel=1)
