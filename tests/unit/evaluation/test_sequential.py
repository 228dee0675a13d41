"""CUSUM charts: exact ARLs, thresholds from ARL0, restart after an alarm, detection and quiet streams."""

from __future__ import annotations

import random

import numpy as np
from scipy import stats

from llmops_evaluation.domain.sequential import (
    BernoulliCusum,
    MeanCusum,
    _lattice_arl,
    bernoulli_arl,
    bernoulli_chart,
    mean_chart,
)


def simulated_run_length(p: float, up: int, down: int, threshold: int, runs: int, seed: int) -> float:
    """Mean observations to an alarm from 0, by simulation (vectorised over runs)."""
    rng = np.random.default_rng(seed)
    statistic = np.zeros(runs, dtype=np.int64)
    stopped_at = np.zeros(runs, dtype=np.int64)
    alive = np.ones(runs, dtype=bool)
    step = 0
    while alive.any():
        step += 1
        events = rng.random(runs) < p
        statistic = np.where(events, statistic + up, np.maximum(0, statistic - down))
        hit = alive & (statistic >= threshold)
        stopped_at[hit] = step
        alive &= ~hit
    return float(stopped_at.mean())


def test_bernoulli_arl_is_exact_against_simulation() -> None:
    chart = bernoulli_chart(0.2, 1000, 0.1, 2000)
    for p in (0.3, 0.25):
        exact = bernoulli_arl(p, chart.up, chart.down, chart.threshold)
        simulated = simulated_run_length(p, chart.up, chart.down, chart.threshold, runs=3000, seed=7)
        assert abs(simulated - exact) / exact < 0.05, (p, exact, simulated)


def test_threshold_holds_arl0_and_a_smaller_reference_pays_with_a_higher_one() -> None:
    small, large = bernoulli_chart(0.1, 400, 0.1, 20_000), bernoulli_chart(0.1, 4000, 0.1, 20_000)
    for chart in (small, large):
        # Averaged over the uncertainty of p0 the rate is 1/ARL0, so at p0 itself the ARL is longer.
        assert bernoulli_arl(0.1, chart.up, chart.down, chart.threshold) >= 20_000
        assert bernoulli_arl(0.2, chart.up, chart.down, chart.threshold) < 250
    assert small.h > large.h + 0.5
    assert bernoulli_chart(0.1, 400, 0.1, 20_000) is small  # cached by (p0, n, shift, arl0)


def test_bernoulli_cusum_restarts_from_zero_after_an_alarm() -> None:
    cusum = BernoulliCusum(bernoulli_chart(0.05, 1000, 0.1, 20_000))
    alarms = [cusum.update(True) for _ in range(40)]
    needed = -(-cusum.chart.threshold // cusum.chart.up)  # ceil(threshold / up) events to reach h from 0
    fired = [i for i, alarm in enumerate(alarms) if alarm is not None]
    assert fired[0] == needed - 1
    assert fired == list(range(needed - 1, 40, needed)), "a persisting shift alarms again only after a rebuild"
    first = alarms[fired[0]]
    assert first is not None and first.statistic >= first.threshold == cusum.chart.h
    assert (first.run_length, first.run_mean) == (needed, 1.0)
    assert cusum.statistic == (39 - fired[-1]) * cusum.chart.up  # rebuilt from 0 after the last alarm


def test_large_rate_shift_is_detected_quickly_and_reports_its_run() -> None:
    rng = random.Random(11)
    cusum = BernoulliCusum(bernoulli_chart(0.05, 1000, 0.1, 20_000))
    step, alarm = next((i, a) for i in range(1, 1000) if (a := cusum.update(rng.random() < 0.4)) is not None)
    assert step <= 60
    assert alarm.run_mean > 0.25  # the observations since the statistic left 0 show the new rate
    assert (cusum.statistic, cusum.run_length, cusum.run_events) == (0, 0, 0)


def test_stationary_rate_stream_stays_quiet() -> None:
    rng = random.Random(5)
    cusum = BernoulliCusum(bernoulli_chart(0.1, 1000, 0.1, 20_000))
    assert not any(cusum.update(rng.random() < 0.1) for _ in range(5000))


def test_lattice_arl_matches_the_one_sided_normal_cusum_table() -> None:
    normal = stats.norm.ppf((np.arange(20_000) + 0.5) / 20_000)
    # One-sided CUSUM, k = 0.5: ARL0 336 at h = 4 and 930 at h = 5 (the tabulated two-sided 168 and 465, doubled).
    assert abs(_lattice_arl(normal - 0.5, 4.0) - 336) < 10
    assert abs(_lattice_arl(normal - 0.5, 5.0) - 930) < 25


def test_mean_chart_follows_the_reference_shape() -> None:
    rng = np.random.default_rng(3)
    skewed = mean_chart(list(rng.beta(8, 2, 500)), 1.0, 200_000, direction=-1, min_sd=0.01, clip=4.0)
    normal = mean_chart(list(rng.normal(0.6, 0.08, 500)), 1.0, 200_000, direction=-1, min_sd=0.01, clip=4.0)
    # Beta(8, 2) has a long lower tail: a drop chart needs a higher threshold than for normal scores.
    assert skewed.h > normal.h + 1.0
    assert abs(normal.mean - 0.6) < 0.01 and abs(normal.sd - 0.08) < 0.01


def test_mean_cusum_detects_a_drop_and_not_a_rise() -> None:
    rng = random.Random(2)
    chart = mean_chart([rng.gauss(0.6, 0.08) for _ in range(500)], 1.0, 200_000, direction=-1, min_sd=0.01, clip=4)
    rising = MeanCusum(chart)
    assert not any(rising.update(rng.gauss(0.8, 0.08)) for _ in range(2000))
    cusum = MeanCusum(chart)
    assert not any(cusum.update(rng.gauss(0.6, 0.08)) for _ in range(3000))
    step, alarm = next((i, a) for i in range(1, 500) if (a := cusum.update(rng.gauss(0.44, 0.08))) is not None)
    assert step <= 25
    assert alarm.run_mean < 0.5 and alarm.statistic >= chart.h  # the run's mean shows the new level
    assert cusum.statistic == 0.0


def test_constant_reference_gets_a_floored_sd_and_a_normal_threshold() -> None:
    chart = mean_chart([1.0] * 200, 1.0, 200_000, direction=-1, min_sd=0.05, clip=4.0)
    assert chart.sd == 0.05 and chart.h > 5  # no hair trigger from a reference without spread
    cusum = MeanCusum(chart)
    assert not any(cusum.update(1.0) for _ in range(1000))
    assert any(cusum.update(0.6) for _ in range(10))
