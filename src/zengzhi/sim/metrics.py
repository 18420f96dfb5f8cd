"""Metrics that answer the real questions: who got their money back, how fast, from whom.

All of these are computed from the integer results of a run; fractions and multiples are
floats here because they describe the books, they are not the books.

- "Cash received" is what the pool paid a member (sales and forced exits) plus referral
  rewards (local life: and promoter and agent rewards). Points still held are not cash:
  their paper value is shown apart and would shrink the pool if sold. "Got back" adds the
  goods bought with stable points at the peg (§2 conversions; zero elsewhere).
- "Spent" is what a member paid for orders plus any agent position fee (§6).
- "Came from later members": the pool has no source but members' contributions, so of
  what a group that joined first received, at least max(0, pool payouts − the group's own
  contributions) + its referral rewards came from those who joined after it. It is a
  lower bound, stated as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from zengzhi.sim.result import RunResult

LATE_SHARE = 0.10  # "the last cohort": the last 10% of members to join
EARLY_SHARE = 0.10  # "early members": the first 10% to join


def cash_received(result: RunResult) -> NDArray[np.int64]:
    return result.member("received_fen") + result.member("referral_fen")


def got_back(result: RunResult) -> NDArray[np.int64]:
    """Cash received plus goods bought with stable points (at the peg)."""
    return cash_received(result) + result.member("value_fen")


def spent(result: RunResult) -> NDArray[np.int64]:
    """Orders plus position fees."""
    return result.member("spent_fen") + result.member("fees_fen")


def quantiles(values: NDArray[Any], qs: Sequence[float]) -> list[float | None]:
    if len(values) == 0:
        return [None for _ in qs]
    return [float(v) for v in np.quantile(values, qs)]


def sale_value(result: RunResult, keep: float) -> NDArray[np.float64]:
    """What each member's points would fetch if they alone sold now (price × (1 − fee)).

    A description, not a balance: float is fine here and the value is not cash.
    """
    pool = float(result.day("pool_fen")[-1])
    points = float(result.day("points_micro")[-1])
    if points == 0:
        return np.zeros(len(result.members))
    held = result.member("points_micro").astype(np.float64)
    return np.asarray(np.floor(held * (pool / points) * keep), dtype=np.float64)


def _group(result: RunResult, mask: NDArray[np.bool_], value: NDArray[Any]) -> dict[str, Any]:
    paid_in = spent(result)[mask]
    cash = cash_received(result)[mask]
    got = got_back(result)[mask]
    paper = got + value[mask]
    pool_paid = result.member("received_fen")[mask]
    n = int(mask.sum())
    out_day = result.member("first_out_day")[mask]
    join = result.member("join_day")[mask]
    gone = out_day >= 0
    multiple = got / np.maximum(paid_in, 1)
    p10, p50, p90 = quantiles(multiple, (0.1, 0.5, 0.9))
    (if_sold,) = quantiles(paper / np.maximum(paid_in, 1), (0.5,))
    d50, d90 = quantiles((out_day - join)[gone], (0.5, 0.9))
    own = int(result.member("pool_contribution_fen")[mask].sum())
    received = int(got.sum())
    from_later = max(0, int(pool_paid.sum()) - own) + int(result.member("referral_fen")[mask].sum())
    return {
        "members": n,
        "spent_fen": int(paid_in.sum()),
        "received_fen": received,
        "cash_received_fen": int(cash.sum()),
        "recovered_share": float((got >= paid_in).mean()) if n else None,
        "cash_recovered_share": float((cash >= paid_in).mean()) if n else None,
        "multiple_p10": p10,
        "multiple_median": p50,
        "multiple_p90": p90,
        "recovered_if_sold_share": float((paper >= paid_in).mean()) if n else None,
        "multiple_if_sold_median": if_sold,
        "sold_out_share": float(gone.mean()) if n else None,
        "days_to_exit_median": d50,
        "days_to_exit_p90": d90,
        "still_holding_share": float((result.member("points_micro")[mask] > 0).mean())
        if n
        else None,
        "received_from_later_share": from_later / received if received else None,
    }


def run_metrics(result: RunResult, cohort_days: int, keep: float) -> dict[str, Any]:
    """Headline metrics, cohorts by join period, the first and the last 10% of members.

    `keep` is 1 − sell fee, for the value of points still held if sold now.
    """
    n = len(result.members)
    value = sale_value(result, keep)
    everyone = np.ones(n, dtype=np.bool_)
    order = np.arange(n)
    early = order < max(1, int(np.ceil(n * EARLY_SHARE))) if n else everyone
    late = order >= n - max(1, int(np.ceil(n * LATE_SHARE))) if n else everyone
    cohort = result.member("join_day") // cohort_days
    positions = result.member("position") > 0
    cash_in = int(result.day("cash_in_fen").sum())
    pool_in = int(result.day("pool_in_fen").sum())
    paid = int(result.day("sale_payout_fen").sum() + result.day("exit_payout_fen").sum())
    referral = int(result.day("referral_fen").sum())
    pool_end = int(result.day("pool_fen")[-1])
    fees = int(result.day("fees_fen").sum())
    cashed = int(result.day("platform_cash_out_fen").sum())
    out: dict[str, Any] = {
        "seed": result.seed,
        "engine": result.engine,
        "all": _group(result, everyone, value),
        "early": _group(result, early, value),
        "last": _group(result, late, value),
        "cohorts": [
            {
                "cohort": int(c),
                "from_day": int(c) * cohort_days,
                **_group(result, cohort == c, value),
            }
            for c in np.unique(cohort)
        ],
        "cash_flow": {
            "cash_in_fen": cash_in,
            "pool_in_fen": pool_in,
            "paid_from_pool_fen": paid,
            "referral_paid_fen": referral,
            "pool_end_fen": pool_end,
            "kept_outside_pool_fen": cash_in - pool_in - referral - cashed,
            "orders": int(result.day("orders").sum()),
            "forced_exits": int(result.day("exits").sum()),
            "voluntary_sales": int(result.day("sales").sum()),
            "position_fees_fen": fees,
            "promoter_paid_fen": int(result.day("promoter_fen").sum()),
            "agent_paid_fen": int(result.day("agent_fen").sum()),
            "conversions": int(result.day("converted").sum()),
            "stable_spent_fen": int(result.day("value_fen").sum()),
            "stable_cashed_out_fen": cashed,
        },
        "final_price_micro_yuan": int(result.day("price_micro_yuan")[-1]),
    }
    if positions.any():
        out["positions"] = _group(result, positions, value)
    return out


def summarize(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Across seeds: the median and the 10th–90th percentile of every numeric metric."""

    def band(values: list[float]) -> dict[str, float] | None:
        if not values:
            return None
        p10, p50, p90 = np.quantile(np.asarray(values, dtype=np.float64), (0.1, 0.5, 0.9))
        return {"median": float(p50), "p10": float(p10), "p90": float(p90)}

    def fold(rows: list[dict[str, Any]]) -> dict[str, Any]:
        keys = [k for k, v in rows[0].items() if isinstance(v, int | float) or v is None]
        return {
            k: band([r[k] for r in rows if isinstance(r.get(k), int | float)])
            for k in keys
            if k not in ("seed", "cohort", "from_day")
        }

    out: dict[str, Any] = {"seeds": len(runs)}
    for part in ("all", "early", "last", "cash_flow"):
        out[part] = fold([r[part] for r in runs])
    with_positions = [r["positions"] for r in runs if "positions" in r]
    if with_positions:
        out["positions"] = fold(with_positions)
    cohorts: dict[int, list[dict[str, Any]]] = {}
    for r in runs:
        for row in r["cohorts"]:
            cohorts.setdefault(row["cohort"], []).append(row)
    out["cohorts"] = [
        {"cohort": c, "from_day": rows[0]["from_day"], **fold(rows)}
        for c, rows in sorted(cohorts.items())
    ]
    return out
