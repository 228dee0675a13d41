"""One-sided CUSUM charts whose thresholds come from a target in-control average run length (ARL0).

A CUSUM looks at every observation without inflating its false-alarm rate: the threshold is set for the
expected number of observations between false alarms (ARL0), not for a per-look significance level.

- ``BernoulliCusum``: rates (hallucination, abstention, ...). The log-likelihood ratio of p1 = p0 + shift
  against p0 is scaled to two integers (an event adds ``up``, a non-event subtracts ``down``), so the chart
  is an exact Markov chain on the integers 0..threshold-1 and its ARL is a linear solve, not an
  approximation (Brook & Evans 1972; the integer form is Reynolds & Stoumbos 1999).
- ``MeanCusum``: continuous scores standardised by the reference mean and sd, k = shift / 2. Scores such as
  groundedness are bounded and skewed, where the normal-theory threshold gives 4-6x the false alarms, so the
  ARL is computed by a Brook-Evans chain over the empirical distribution of the reference itself.

The reference is an estimate. With 1,000 observations at p0 = 0.1 a threshold designed for the point
estimate gives 2-3x its nominal false alarms, averaged over what the reference could have been (the worst
tenants far more). So the threshold is chosen so that the false-alarm rate *averaged over the uncertainty
of the reference* (Jeffreys posterior for p0; the sampling error of the mean and sd for scores) is at most
1 / ARL0. A smaller reference sample gets a higher threshold: false alarms stay bounded, detection is slower.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq
from scipy.sparse import csc_matrix
from scipy.sparse.linalg import splu
from scipy.special import betaincinv, ndtr

# Gauss-Hermite (probabilists') nodes: the false-alarm rate grows about exponentially with the error of the
# reference, an integrand these nodes integrate accurately, where nodes on a bounded scale miss the tail.
_P0_NODES, _P0_WEIGHTS = np.polynomial.hermite_e.hermegauss(5)  # type: ignore[no-untyped-call]
_MEAN_NODES, _MEAN_WEIGHTS = np.polynomial.hermite_e.hermegauss(5)  # type: ignore[no-untyped-call]
_SD_NODES, _SD_WEIGHTS = np.polynomial.hermite_e.hermegauss(3)  # type: ignore[no-untyped-call]
_LATTICE_STATES = 100  # Brook-Evans grid for the mean chart; ARLs within a few percent of simulation


@dataclass(frozen=True)
class BernoulliChart:
    """A Bernoulli CUSUM for p0 -> p1; the statistic and ``threshold`` are in units of 1/``scale`` nats."""

    p0: float
    p1: float
    up: int
    down: int
    threshold: int
    scale: float
    reference_size: int
    arl0: float

    @property
    def h(self) -> float:
        return self.threshold / self.scale


def _integer_steps(gain: float, loss: float) -> tuple[int, int, float]:
    """Scales the log-likelihood ratio steps to integers with the smallest rounding error.

    The smaller step becomes 4..16 units (never more than 60 units per nat unless that leaves it below
    4): more units would cost states in the chain (time) and buy a rounding error already below ~1%.
    """
    small = min(gain, loss)
    ratio = max(gain, loss) / small
    largest = max(4, min(16, math.floor(60 * small)))
    units = min(range(4, largest + 1), key=lambda m: abs(round(ratio * m) - ratio * m) / (ratio * m))
    scale = units / small
    return round(gain * scale), round(loss * scale), scale


def bernoulli_arl(p: float, up: int, down: int, threshold: int) -> float:
    """Exact expected observations to an alarm from 0 when the true rate is ``p``.

    ``L[i] = 1 + p L[i + up] + (1 - p) L[max(0, i - down)]``, with ``L[j] = 0`` at and above the threshold.
    """
    states = np.arange(threshold)
    rises = states + up < threshold
    rows = np.concatenate([states, states[rises], states])
    cols = np.concatenate([states, states[rises] + up, np.maximum(0, states - down)])
    values = np.concatenate([np.ones(threshold), np.full(int(rises.sum()), -p), np.full(threshold, p - 1.0)])
    matrix = csc_matrix((values, (rows, cols)), shape=(threshold, threshold))
    try:
        arl = float(splu(matrix).solve(np.ones(threshold))[0])
    except RuntimeError:  # numerically singular: the chain (almost) never reaches the threshold
        return math.inf
    # Beyond ~1e13 the solve loses its digits (the matrix is that ill-conditioned); such a chart never
    # alarms in any horizon that matters, and 1 / ARL is what the design uses.
    return arl if 0 < arl < 1e13 else math.inf


def _smallest_integer(lograte: Callable[[int], float], start: int) -> int:
    """Smallest n >= 1 with lograte(n) <= 0, for lograte decreasing and close to linear in n.

    Secant steps through the last two points (not a fixed bracket end, which converges from one side
    only), kept inside the bracket known so far; bisection once the bracket is a few units wide, where the
    lattice makes lograte step-like. About 6 evaluations instead of ~11 bisections.
    """
    lo, hi = 0, math.inf  # lograte(lo) > 0 (0: every observation alarms), lograte(hi) <= 0
    recent: list[tuple[int, float]] = []
    x = max(1, start)
    while hi - lo > 1:
        value = lograte(x)
        if value > 0:
            lo = x
        else:
            hi = x
        recent = [*recent[-1:], (x, value)]
        if hi - lo <= 1:
            break
        guess = None
        if len(recent) == 2 and hi - lo > 8:
            (x0, f0), (x1, f1) = recent
            if math.isfinite(f0) and math.isfinite(f1) and f1 != f0:
                # 20% past the secant root: on a convex curve the secant falls short from the left, and
                # creeping up one unit at a time is what the bracket avoids.
                step = -f1 * (x1 - x0) / (f1 - f0)
                guess = x1 + math.ceil(1.2 * step) if step > 0 else x1 + math.floor(1.2 * step)
        if guess is None:
            guess = x + max(2, x // 10) if len(recent) == 1 else (2 * lo if math.isinf(hi) else (lo + int(hi)) // 2)
        x = max(lo + 1, min(guess, 4 * x) if math.isinf(hi) else min(guess, int(hi) - 1))
    return int(hi)


@lru_cache(maxsize=4096)
def bernoulli_chart(p0: float, reference_size: int, shift: float, arl0: float) -> BernoulliChart:
    """The chart for a reference rate ``p0`` estimated from ``reference_size`` observations.

    Callers round p0 (to 0.001) so that this cache is shared by tenants with the same reference. The
    threshold is the smallest integer whose false-alarm rate, averaged over the Jeffreys posterior
    Beta(k + 1/2, n - k + 1/2) of the true rate, is at most 1 / ``arl0``.
    """
    p1 = min(p0 + shift, (1.0 + p0) / 2)  # never 1: the log-likelihood ratio would be infinite
    up, down, scale = _integer_steps(math.log(p1 / p0), math.log((1 - p0) / (1 - p1)))
    events = p0 * reference_size
    rates = betaincinv(events + 0.5, reference_size - events + 0.5, ndtr(_P0_NODES))
    weights = _P0_WEIGHTS / _P0_WEIGHTS.sum()

    def lograte(threshold: int) -> float:
        rate = sum(w / bernoulli_arl(float(p), up, down, threshold) for p, w in zip(rates, weights, strict=True))
        return math.log(max(rate, 1e-300)) + math.log(arl0)

    threshold = _smallest_integer(lograte, round(scale * math.log(arl0) / 2))
    return BernoulliChart(p0, p1, up, down, threshold, scale, reference_size, arl0)


@dataclass(frozen=True)
class Alarm:
    """What a chart saw when it alarmed; the statistic has already restarted from 0."""

    statistic: float  # in the chart's units: nats (Bernoulli), reference sds (mean)
    threshold: float
    run_length: int  # observations since the statistic last was 0: the CUSUM's change-point estimate
    run_mean: float  # their mean: the rate or score since the change began


@dataclass
class BernoulliCusum:
    """The running statistic of a ``BernoulliChart``; an alarm restarts it from 0, so a persisting shift
    alarms again only once it has accumulated the evidence anew."""

    chart: BernoulliChart
    statistic: int = 0
    run_length: int = 0
    run_events: int = 0

    def update(self, event: bool) -> Alarm | None:
        if event:
            self.statistic += self.chart.up
        else:
            self.statistic = max(0, self.statistic - self.chart.down)
        if self.statistic == 0:
            self.run_length = self.run_events = 0
            return None
        self.run_length += 1
        self.run_events += event
        if self.statistic < self.chart.threshold:
            return None
        chart = self.chart
        alarm = Alarm(self.statistic / chart.scale, chart.h, self.run_length, self.run_events / self.run_length)
        self.statistic = self.run_length = self.run_events = 0
        return alarm


@dataclass(frozen=True)
class MeanChart:
    """A CUSUM for a mean shift of ``shift_sd`` reference sds in ``direction`` (+1 rise, -1 drop)."""

    mean: float
    sd: float
    k: float
    h: float
    clip: float
    direction: int
    reference_size: int
    arl0: float


def _lattice_arl(increments: npt.NDArray[np.float64], h: float) -> float:
    """Brook-Evans: ARL from 0 of ``S = max(0, S + y)`` alarming at ``h``, y drawn from ``increments``.

    The statistic is rounded to a grid of ``_LATTICE_STATES`` points below ``h``, the increments to the same
    grid, which makes the chain's transition matrix a banded Toeplitz matrix folded at 0.
    """
    m = _LATTICE_STATES
    width = h / (m - 0.5)
    steps = np.rint(increments / width).astype(np.int64)
    steps = np.clip(steps, -m, m)  # beyond the grid, only "to 0" or "alarm" matters
    pmf = np.bincount(steps + m, minlength=2 * m + 1) / len(steps)
    to_zero = np.cumsum(pmf)  # to_zero[m + d] = P(step <= d)
    offsets = np.arange(m)[None, :] - np.arange(m)[:, None]  # j - i
    transition = pmf[offsets + m]
    transition[:, 0] = to_zero[m - np.arange(m)]
    try:
        arl = np.linalg.solve(np.eye(m) - transition, np.ones(m))[0]
    except np.linalg.LinAlgError:
        return math.inf
    return float(arl) if arl > 0 else math.inf


def _normal_h(k: float, arl0: float) -> float:
    """Siegmund's approximation of h for normal data; a floor for references with lighter tails."""

    def excess(h: float) -> float:
        b = 2 * k * (h + 1.166)
        return math.log((math.exp(b) - b - 1) / (2 * k * k)) - math.log(arl0)

    return float(brentq(excess, 0.0, 200.0))


def mean_chart(
    reference: Sequence[float], shift_sd: float, arl0: float, *, direction: int, min_sd: float, clip: float
) -> MeanChart:
    """Designs the chart from the reference sample itself (its shape, not a normal model).

    The future standardised score is ``delta + r * u`` with u drawn from the standardised reference, where
    delta ~ N(0, 1/n) is the error of the mean and log r ~ N(0, (kurtosis - 1) / 4n) the error of the sd.
    h is the smallest value whose false-alarm rate averaged over (delta, r) is at most 1 / arl0, and never
    below the normal-theory h (a reference with light tails, or a constant one, would give a hair trigger).
    """
    values = np.asarray(reference, dtype=float)
    n = len(values)
    mean = float(values.mean())
    sd = max(float(values.std(ddof=1)) if n > 1 else 0.0, min_sd)
    u = (values - mean) / sd
    kurtosis = float(np.mean(u**4) / max(np.mean(u**2) ** 2, 1e-12)) if n > 1 else 3.0
    k = shift_sd / 2
    scenarios = [
        (np.clip(delta / math.sqrt(n) + math.exp(s * math.sqrt(max(kurtosis - 1, 0.5) / (4 * n))) * u, -clip, clip))
        for delta in _MEAN_NODES
        for s in _SD_NODES
    ]
    increments = [direction * z - k for z in scenarios]
    weights = np.outer(_MEAN_WEIGHTS, _SD_WEIGHTS).ravel()
    weights = weights / weights.sum()

    def lograte(h: float) -> float:
        rate = sum(w / _lattice_arl(y, h) for y, w in zip(increments, weights, strict=True))
        return math.log(max(rate, 1e-300)) + math.log(arl0)

    floor = _normal_h(k, arl0)
    if lograte(floor) <= 0:
        h = floor
    else:
        high = 2 * floor
        while lograte(high) > 0 and high < 1e3:
            high *= 2
        h = float(brentq(lograte, floor, high, xtol=1e-3)) if lograte(high) <= 0 else high
    return MeanChart(mean, sd, k, h, clip, direction, n, arl0)


@dataclass
class MeanCusum:
    """The running statistic of a ``MeanChart``; an alarm restarts it from 0."""

    chart: MeanChart
    statistic: float = 0.0
    run_length: int = 0
    run_sum: float = 0.0  # raw scores since the statistic last was 0

    def update(self, value: float) -> Alarm | None:
        chart = self.chart
        z = (value - chart.mean) / chart.sd
        z = -chart.clip if z < -chart.clip else chart.clip if z > chart.clip else z
        self.statistic = max(0.0, self.statistic + chart.direction * z - chart.k)
        if self.statistic == 0.0:
            self.run_length, self.run_sum = 0, 0.0
            return None
        self.run_length += 1
        self.run_sum += value
        if self.statistic < chart.h:
            return None
        alarm = Alarm(self.statistic, chart.h, self.run_length, self.run_sum / self.run_length)
        self.statistic, self.run_length, self.run_sum = 0.0, 0, 0.0
        return alarm
