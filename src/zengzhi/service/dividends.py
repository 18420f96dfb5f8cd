"""What members and operators see of the daily dividends (issue 5 §5, mechanisms.md §3).

Members: their quota left (a cap on what dividends may still pay, not money), shares,
tier, the last settled day's dividend and their history, the rules and the economy's risk
text. Operators: each settled day's sales, the two pools, what was paid and returned, and
how many members each tier holds now. Everything comes from the stored positions, the
`daily_jobs` rows and the ledger's own postings: no figure here is estimated, and nothing
is projected forward (mechanisms.md §10: never promise earnings).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from zengzhi.app.codec import config_from_json
from zengzhi.app.daily import CYCLIC, KIND, NotCyclicPurchase, day_bounds, rules_on, zone
from zengzhi.domain.daily_dividends import DividendRules
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.quota import SHARE_SCALE, QuotaRules
from zengzhi.domain.rate_scale import floor_times
from zengzhi.service.context import Service
from zengzhi.service.errors import NotFound
from zengzhi.store.daily_repository import SqlDaily, daily_reading

_PRO_RATA = "daily_dividend_pro_rata"
_TIER = "daily_dividend_tier"
_RETURN = "daily_dividend_return"
_FUNDING = "daily_dividend_funding"


def member_dividends(svc: Service, economy_id: str, member_id: str, days: int) -> dict[str, Any]:
    """A member's §3 position, last settled day and the last `days` settled days."""
    with daily_reading(svc.database) as store:
        config = _cyclic(store, economy_id)
        quota_fen, shares_micro = store.position(economy_id, member_id)
        jobs = store.jobs(economy_id, KIND, days)
        received = store.member_payouts(economy_id, member_id, [j.event_seq for j in jobs])
    rules = DividendRules.from_sections(config.sections)
    tier = rules.tier_of(shares_micro)
    history = []
    for job in jobs:
        got = received.get(job.event_seq, {})
        pro_rata, tiered = got.get(_PRO_RATA, 0), got.get(_TIER, 0)
        history.append(
            {"day": job.period, "pro_rata_fen": pro_rata, "tier_fen": tiered,
             "total_fen": pro_rata + tiered, "economy_sales_fen": job.sales_fen}
        )  # fmt: skip
    return {
        "economy_id": economy_id,
        "member_id": member_id,
        "quota_left_fen": quota_fen,
        "shares_micro": shares_micro,
        "shares": shares_text(shares_micro),
        "tier": rules.tiers[tier].name if tier >= 0 else None,
        # without quota left a member keeps their shares but is paid nothing (§3)
        "eligible": quota_fen > 0,
        "last_day": history[0] if history else None,
        "history": history,
        "rules": _rules(config),
        "risk": config.sections.get("disclosure", {}).get("risk_text", ""),
    }


def dividend_report(svc: Service, economy_id: str, days: int) -> dict[str, Any]:
    """Each of the last `days` settled days' totals, and the tiers' membership now."""
    with daily_reading(svc.database) as store:
        config = _cyclic(store, economy_id)
        jobs = store.jobs(economy_id, KIND, days)
        moved = store.paid_by_event(economy_id, [j.event_seq for j in jobs])
        history = store.config_history(economy_id)
        counts = store.share_counts(economy_id)
    tz = zone(config)
    report_days = []
    for job in jobs:
        got = moved.get(job.event_seq, {})
        # the split of the funded pools follows the rules in force that day
        in_force = DividendRules.from_sections(
            rules_on(history, day_bounds(date.fromisoformat(job.period), tz)[1]).sections
        )
        static = floor_times(job.sales_fen, in_force.pro_rata_share)
        report_days.append(
            {"day": job.period, "event": job.event_seq, "sales_fen": job.sales_fen,
             "pool_fen": got.get(_FUNDING, 0), "pro_rata_pool_fen": static,
             "tier_pool_fen": got.get(_FUNDING, 0) - static,
             "paid_pro_rata_fen": got.get(_PRO_RATA, 0), "paid_tier_fen": got.get(_TIER, 0),
             "paid_fen": job.paid_fen, "returned_fen": got.get(_RETURN, 0),
             "payments": got.get("payments", 0)}
        )  # fmt: skip
    rules = DividendRules.from_sections(config.sections)
    tiers: list[dict[str, Any]] = [
        {"name": t.name, "min_shares": t.min_shares, "max_shares": t.max_shares,
         "share": str(t.share), "members": 0, "members_with_quota": 0}
        for t in rules.tiers
    ]  # fmt: skip
    outside: dict[str, Any] = {"members": 0, "members_with_quota": 0}
    for whole, members, with_quota in counts:
        found = rules.tier_of(whole * SHARE_SCALE)
        row = tiers[found] if found >= 0 else outside
        row["members"] += members
        row["members_with_quota"] += with_quota
    return {
        "economy_id": economy_id,
        "days": report_days,
        "tiers": tiers,
        "in_no_tier": outside,
        "rules": _rules(config),
    }


def shares_text(shares_micro: int) -> str:
    """Micro-shares as a decimal: 1,500,000 → "1.5"."""
    whole, rest = divmod(shares_micro, SHARE_SCALE)
    return f"{whole}.{rest:06d}".rstrip("0").rstrip(".")


def _cyclic(store: SqlDaily, economy_id: str) -> EconomyConfig:
    text = store.current_config(economy_id)
    if text is None:
        raise NotFound(f"no economy {economy_id!r}")
    config = config_from_json(text)
    if config.system != CYCLIC:
        raise NotCyclicPurchase(
            f"economy {economy_id!r} is {config.system}: daily dividends are for cyclic purchase"
        )
    return config


def _rules(config: EconomyConfig) -> dict[str, Any]:
    dividends = DividendRules.from_sections(config.sections)
    quota = QuotaRules.from_sections(config.sections)
    return {
        "quota_multiple": str(quota.multiple),
        "yuan_per_share": quota.yuan_per_share,
        "pro_rata_share": str(dividends.pro_rata_share),
        "tier_share": str(dividends.tier_share),
        "variant": dividends.variant,
        "tiers": [
            {
                "name": t.name,
                "min_shares": t.min_shares,
                "max_shares": t.max_shares,
                "share": str(t.share),
            }
            for t in dividends.tiers
        ],
    }
