"""`zengzhi verify --rules`: do the recorded daily dividends follow the rules (§3)?

`zengzhi verify` replays the recorded payouts, so it proves the books match what was
decided, not that the decision was right: a payout recorded with the wrong amounts but
balanced entries replays perfectly. This check decides every settled day again, from
nothing but the stored settled orders, the referral tree and the rules in force on each
day, by the domain's own functions (`settle_dividends`, `accrue_purchases`, over the whole
tree, the plain way), and compares the result with the payout recorded for that day:
both pools and every member's payment. It ends by comparing the positions it arrived at
with the stored ones. Each problem names the day (or member) that differs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zengzhi.app.codec import command_from_payload
from zengzhi.app.daily import KIND, DailyUnitOfWork, day_bounds, rules_on, zone
from zengzhi.app.ports import APPLIED
from zengzhi.domain.daily_dividends import DividendRules, settle_dividends
from zengzhi.domain.daily_payout import PayDailyDividends
from zengzhi.domain.quota import Positions, QuotaRules, accrue_purchases
from zengzhi.domain.referral_tree import ReferralTree

_SHOWN = 5  # members named per differing day; the count says how many more


@dataclass
class RulesReport:
    economy_id: str
    days: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_rules(uow: DailyUnitOfWork, economy_id: str) -> RulesReport:
    """Re-derive every settled day's dividends and compare them with what was recorded."""
    ledger, store = uow.ledger, uow.daily
    report = RulesReport(economy_id)
    periods = sorted(row.period for row in store.jobs(economy_id, KIND, 10**9))
    if not periods:
        return report
    history = store.config_history(economy_id)
    tz = zone(rules_on(history, 2**62))
    parents = store.referred(economy_id)
    orders_by_day = []
    for period in periods:
        start, end = day_bounds(date.fromisoformat(period), tz)
        orders_by_day.append((period, end, store.settled_between(economy_id, start, end)))
    stored = store.positions(economy_id)
    ids = sorted(
        set(stored) | set(parents) | set(parents.values())
        | {m for _, _, orders in orders_by_day for m, _ in orders}
    )  # fmt: skip
    index = {m: i for i, m in enumerate(ids)}
    tree = ReferralTree.from_parent_map({m: parents.get(m) for m in ids})
    recorded = ledger.find_events(economy_id, {f"daily:{KIND}:{p}" for p in periods})
    quota, shares = [0] * len(ids), [0] * len(ids)
    for period, end, orders in orders_by_day:
        report.days += 1
        rules = rules_on(history, end)
        result = settle_dividends(
            DividendRules.from_sections(rules.sections),
            sum(amount for _, amount in orders),
            shares,
            quota,
        )
        event = recorded.get(f"daily:{KIND}:{period}")
        if event is None or event.status != APPLIED:
            report.problems.append(f"day {period}: no applied payout is recorded")
        else:
            report.problems += _compare(period, result, ids, _payout(event.payload))
        after = accrue_purchases(
            QuotaRules.from_sections(rules.sections),
            tree,
            Positions(result.quota_after, tuple(shares)),
            [index[m] for m, _ in orders],
            [amount for _, amount in orders],
        )
        quota, shares = list(after.quota_fen), list(after.shares_micro)
    for member, i in index.items():
        want = (quota[i], shares[i])
        if stored.get(member, (0, 0)) != want:
            report.problems.append(
                f"member {member}: stored quota and shares {stored.get(member, (0, 0))},"
                f" the rules give {want}"
            )
    return report


def _payout(payload: str) -> PayDailyDividends | None:
    command = command_from_payload(json.loads(payload))
    return command if isinstance(command, PayDailyDividends) else None


def _compare(period: str, result: Any, ids: list[str], paid: PayDailyDividends | None) -> list[str]:
    if paid is None:
        return [f"day {period}: the recorded event is not a dividend payout"]
    problems = []
    if (paid.pro_rata_pool_fen, paid.tier_pool_fen) != (
        result.pro_rata_pool_fen,
        result.tier_pool_fen,
    ):
        problems.append(
            f"day {period}: recorded pools {paid.pro_rata_pool_fen} + {paid.tier_pool_fen} fen,"
            f" the rules give {result.pro_rata_pool_fen} + {result.tier_pool_fen}"
        )
    for name, recorded, derived in (
        ("pro rata", paid.pro_rata, result.pro_rata_paid),
        ("tier", paid.tier, result.tier_paid),
    ):
        want = {m: fen for m, fen in zip(ids, derived, strict=True) if fen}
        got: dict[str, int] = {}
        for member, fen in recorded:
            got[member] = got.get(member, 0) + fen
        differ = sorted(m for m in set(want) | set(got) if want.get(m, 0) != got.get(m, 0))
        if differ:
            shown = ", ".join(
                f"{m} recorded {got.get(m, 0)} fen, rules {want.get(m, 0)}" for m in differ[:_SHOWN]
            )
            more = f" and {len(differ) - _SHOWN} more" if len(differ) > _SHOWN else ""
            problems.append(f"day {period}: {name} payments differ: {shown}{more}")
    return problems
