"""carebacklog.synth: synthetic trusts (patients + events) calibrated to a published RTT month.

Public API:

- :func:`synthesise_trust` (extract, provider_code, census_date, *, rng, scale=1.0, imd_gap_weeks=0.0,
  data_errors=0.0)
  -> :class:`SynthTrust` with ``.events`` and ``.patients`` in the input contract (docs/rules-rtt.md
  §Input contract). The clock engine run on ``.events`` at the census date gives back the published
  Part_2 bands per treatment function, Part_1A / 1B completions, Part_3 new periods and the Part_2A share.
- :func:`demo_trust` (seed=...) -> the demo trust: RBD (Dorset County Hospital NHS FT), November 2024,
  from the bundled published extract; :func:`demo_extract` that extract (tidy table of ``read_rtt``).
- :func:`write_trust` -> write ``events`` and ``patients`` tables (Parquet or CSV) to a directory.
- :func:`calibration_report`, :func:`data_issues`: the round-trip check through the clock engine.
- :func:`group_of_treatment_function`: published RTT group of a treatment function code we record.

Assumptions and sources: :mod:`carebacklog.synth.assumptions` and docs/synth.md.

The names are listed once, in ``__init__.pyi``, and loaded on first use (``carebacklog._lazy``).
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
