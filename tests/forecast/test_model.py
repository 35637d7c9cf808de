"""The stock-flow model: conservation, no negative stocks, analytic steady state, monotone in capacity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from carebacklog.forecast.bins import Bins, compact_bins, monthly_bins, weekly_bins
from carebacklog.forecast.model import project, step

B = 12
stocks = arrays(np.float64, (3, B), elements=st.floats(0, 1e4))
rates = arrays(np.float64, (B,), elements=st.floats(0, 0.5))
props = arrays(np.float64, (B,), elements=st.floats(0, 1))


@settings(max_examples=80, deadline=None)
@given(stock=stocks, renege=rates, profile=props, starts=st.floats(0, 5e3), capacity=st.floats(0, 2e4),
       fence=st.floats(0, 1))
def test_one_step_conserves_pathways_and_never_goes_negative(stock, renege, profile, starts, capacity, fence):
    aging = monthly_bins(B - 1).aging_fraction(52 / 12)
    new, treated, reneged, unused = step(stock, np.full(3, starts), np.full(3, capacity), renege, profile, aging, fence)
    assert (new >= 0).all() and (treated >= 0).all() and (reneged >= -1e-12).all()
    change = new.sum(axis=1) - stock.sum(axis=1)
    flows = starts - treated.sum(axis=1) - reneged.sum(axis=1)
    assert np.allclose(change, flows, atol=1e-6 * (1 + stock.sum(axis=1) + starts))
    # capacity is either all used or everything treatable was treated
    assert np.allclose(treated.sum(axis=1) + unused, capacity, rtol=1e-9, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(stock=stocks, renege=rates, profile=props, extra=st.floats(1, 5e3))
def test_more_capacity_never_leaves_more_patients_in_any_bin(stock, renege, profile, extra):
    bins = monthly_bins(B - 1)
    steps = 6
    starts = np.full((3, steps), 800.0)
    base = project(stock, starts, np.full((3, steps), 500.0), renege, profile, bins, 52 / 12, np.arange(1, 7))
    more = project(stock, starts, np.full((3, steps), 500.0 + extra), renege, profile, bins, 52 / 12, np.arange(1, 7))
    assert (more.stock <= base.stock + 1e-6).all()
    counts = [0]  # list size (52+ and beyond are not measurable on 12 monthly bins)
    assert (more.measures[..., counts] <= base.measures[..., counts] + 1e-6).all()



def test_tiny_propensities_do_not_break_the_water_filling():
    """A propensity so small that 1/c overflows (θ = ∞) must still count as never saturating:
    Hypothesis found more capacity leaving more patients when such bins were given a finite θ."""
    bins = monthly_bins(B - 1)
    renege = np.zeros(B)
    renege[0] = 0.25
    profile = np.full(B, 5e-324)
    profile[0] = 1.0
    stock, starts = np.full((1, B), 9.0), np.full((1, 6), 800.0)
    base = project(stock, starts, np.full((1, 6), 500.0), renege, profile, bins, 52 / 12, np.arange(1, 7))
    more = project(stock, starts, np.full((1, 6), 601.0), renege, profile, bins, 52 / 12, np.arange(1, 7))
    assert (more.stock <= base.stock + 1e-9).all()
    assert more.treated[0, 0] == pytest.approx(601.0)


@settings(max_examples=60, deadline=None)
@given(stock=stocks, renege=rates, profile=props, capacity=st.floats(0, 2e4), fence=st.floats(0, 1))
def test_fast_and_exact_water_filling_agree(stock, renege, profile, capacity, fence):
    """The fast path (no bin saturates: T = λ·c·I) gives what the sorted water-filling gives."""
    from carebacklog.forecast import model

    weights = np.ascontiguousarray((profile[None, :] * stock).T)
    available = np.ascontiguousarray(((1 - renege)[None, :] * stock).T)
    thresholds = model._sort_thresholds(np.broadcast_to(renege, stock.shape).T, np.broadcast_to(profile, stock.shape).T)
    cap = np.full(stock.shape[0], capacity * (1 - fence))
    exact = model.allocate_treatments(available, weights, cap, thresholds.gather(), thresholds.theta_sorted)
    fast, totals = model._water_fill(available, weights.copy(), cap, thresholds)
    assert np.allclose(fast, exact, rtol=1e-9, atol=1e-6)
    assert np.allclose(totals, exact.sum(axis=0), rtol=1e-9, atol=1e-6)

def test_projection_conserves_over_many_steps_on_weekly_bins():
    rng = np.random.default_rng(3)
    bins = weekly_bins()
    stock = rng.uniform(0, 50, (4, bins.size))
    steps = 52
    starts = rng.uniform(100, 200, (4, steps))
    cap = rng.uniform(50, 250, (4, steps))
    p = project(stock, starts, cap, np.full(bins.size, 0.004), np.linspace(1, 0.2, bins.size), bins, 1.0,
                np.arange(4, 53, 4))
    change = p.measures[:, -1, 0] - stock.sum(axis=1)
    assert np.allclose(change, p.starts.sum(1) - p.treated.sum(1) - p.reneged.sum(1), rtol=1e-10)


def test_constant_rates_reach_the_analytic_steady_state():
    """S starts, capacity C < S, renege r and a flat profile: every bin survives with
    q = 1 - rS/(S - C), so W_b = S q^(b+1) and the open top bin holds S q^B / (1 - q)."""
    S, C, r = 100.0, 80.0, 0.01
    bins = weekly_bins(300)
    p = project(np.zeros((1, bins.size)), np.full((1, 3000), S), np.full((1, 3000), C),
                np.full(bins.size, r), np.ones(bins.size), bins, 1.0, np.array([3000]))
    q = 1 - r * S / (S - C)
    expected = S * q ** (np.arange(bins.size) + 1)
    expected[-1] = S * q**bins.size / (1 - q)
    assert np.allclose(p.stock[0], expected, rtol=1e-6, atol=1e-9)
    # Little's law at steady state: list = arrivals × mean time in system
    assert p.stock[0].sum() == pytest.approx(S * q / (1 - q), rel=1e-6)


def test_weekly_bins_reproduce_published_18_and_52_week_counts():
    bins = weekly_bins()
    w = bins.measure_weights()
    assert w[:18, 1].sum() == 18 and w[18:, 1].sum() == 0  # bands 0-17 are within 18 weeks
    assert w[52:, 2].sum() == bins.size - 52 and w[:52, 2].sum() == 0  # bands 52+ are over 52 weeks


def test_monthly_bins_interpolate_18_weeks_and_cannot_see_65_weeks():
    bins = monthly_bins(12)
    w = bins.measure_weights()
    assert w[:4, 1].tolist() == [1, 1, 1, 1]
    assert w[4, 1] == pytest.approx((18 - 4 * 52 / 12) / (52 / 12))
    assert w[12, 2] == 1 and w[11, 2] == 0
    assert np.isnan(w[:, 3]).all()


def test_rebin_keeps_patients_and_compact_bins_keep_thresholds_exact():
    weekly = weekly_bins()
    counts = np.arange(weekly.size, dtype=float)
    compact = weekly.rebin(counts, compact_bins())
    assert compact.sum() == pytest.approx(counts.sum())
    cw = compact_bins().measure_weights()
    assert compact @ cw[:, 1] == pytest.approx(counts[:18].sum())
    assert compact @ cw[:, 2] == pytest.approx(counts[52:].sum())


def test_bins_refuse_bad_edges_and_too_long_steps():
    with pytest.raises(ValueError):
        Bins(np.array([1.0, 2.0]))
    with pytest.raises(ValueError):
        weekly_bins().aging_fraction(2.0)
