"""A member's own things: profile, wallet, history, selling points, withdrawals, team.

Members see their own phone and nobody else's: other members appear by their random id.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from zengzhi.app import SellPointsRequest, sell_points
from zengzhi.app.codec import config_from_json
from zengzhi.app.errors import IdempotencyConflict
from zengzhi.app.requests import WithdrawRequest
from zengzhi.app.writer import apply_batch
from zengzhi.domain.entries import AccountKind, Asset
from zengzhi.domain.errors import InvalidAmount
from zengzhi.domain.money import format_price, price_of
from zengzhi.domain.pool import sale_payout
from zengzhi.service.accounts import random_id, referral_link
from zengzhi.service.context import Service
from zengzhi.service.errors import InvalidInput, NotFound
from zengzhi.store.service_repository import reading


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def profile(svc: Service, economy_id: str, member_id: str) -> dict[str, Any]:
    with reading(svc.database) as store:
        account = store.member_account(economy_id, member_id)
        if account is None:
            raise NotFound("no such member")
        return {
            "member_id": member_id,
            "economy_id": economy_id,
            "phone": account.phone,  # their own
            "referrer": account.referrer,
            "referral_code": account.referral_code,
            "referral_link": referral_link(svc, economy_id, account.referral_code),
            "has_password": account.password_hash is not None,
            "joined_at": account.created_at,
        }


def wallet(svc: Service, economy_id: str, member_id: str) -> dict[str, Any]:
    """Points and what they are worth now, cash, the cycle's spend and the exit line."""
    with reading(svc.database) as store:
        position = store.position(economy_id, member_id)
        economy = store.economy_row(economy_id)
        if position is None or economy is None:
            raise NotFound("no such member")
        config = config_from_json(store.config_text(economy_id, economy.config_version))
        pending = store.balance(
            economy_id, AccountKind.PENDING_WITHDRAWAL.value, member_id, Asset.CASH.value
        )
    pool, outstanding = economy.pool_fen, economy.points_micro
    price = price_of(pool, outstanding) if outstanding else Fraction(economy.last_price)
    points = position.points_micro
    rules = config.pool
    # value at the price (fen): points × pool ÷ outstanding; a sale keeps the fee back
    value = _floor(Fraction(points * pool, outstanding)) if outstanding else 0
    sale = sale_payout(points, pool, outstanding, 1 - rules.sell_fee) if outstanding else 0
    spend = position.cycle_spend_fen
    exit_line = None if rules.exit_multiple is None else rules.exit_multiple * spend
    return {
        "member_id": member_id,
        "points_micro": points,
        "price": format_price(price),
        "points_value_fen": value,
        "sell_value_fen": sale,
        "cash_fen": position.cash_fen,
        "pending_withdrawal_fen": pending,
        "cycle_spend_fen": spend,
        "exits": position.exits,
        "exit_multiple": None if rules.exit_multiple is None else str(rules.exit_multiple),
        "exit_line_fen": None if exit_line is None else _floor(exit_line),
        # how much more the points must be worth before the forced exit sells them all
        "to_exit_line_fen": (
            None if exit_line is None or not points else max(0, _floor(exit_line) - value)
        ),
        "risk": config.sections.get("disclosure", {}).get("risk_text", ""),
    }


def history(
    svc: Service, economy_id: str, member_id: str, limit: int, before: int | None
) -> list[dict[str, Any]]:
    with reading(svc.database) as store:
        rows = store.member_history(economy_id, member_id, limit, before)
    return [
        {
            "tx": tx.seq,
            "event": tx.event_seq,
            "kind": tx.kind,
            "recorded_at": tx.recorded_at,
            "changes": [{"account": leg.kind, "asset": leg.asset, "amount": leg.amount}
                        for leg in legs],
        }
        for tx, legs in rows
    ]  # fmt: skip


def sell(
    svc: Service, economy_id: str, member_id: str, key: str, points_micro: int | None
) -> dict[str, Any]:
    """Sell points back to the pool (all of them when None); idempotent by `key`."""
    if not key or len(key) > 100:
        raise InvalidInput("send an Idempotency-Key header (1-100 characters) with a sale")
    request = SellPointsRequest(f"{member_id}:{key}", member_id, points_micro)

    def work(uow: Any) -> dict[str, Any]:
        reply = sell_points(uow, svc.engines, economy_id, request, svc.now())
        result = reply.result()
        result["replayed"] = reply.replayed
        return result

    return svc.run(work)


def withdrawal_json(row: Any) -> dict[str, Any]:
    return {
        "withdrawal_id": row.withdrawal_id,
        "member_id": row.member_id,
        "amount_fen": row.amount_fen,
        "payout_account": row.payout_account,
        "status": row.status,
        "requested_at": row.requested_at,
        "reviewed_at": row.reviewed_at,
        "reference": row.reference,
        "note": row.note,
    }


def withdraw(
    svc: Service, economy_id: str, member_id: str, key: str, amount_fen: int, payout: str
) -> tuple[dict[str, Any], bool]:
    """Hold cash for a withdrawal that an operator reviews; (withdrawal, created)."""
    if not key or len(key) > 100:
        raise InvalidInput("send an Idempotency-Key header (1-100 characters) with a withdrawal")
    if type(amount_fen) is not int or amount_fen <= 0:
        raise InvalidAmount("a withdrawal is a positive whole number of fen")
    if not payout.strip() or len(payout) > 128:
        raise InvalidInput("name the payout account (1-128 characters)")

    def work(uow: Any) -> tuple[dict[str, Any], bool]:
        store = uow.service
        now = svc.now()
        existing = store.withdrawal_by_key(economy_id, member_id, key)
        if existing is not None:
            if (existing.amount_fen, existing.payout_account) != (amount_fen, payout):
                raise IdempotencyConflict("this Idempotency-Key was used for another withdrawal")
            return withdrawal_json(existing), False
        withdrawal_id = random_id("w_", 8)
        request = WithdrawRequest(withdrawal_id, member_id, amount_fen)
        apply_batch(uow, svc.engines, economy_id, [request], now)[0].result()
        store.add_withdrawal(
            {
                "economy_id": economy_id,
                "withdrawal_id": withdrawal_id,
                "member_id": member_id,
                "idem_key": key,
                "amount_fen": amount_fen,
                "payout_account": payout,
                "status": "pending",
                "requested_at": now,
            }
        )
        store.audit(
            economy_id, now, f"member:{member_id}", "withdrawal.requested", withdrawal_id,
            {"amount_fen": amount_fen},
        )  # fmt: skip
        return withdrawal_json(store.withdrawal(economy_id, withdrawal_id)), True

    return svc.run(work)


def withdrawals(
    svc: Service, economy_id: str, member_id: str | None, status: str | None, limit: int = 100
) -> list[dict[str, Any]]:
    with reading(svc.database) as store:
        rows = store.withdrawals_of(economy_id, status, member_id, limit)
    return [withdrawal_json(r) for r in rows]


def team(svc: Service, economy_id: str, member_id: str) -> dict[str, Any]:
    """Who joined through this member (level 1) and through them (level 2), by id only."""
    with reading(svc.database) as store:
        first = store.referees(economy_id, [member_id])
        second = store.referees(economy_id, [r.member_id for r in first])
    return {
        "direct": [
            {
                "member_id": r.member_id,
                "joined_at": r.created_at,
                "cycle_spend_fen": r.cycle_spend_fen,
            }
            for r in first
        ],
        "direct_count": len(first),
        "second_level_count": len(second),
        "team_spend_fen": sum(r.cycle_spend_fen for r in first + second),
    }
