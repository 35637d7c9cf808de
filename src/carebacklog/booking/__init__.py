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
  :func:`compare_scenarios` -> :class:`PolicyComparison` (``carebacklog simulate``): replications in
  parallel, common random numbers across policies and scenarios, 95% intervals.
- :func:`read_starting_list`, :func:`load_scenario`, :func:`scenario_from_list`,
  :func:`complete_scenario` (specialties a scenario leaves out are read off the list): inputs at the edge;
  :func:`comparison_chart`: PNG/SVG chart.
- Validation: :func:`simulate_mmc` -> :class:`ContinuousRun` (continuous-time M/M/c with the same
  policies) and the theory it is checked against: :func:`mm1`, :func:`mmc`, :func:`erlang_c`,
  :func:`priority_mmc_waits` (-> :class:`QueueTheory`).

The names are listed once, in ``__init__.pyi``, and loaded on first use (``carebacklog._lazy``).
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
