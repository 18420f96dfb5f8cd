"""Operator reports: pool and price by day, orders and payouts by day, exits, members,
the referral network and team performance. Rows are flat dicts, so CSV is one writer away.

Days are UTC calendar days of the recorded time (the ledger's clock).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from zengzhi.service.context import MICROS, Service
from zengzhi.store.service_repository import reading


def _day(micros: int) -> str:
    return datetime.fromtimestamp(micros / MICROS, UTC).date().isoformat()


def build(svc: Service, economy_id: str, name: str) -> list[dict[str, Any]]:
    with reading(svc.database) as store:
        if name == "pool":
            return _pool(store, economy_id)
        if name == "orders":
            return _orders(store, economy_id)
        if name == "payouts":
            return _payouts(store, economy_id)
        if name == "exits":
            return _exits(store, economy_id)
        if name == "members":
            return _members(store, economy_id)
        if name == "referrals":
            return [
                {"member_id": r.member_id, "referrer": r.referrer or ""}
                for r in store.referral_edges(economy_id)
            ]
        return _teams(store, economy_id)


def _pool(store: Any, economy_id: str) -> list[dict[str, Any]]:
    """The pool, points outstanding and price at the end of each day with activity."""
    days: dict[str, dict[str, Any]] = {}
    kinds = ("order", "sell", "burn", "inject", "adjust_points")
    for event in store.applied_events(economy_id, kinds, 0):
        body = json.loads(event.result)
        day = _day(event.recorded_at)
        row = days.setdefault(day, {"day": day, "events": 0})
        row["events"] += 1
        row.update(
            pool_fen=body.get("pool_fen"),
            points_micro=body.get("points_micro"),
            price=body.get("price"),
            last_event=event.seq,
        )
    return list(days.values())


def _orders(store: Any, economy_id: str) -> list[dict[str, Any]]:
    days: dict[str, dict[str, Any]] = {}
    for o in store.merchant_order_rows(economy_id):
        day = _day(o.reported_at)
        row = days.setdefault(
            day,
            {"day": day, "reported": 0, "settled": 0, "cancelled": 0, "refunded": 0,
             "amount_fen": 0, "settled_amount_fen": 0},
        )  # fmt: skip
        row[o.status] += 1
        row["amount_fen"] += o.amount_fen
        if o.status == "settled":
            row["settled_amount_fen"] += o.amount_fen
    return list(days.values())


def _payouts(store: Any, economy_id: str) -> list[dict[str, Any]]:
    """Cash paid to members' wallets by sales and exits, and paid out by withdrawals."""
    days: dict[str, dict[str, int | str]] = {}
    for r in store.transactions_of_kind(economy_id, ("sale", "exit", "withdrawal_paid")):
        if r.amount <= 0 or r.account not in ("member_cash", "paid_out"):
            continue
        day = _day(r.recorded_at)
        row = days.setdefault(day, {"day": day, "sales_fen": 0, "exits_fen": 0, "withdrawn_fen": 0})
        column = {"sale": "sales_fen", "exit": "exits_fen"}.get(r.kind, "withdrawn_fen")
        row[column] = int(row[column]) + r.amount
    return list(days.values())


def _exits(store: Any, economy_id: str) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for r in store.transactions_of_kind(economy_id, ("exit",)):
        row = found.setdefault(
            r.seq, {"tx": r.seq, "day": _day(r.recorded_at), "member_id": r.member,
                    "points_micro": 0, "payout_fen": 0},
        )  # fmt: skip
        if r.account == "member_points":
            row["points_micro"] -= r.amount
        elif r.account == "member_cash":
            row["payout_fen"] += r.amount
    return list(found.values())


def _members(store: Any, economy_id: str) -> list[dict[str, Any]]:
    days: dict[str, int] = defaultdict(int)
    for r in store.referral_edges(economy_id):
        days[_day(r.created_at)] += 1
    total = 0
    rows = []
    for day in sorted(days):
        total += days[day]
        rows.append({"day": day, "joined": days[day], "members": total})
    return rows


def _teams(store: Any, economy_id: str) -> list[dict[str, Any]]:
    """Per member with referees: direct referees, second level, the team's cycle spend."""
    edges = store.referral_edges(economy_id)
    children: dict[str, list[Any]] = defaultdict(list)
    for r in edges:
        if r.referrer:
            children[r.referrer].append(r)
    rows = []
    for referrer, direct in sorted(children.items()):
        second = [g for d in direct for g in children.get(d.member_id, [])]
        rows.append(
            {
                "member_id": referrer,
                "direct": len(direct),
                "second_level": len(second),
                "team_spend_fen": sum(r.cycle_spend_fen for r in direct + second),
            }
        )
    return rows


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if not rows:
        return ""
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
