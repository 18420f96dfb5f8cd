"""Growth curves: the expected number of newcomers on each day of the horizon."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from zengzhi.sim.scenario import Constant, Curve, Exponential, Growth, Linear, Logistic


def expected_arrivals(growth: Growth, horizon_days: int) -> NDArray[np.float64]:
    """Expected arrivals for days 0..horizon−1; each segment counts t from its own start."""
    out = np.zeros(horizon_days, dtype=np.float64)
    bounds = [s.from_day for s in growth.segments[1:]] + [horizon_days]
    for segment, end in zip(growth.segments, bounds, strict=True):
        start = min(segment.from_day, horizon_days)
        stop = min(end, horizon_days)
        if stop > start:
            out[start:stop] = _curve(segment.curve, np.arange(stop - start, dtype=np.float64))
    return np.maximum(out, 0.0)


def _curve(curve: Curve, t: NDArray[np.float64]) -> NDArray[np.float64]:
    if isinstance(curve, Constant):
        return np.full_like(t, curve.rate)
    if isinstance(curve, Linear):
        return curve.start + curve.slope * t
    if isinstance(curve, Exponential):
        return curve.start * (1.0 + curve.daily_growth) ** t
    assert isinstance(curve, Logistic)

    def members(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return curve.capacity / (1.0 + np.exp(-curve.rate * (x - curve.midpoint_day)))

    return members(t + 1.0) - members(t)
