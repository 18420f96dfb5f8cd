"""Metrics of the daily systems (§3, §4, §5, §7), in the same shapes as the pool's.

The same questions, the same keys where the meaning is the same (`recovered_share`,
`multiple_median`, `received_from_later_share`, ...), so that summaries, sweeps and the
stress table read every system alike:

- "Got back" counts cash received plus non-cash value at the scenario's stated value
  (released points, coupons); `cash_recovered_share` counts cash alone.
- "If sold now": plus what members hold and could sell now (tokens at the buyback floor).
  "If every promise were kept": plus what the rules still promise and nothing funds yet
  (quota left, locked points). Neither is cash.
- "From later": the part of what a group received paid for by members who joined after
  each recipient: dividends are attributed to the sales that funded them (exact under the
  rules); for everything else at least max(0, received − what the group paid). A lower
  bound, stated as such.
- Cash flow: what members paid, what was paid back in cash and in value, and the
  platform's obligations: promised and unpaid now, and when the last member joined.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from zengzhi.sim.daily import DAILY_BASE, SystemResult
from zengzhi.sim.metrics import EARLY_SHARE, LATE_SHARE, quantiles

# daily columns that are levels at the end of a day, not flows over it
_STOCKS = {"tokens_micro", "locked_micro", "held_micro", "eligible"}


def _group(result: SystemResult, mask: NDArray[np.bool_]) -> dict[str, Any]:
    spent = result.member("spent_fen")[mask]
    cash = result.member("cash_fen")[mask]
    got = cash + result.member("value_fen")[mask]
    held = result.member("held_value_fen")[mask]
    promised = result.member("promised_fen")[mask]
    n = int(mask.sum())
    join = result.member("join_day")[mask]
    out_day = result.member("first_out_day")[mask]
    even_day = result.member("breakeven_day")[mask]
    gone, even = out_day >= 0, even_day >= 0
    base = np.maximum(spent, 1)
    p10, p50, p90 = quantiles(got / base, (0.1, 0.5, 0.9))
    (cash_median,) = quantiles(cash / base, (0.5,))
    (if_sold,) = quantiles((got + held) / base, (0.5,))
    d50, d90 = quantiles((out_day - join)[gone], (0.5, 0.9))
    b50, b90 = quantiles((even_day - join)[even], (0.5, 0.9))
    received = int(got.sum())
    unattributed = received - int(result.member("attributed_fen")[mask].sum())
    from_later = int(result.member("from_later_fen")[mask].sum())
    from_later += max(0, unattributed - int(spent.sum()))

    def share(flags: NDArray[np.bool_]) -> float | None:
        return float(flags.mean()) if n else None

    return {
        "members": n,
        "spent_fen": int(spent.sum()),
        "received_fen": received,
        "cash_received_fen": int(cash.sum()),
        "recovered_share": share(got >= spent),
        "cash_recovered_share": share(cash >= spent),
        "multiple_p10": p10,
        "multiple_median": p50,
        "multiple_p90": p90,
        "cash_multiple_median": cash_median,
        "recovered_if_sold_share": share(got + held >= spent),
        "multiple_if_sold_median": if_sold,
        "recovered_if_promised_share": share(got + held + promised >= spent),
        "sold_out_share": share(gone),
        "days_to_exit_median": d50,
        "days_to_exit_p90": d90,
        "days_to_breakeven_median": b50,
        "days_to_breakeven_p90": b90,
        "still_holding_share": share((held > 0) | (promised > 0)),
        "held_value_fen": int(held.sum()),
        "promised_fen": int(promised.sum()),
        "received_from_later_share": from_later / received if received else None,
    }


def _cash_flow(result: SystemResult) -> dict[str, Any]:
    arrivals = result.day("arrivals")
    joined_days = np.flatnonzero(arrivals)
    stop = int(joined_days[-1]) if len(joined_days) else len(arrivals) - 1
    made = result.day("promised_made_fen")
    left = result.day("promised_fen")
    cash_in = int(result.day("cash_in_fen").sum())
    paid = int(result.day("cash_out_fen").sum())
    flow: dict[str, Any] = {
        "cash_in_fen": cash_in,
        "cash_paid_fen": paid,
        "value_credited_fen": int(result.day("value_out_fen").sum()),
        "kept_by_platform_fen": cash_in - paid,
        "promised_made_fen": int(made[-1]),
        "promised_left_fen": int(left[-1]),
        "promised_left_share": float(left[-1] / made[-1]) if made[-1] else None,
        "last_arrival_day": stop,
        "promised_left_at_last_arrival_fen": int(left[stop]),
        "promised_left_at_last_arrival_share": float(left[stop] / made[stop])
        if made[stop]
        else None,
        "orders": int(result.day("orders").sum()),
        "outs": int((result.member("outs")).sum()),
    }
    for column in result.columns[len(DAILY_BASE) :]:
        series = result.day(column)
        if column in _STOCKS:
            flow[f"{column}_end"] = int(series[-1])
        else:
            flow.setdefault(column, int(series.sum()))
    for key, value in result.totals.items():
        flow.setdefault(key, int(value))
    return flow


def system_metrics(result: SystemResult, cohort_days: int) -> dict[str, Any]:
    """Headline metrics, cohorts by join period, the first and the last 10% to join."""
    n = len(result.members)
    everyone = np.ones(n, dtype=np.bool_)
    order = np.arange(n)
    early = order < max(1, int(np.ceil(n * EARLY_SHARE))) if n else everyone
    late = order >= n - max(1, int(np.ceil(n * LATE_SHARE))) if n else everyone
    cohort = result.member("join_day") // cohort_days
    return {
        "seed": result.seed,
        "engine": result.engine,
        "system": result.system,
        "all": _group(result, everyone),
        "early": _group(result, early),
        "last": _group(result, late),
        "cohorts": [
            {"cohort": int(c), "from_day": int(c) * cohort_days, **_group(result, cohort == c)}
            for c in np.unique(cohort)
        ],
        "cash_flow": _cash_flow(result),
    }


def system_multiples(result: SystemResult) -> NDArray[np.float64]:
    """Per member: got back ÷ spent, and the same with every promise kept (not cash)."""
    spent = np.maximum(result.member("spent_fen"), 1)
    got = result.member("cash_fen") + result.member("value_fen")
    promised = result.member("held_value_fen") + result.member("promised_fen")
    return np.stack((got / spent, (got + promised) / spent))
