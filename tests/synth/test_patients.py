"""Patients: demographic mixes by specialty, and an injected deprivation gap the equity measures can find."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carebacklog.rtt import build_periods, ptl_snapshot
from carebacklog.synth import SynthTrust, demo_trust
from carebacklog.synth.patients import solve_imd_tilt

CENSUS = dt.date(2024, 11, 30)


@pytest.fixture(scope="module")
def trust() -> SynthTrust:
    return demo_trust(seed=8)


def _first_tf(trust: SynthTrust) -> pl.DataFrame:
    return (
        trust.events.group_by("patient_id")
        .agg(pl.col("treatment_function").first())
        .join(trust.patients, on="patient_id")
    )


def test_every_patient_has_valid_attributes(trust: SynthTrust) -> None:
    p = trust.patients
    assert set(trust.events["patient_id"].unique().to_list()) == set(p["patient_id"].to_list())
    assert p["imd_decile"].is_between(1, 10).all()
    assert set(p["sex"].unique().to_list()) == {"F", "M"}
    assert set(p["ethnic_category"].unique().to_list()) <= set("ABCDEFGHJKLMNPRSZ")
    assert (p["birth_date"] <= CENSUS).all()
    white_british = (p["ethnic_category"] == "A").mean()
    assert 0.65 < white_british < 0.75  # ONS Census 2021 England: 73.5% of those stating, 5% not stated


def test_gynaecology_is_female_and_paediatrics_children(trust: SynthTrust) -> None:
    joined = _first_tf(trust).with_columns(
        age=(pl.lit(CENSUS) - pl.col("birth_date")).dt.total_days() / 365.25
    )
    gynae = joined.filter(pl.col("treatment_function") == "502")
    assert gynae.height > 100 and (gynae["sex"] == "F").all()
    paeds = joined.filter(pl.col("treatment_function").is_in(["171", "214", "215", "216", "321", "421"]))
    assert paeds.height > 0 and (paeds["age"] < 18).all()
    urology = joined.filter(pl.col("treatment_function") == "101")
    assert (urology["sex"] == "M").mean() > 0.6


def _quintile_gap(trust: SynthTrust) -> float:
    ptl = ptl_snapshot(build_periods(trust.events, CENSUS), CENSUS, trust.patients)
    by_q = ptl.group_by("imd_quintile").agg((pl.col("days_waited").mean() / 7).alias("weeks"))
    weeks = dict(by_q.iter_rows())
    return float(weeks[1] - weeks[5])


def test_injected_imd_gap_is_found_on_the_ptl() -> None:
    gapped = demo_trust(seed=8, imd_gap_weeks=6.0)
    assert _quintile_gap(gapped) == pytest.approx(6.0, abs=1.5)
    # Also when patients hold several pathways: the tilt is solved over pathways, by patient.
    shared = demo_trust(seed=8, imd_gap_weeks=6.0, shared_patients=0.16)
    assert _quintile_gap(shared) == pytest.approx(6.0, abs=1.5)


def test_no_gap_by_default(trust: SynthTrust) -> None:
    assert abs(_quintile_gap(trust)) < 1.5


def test_tilt_solves_for_requested_gap_and_refuses_impossible_ones() -> None:
    weeks = np.linspace(0, 52, 2000)
    beta = solve_imd_tilt(weeks, 5.0)
    assert beta > 0
    assert solve_imd_tilt(weeks, -5.0) < 0
    with pytest.raises(ValueError, match="at most"):
        solve_imd_tilt(weeks, 500.0)


def test_one_patient_per_pathway_by_default(trust: SynthTrust) -> None:
    per_patient = trust.events.group_by("patient_id").agg(pl.col("pathway_id").n_unique().alias("n"))
    # Only the earlier pathway behind a consultant referral (status 12) shares its patient.
    twelves = trust.events.filter(pl.col("rtt_status") == 12).height
    assert per_patient.filter(pl.col("n") > 1).height == twelves


def test_shared_patients_wait_on_more_than_one_pathway_in_compatible_services() -> None:
    from carebacklog.synth.assumptions import SHARED_PATIENT_SHARE

    shared = demo_trust(seed=8, shared_patients=SHARED_PATIENT_SHARE)
    assert shared.patients.height == shared.events["patient_id"].n_unique()
    per_patient = shared.events.group_by("patient_id").agg(
        pl.col("pathway_id").n_unique().alias("pathways"),
        pl.col("treatment_function").unique().alias("tfs"),
    )
    ratio = per_patient["pathways"].sum() / per_patient.height
    assert 1.12 < ratio < 1.3  # NHS England: about 1.19 pathways per patient on the waiting list
    children = {"171", "214", "215", "216", "321", "421"}
    for tfs in per_patient.filter(pl.col("pathways") > 1)["tfs"].to_list():
        kinds = {
            "child" if t in children else "gynae" if t == "502" else "elderly" if t == "430" else "adult"
            for t in tfs
        }
        assert len(kinds) == 1, tfs
