"""Local life (§6) for operators, merchants and members: store terms, agents, reports.

Operators set each store's commission (within the economy's [split] rules: never below
the commission whose referral part pays every reward), the member who signed the store up
(its promoter), the member who owns it and its region; and name the member holding each
agent level of a region. Every change is audited. A store's QR code opens the member app
with the referral code of its owner (or, without one, its promoter), so a member who
arrives through it is bound to them for good at registration, like through any member's
own code or link.

Reports read the ledger's record of each split (the reply of its `local_life_split`
event), so they add up to the books: totals per day and store for operators, agents'
earnings, a member's referral rewards, a merchant's stores.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from zengzhi.app import register_store
from zengzhi.app.codec import config_from_json, decimal_text
from zengzhi.app.local_life import SYSTEM, region_paths
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import DomainError, InvalidRule, UnknownMember
from zengzhi.domain.local_life import local_life_rules_from
from zengzhi.domain.regional_agents import AgentLevel
from zengzhi.service.context import Service
from zengzhi.service.errors import InvalidInput, NotFound
from zengzhi.service.merchants import check_id
from zengzhi.store.local_life_repository import SqlLocalLife, local_life_reading

REGION_PART = 64
AGENT_ROLES = {"district_agent", "city_agent", "province_agent"}


class WrongSystem(DomainError):
    """A local-life operation on an economy that runs another system."""

    code = "wrong_system"


def _config(store: Any, economy_id: str) -> EconomyConfig:
    row = store.economy_row(economy_id)
    if row is None:
        raise NotFound(f"no economy {economy_id!r}")
    config = config_from_json(store.config_text(economy_id, row.config_version))
    if config.system != SYSTEM:
        raise WrongSystem(
            f"economy {economy_id!r} runs {config.system!r}, not local life: it has no store "
            "commissions or regional agents"
        )
    return config


def parse_commission(text: str) -> Fraction:
    """A commission written as a decimal ("0.2") or a fraction ("1/5"), never a float."""
    value = text.strip()
    if not value or len(value) > 32 or not set(value) <= set("0123456789./"):
        raise InvalidInput(f"the commission must be a decimal such as 0.2, not {text[:40]!r}")
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise InvalidInput(f"the commission must be a decimal such as 0.2, not {text!r}") from None


def _region_part(value: str, what: str) -> str:
    value = value.strip()
    if len(value) > REGION_PART or "/" in value:
        raise InvalidInput(f"the {what} must be at most {REGION_PART} characters without '/'")
    return value


def _check_member(ll: SqlLocalLife, economy_id: str, member: str | None, what: str) -> None:
    if member is not None and not ll.is_member(economy_id, member):
        raise UnknownMember(f"the {what} {member!r} is not a member of this economy")


# -- operators: store terms and agents ---------------------------------------------------


def set_store_terms(
    svc: Service,
    economy_id: str,
    actor: str,
    store_id: str,
    merchant_id: str,
    commission: str,
    *,
    name: str = "",
    promoter: str | None = None,
    owner_member: str | None = None,
    province: str = "",
    city: str = "",
    district: str = "",
) -> dict[str, Any]:
    """Create the store if new (for `merchant_id`) and set its local-life terms."""
    check_id(store_id, "a store id")
    rate = parse_commission(commission)
    region = [_region_part(v, w) for v, w in ((province, "province"), (city, "city"),
                                              (district, "district"))]  # fmt: skip
    if any(region[i] and not all(region[:i]) for i in range(3)):
        raise InvalidInput("a city needs its province, a district its city and province")

    def work(uow: Any) -> dict[str, Any]:
        now = svc.now()
        config = _config(uow.local_life, economy_id)
        rules = local_life_rules_from(config)
        if not rules.min_store_commission <= rate <= 1:
            raise InvalidRule(
                f"a store's commission must be between {decimal_text(rules.min_store_commission)}"
                f" (so its referral part pays every reward) and 1, not {decimal_text(rate)}"
            )
        ll: SqlLocalLife = uow.local_life
        _check_member(ll, economy_id, promoter, "promoter")
        _check_member(ll, economy_id, owner_member, "store owner")
        existing = ll.store(economy_id, store_id)
        if existing is None:
            if not uow.service.merchant_exists(economy_id, merchant_id):
                raise NotFound(f"no merchant {merchant_id!r} in this economy")
            register_store(uow, economy_id, store_id, merchant_id, now, name.strip() or None)
        elif existing.merchant_id != merchant_id:
            raise InvalidInput(
                f"store {store_id!r} belongs to merchant {existing.merchant_id!r}, "
                f"not {merchant_id!r}"
            )
        values = {
            "economy_id": economy_id,
            "store_id": store_id,
            "commission": str(rate),
            "promoter": promoter,
            "owner_member": owner_member,
            "province": region[0],
            "city": region[1],
            "district": region[2],
            "updated_at": now,
        }
        ll.set_terms(values)
        shown = {k: v for k, v in values.items() if k not in ("economy_id", "updated_at")}
        shown["commission"] = decimal_text(rate)
        uow.service.audit(economy_id, now, actor, "store.terms_set", store_id, shown)
        return {**shown, "merchant_id": merchant_id}

    return svc.run(work)


def set_agent(
    svc: Service,
    economy_id: str,
    actor: str,
    level: str,
    member_id: str | None,
    province: str,
    city: str = "",
    district: str = "",
) -> dict[str, Any]:
    """Name (or with None remove) the member holding `level` for a region."""
    if level not in {lv.value for lv in AgentLevel}:
        raise InvalidInput(f"the level must be district, city or province, not {level[:20]!r}")
    parts = [_region_part(province, "province"), _region_part(city, "city"),
             _region_part(district, "district")]  # fmt: skip
    depth = {"province": 1, "city": 2, "district": 3}[level]
    if not all(parts[:depth]) or any(parts[depth:]):
        needed = ", ".join(("province", "city", "district")[:depth])
        raise InvalidInput(f"a {level} agent's region is given by exactly its {needed}")
    region = region_paths(*parts)[level]

    def work(uow: Any) -> dict[str, Any]:
        now = svc.now()
        _config(uow.local_life, economy_id)
        ll: SqlLocalLife = uow.local_life
        if member_id is None:
            if not ll.remove_agent(economy_id, level, region):
                raise NotFound(f"no {level} agent for {region}")
        else:
            _check_member(ll, economy_id, member_id, "agent")
            ll.set_agent(economy_id, level, region, member_id, now)
        details = {"level": level, "region": region, "member_id": member_id}
        action = "agent.set" if member_id is not None else "agent.removed"
        uow.service.audit(economy_id, now, actor, action, f"{level}:{region}", details)
        return details

    return svc.run(work)


def _terms_json(row: Any) -> dict[str, Any]:
    return {
        "store_id": row.store_id,
        "merchant_id": row.merchant_id,
        "name": row.external_ref or row.store_id,
        "commission": decimal_text(Fraction(row.commission)),
        "promoter": row.promoter,
        "owner_member": row.owner_member,
        "province": row.province,
        "city": row.city,
        "district": row.district,
    }


def check_terms_under(uow: Any, economy_id: str, config: EconomyConfig) -> None:
    """Refuse new rules under which a store's commission could not pay its rewards: its
    orders would be refused at settlement (and stop an auto-settle batch)."""
    if config.system != SYSTEM:
        return
    floor = local_life_rules_from(config).min_store_commission
    low = [
        f"{row.store_id} ({decimal_text(Fraction(row.commission))})"
        for row in uow.local_life.all_terms(economy_id)
        if Fraction(row.commission) < floor
    ]
    if low:
        raise InvalidRule(
            f"under these rules a store's commission must be at least {decimal_text(floor)}; "
            f"raise the terms of {', '.join(low)} first, or their orders could not be settled"
        )


def stores(svc: Service, economy_id: str) -> list[dict[str, Any]]:
    with local_life_reading(svc.database) as ll:
        return [_terms_json(r) for r in ll.all_terms(economy_id)]


def agents(svc: Service, economy_id: str) -> list[dict[str, Any]]:
    with local_life_reading(svc.database) as ll:
        return [
            {"level": r.level, "region": r.region, "member_id": r.member_id}
            for r in ll.agents(economy_id)
        ]


def store_referrer(ll: SqlLocalLife, economy_id: str, store_id: str) -> str | None:
    """The referral code a store's QR code carries: its owner's, else its promoter's."""
    terms = ll.terms(economy_id, store_id)
    if terms is None:
        return None
    for member in (terms.owner_member, terms.promoter):
        if member is not None:
            return ll.referral_code(economy_id, member)
    return None


def store_link(svc: Service, economy_id: str, store_id: str) -> str:
    """What a store's QR code opens: the member app, naming the store and its referrer."""
    base = svc.settings.public_base_url.rstrip("/")
    link = f"{base}/m/join?economy={economy_id}&store={store_id}"
    with local_life_reading(svc.database) as ll:
        code = store_referrer(ll, economy_id, store_id)
    return link if code is None else f"{link}&ref={code}"


# -- reports -------------------------------------------------------------------------------


def _splits(ll: SqlLocalLife, economy_id: str) -> Iterable[tuple[int, int, dict[str, Any]]]:
    for row in ll.splits(economy_id):
        yield row.seq, row.recorded_at, json.loads(row.result)


def _day(at: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(at / 1_000_000, UTC).astimezone(tz).date().isoformat()


def split_totals(svc: Service, economy_id: str) -> list[dict[str, Any]]:
    """Commission split totals per day (the economy's time zone) and store."""
    with local_life_reading(svc.database) as ll:
        config = _config(ll, economy_id)
        tz = ZoneInfo(config.timezone)
        totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for _, at, split in _splits(ll, economy_id):
            row = totals[(_day(at, tz), split["store_id"])]
            row["orders"] += 1
            for part in ("amount_fen", "commission_fen", "platform_fen", "pool_fen"):
                row[part] += split[part]
            row["rewards_fen"] += sum(r["fen"] for r in split["rewards"])
            row["returned_fen"] += split["returned_fen"]
    return [{"day": day, "store_id": store, **parts} for (day, store), parts in
            sorted(totals.items())]  # fmt: skip


def agent_earnings(svc: Service, economy_id: str) -> list[dict[str, Any]]:
    """What each agent earned, per level: orders and fen."""
    with local_life_reading(svc.database) as ll:
        earned: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for _, _, split in _splits(ll, economy_id):
            for reward in split["rewards"]:
                if reward["role"] in AGENT_ROLES:
                    mine = earned[(reward["payee"], reward["role"])]
                    mine[0] += 1
                    mine[1] += reward["fen"]
    return [
        {"member_id": m, "role": role, "orders": n, "earned_fen": fen}
        for (m, role), (n, fen) in sorted(earned.items())
    ]


def member_rewards(svc: Service, economy_id: str, member_id: str) -> dict[str, Any]:
    """A member's rewards from local-life orders (as referrer, promoter or agent)."""
    with local_life_reading(svc.database) as ll:
        rewards = [
            {"event": seq, "at": at, "role": r["role"], "fen": r["fen"],
             "store_id": split["store_id"], "order_fen": split["amount_fen"]}
            for seq, at, split in _splits(ll, economy_id)
            for r in split["rewards"]
            if r["payee"] == member_id
        ]  # fmt: skip
    by_role: dict[str, int] = defaultdict(int)
    for r in rewards:
        by_role[r["role"]] += r["fen"]
    rewards.reverse()  # newest first
    return {"total_fen": sum(by_role.values()), "by_role": dict(by_role), "rewards": rewards}


def rewards_if_local_life(svc: Service, economy_id: str, member_id: str) -> dict[str, Any] | None:
    """A member's rewards (the newest 20) in a local-life economy; None in any other."""
    with local_life_reading(svc.database) as ll:
        try:
            _config(ll, economy_id)
        except WrongSystem:
            return None
    found = member_rewards(svc, economy_id, member_id)
    found["rewards"] = found["rewards"][:20]
    return found


def merchant_stores(svc: Service, economy_id: str, merchant_id: str) -> list[dict[str, Any]]:
    """A merchant's stores: terms, QR link, settled orders, turnover and commission."""
    with local_life_reading(svc.database) as ll:
        mine = set(ll.merchant_store_ids(economy_id, merchant_id))
        terms = {r.store_id: _terms_json(r) for r in ll.all_terms(economy_id)}
        sums: dict[str, dict[str, int]] = {
            s: {"orders": 0, "turnover_fen": 0, "commission_fen": 0} for s in mine
        }
        for _, _, split in _splits(ll, economy_id):
            if split["store_id"] in sums and split.get("merchant") == merchant_id:
                row = sums[split["store_id"]]
                row["orders"] += 1
                row["turnover_fen"] += split["amount_fen"]
                row["commission_fen"] += split["commission_fen"]
    return [
        {"store_id": s, "terms": terms.get(s), "link": store_link(svc, economy_id, s), **sums[s]}
        for s in sorted(mine)
    ]


def merchant_stores_if_local_life(
    svc: Service, economy_id: str, merchant_id: str
) -> list[dict[str, Any]]:
    """`merchant_stores` in a local-life economy; nothing in any other."""
    with local_life_reading(svc.database) as ll:
        try:
            _config(ll, economy_id)
        except WrongSystem:
            return []
    return merchant_stores(svc, economy_id, merchant_id)
