"""carebacklog.booking: booking policies and patient-level simulation of a waiting list.

Public API:

- :class:`Scenario` (with :class:`Specialty`, :class:`ExtraSessions`, :class:`StrikeDays`,
  :class:`AssessmentCentre`): the validated scenario contract; ``Scenario.model_json_schema()``.
- Policies: :class:`Fifo`, :class:`PriorityThenChronological`, :class:`RingFenced`,
  :class:`EquityWeighted`, :class:`CustomScore` (any ``fn(view) -> scores``), :func:`get_policy` by name
  (:data:`POLICY_NAMES`); :class:`PoolView` is what a scoring function sees.
- :func:`simulate` -> :class:`SimulationRun`: one daily simulation from a PTL snapshot (or empty) with a
  seeded ``numpy.random.Generator``; :func:`run_measures` turns a run into weekly, waits (by priority and
  equity group), breaches and summary tables.
- :func:`run_replications` -> :class:`SimulationResult`, :func:`compare_policies` and
  :func:`compare_scenarios` -> :class:`PolicyComparison` (the web app's scenario page): replications in
  parallel, common random numbers across policies and scenarios, 95% intervals.
- :func:`read_starting_list`, :func:`load_scenario`, :func:`scenario_from_list`,
  :func:`complete_scenario` (specialties a scenario leaves out are read off the list): inputs at the edge;
  :func:`comparison_chart`: PNG/SVG chart.
- Validation: :func:`simulate_mmc` -> :class:`ContinuousRun` (continuous-time M/M/c with the same
  policies) and the theory it is checked against: :func:`mm1`, :func:`mmc`, :func:`erlang_c`,
  :func:`priority_mmc_waits` (-> :class:`QueueTheory`).
"""

from carebacklog.booking.charts import comparison_chart
from carebacklog.booking.continuous import ContinuousRun, simulate_mmc
from carebacklog.booking.engine import SimulationRun, simulate
from carebacklog.booking.inputs import (
    InputError,
    StartingList,
    complete_scenario,
    load_scenario,
    read_starting_list,
    scenario_from_list,
)
from carebacklog.booking.metrics import run_measures
from carebacklog.booking.policies import (
    POLICY_NAMES,
    BookingPolicy,
    CustomScore,
    EquityWeighted,
    Fifo,
    PoolView,
    PriorityThenChronological,
    RingFenced,
    get_policy,
)
from carebacklog.booking.runner import (
    PolicyComparison,
    SimulationResult,
    compare_policies,
    compare_scenarios,
    run_replications,
)
from carebacklog.booking.scenario import (
    DUE_DAYS,
    PRIORITY_CODES,
    AssessmentCentre,
    ExtraSessions,
    Scenario,
    Specialty,
    StrikeDays,
)
from carebacklog.booking.theory import QueueTheory, erlang_c, mm1, mmc, priority_mmc_waits

__all__ = [
    "DUE_DAYS",
    "POLICY_NAMES",
    "PRIORITY_CODES",
    "AssessmentCentre",
    "BookingPolicy",
    "ContinuousRun",
    "CustomScore",
    "EquityWeighted",
    "ExtraSessions",
    "Fifo",
    "InputError",
    "PolicyComparison",
    "PoolView",
    "PriorityThenChronological",
    "QueueTheory",
    "RingFenced",
    "Scenario",
    "SimulationResult",
    "SimulationRun",
    "Specialty",
    "StartingList",
    "StrikeDays",
    "compare_policies",
    "compare_scenarios",
    "comparison_chart",
    "complete_scenario",
    "erlang_c",
    "get_policy",
    "load_scenario",
    "mm1",
    "mmc",
    "priority_mmc_waits",
    "read_starting_list",
    "run_measures",
    "run_replications",
    "scenario_from_list",
    "simulate",
    "simulate_mmc",
]
