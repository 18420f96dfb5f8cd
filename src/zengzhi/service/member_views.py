"""What the member app shows that the API does not need: a sale's quote before it is
committed, which economy a referral code belongs to, whether a phone logs in or registers.

Reads only; the sale itself is `wallet.sell` (the same call the API makes).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from zengzhi.app.codec import config_from_json
from zengzhi.domain.errors import InsufficientPoints, InvalidAmount
from zengzhi.domain.money import price_of
from zengzhi.domain.pool import sale_payout
from zengzhi.service.accounts import normalise_phone
from zengzhi.service.context import Service
from zengzhi.service.errors import NotFound
from zengzhi.store.service_repository import reading


@dataclass(frozen=True, slots=True)
class SaleQuote:
    """A sale of `points_micro` at the current price, as the pool would pay it now."""

    points_micro: int
    held_micro: int
    price: Fraction  # yuan per point, exact
    sell_fee: Fraction  # the share that stays in the pool
    value_fen: Fraction  # points × price, exact
    payout_fen: int  # what the cash wallet receives: rounded down, like the pool pays

    @property
    def fee_fen(self) -> Fraction:
        """What stays in the pool: the fee and the rounding remainder."""
        return self.value_fen - self.payout_fen


def sale_quote(svc: Service, economy_id: str, member_id: str, points_micro: int) -> SaleQuote:
    """The quote for selling `points_micro` now. The pool pays
    `sale_payout` (mechanisms.md §1), as the engine will; the committed sale may differ
    if other transactions move the price in between."""
    if type(points_micro) is not int or points_micro <= 0:
        raise InvalidAmount("sell a positive number of points")
    with reading(svc.database) as store:
        economy = store.economy_row(economy_id)
        position = store.position(economy_id, member_id)
        if economy is None or position is None:
            raise NotFound("no such member")
        config = config_from_json(store.config_text(economy_id, economy.config_version))
    held = position.points_micro
    if points_micro > held:
        raise InsufficientPoints(f"you hold {held} micro-points and cannot sell {points_micro}")
    pool, outstanding = economy.pool_fen, economy.points_micro
    fee = config.pool.sell_fee
    value = Fraction(points_micro * pool, outstanding)
    return SaleQuote(
        points_micro=points_micro,
        held_micro=held,
        price=price_of(pool, outstanding),
        sell_fee=fee,
        value_fen=value,
        payout_fen=sale_payout(points_micro, pool, outstanding, 1 - fee),
    )


def economy_of_referral(svc: Service, code: str) -> str | None:
    """The economy whose member holds this referral code (codes are 40 random bits, so a
    clash between economies is unlikely; the first economy in id order wins if one occurs)."""
    wanted = code.strip().upper()
    if not wanted:
        return None
    with reading(svc.database) as store:
        for economy_id in sorted(store.economy_ids()):
            if store.member_by_code(economy_id, wanted) is not None:
                return economy_id
    return None


def economy_ids(svc: Service) -> list[str]:
    with reading(svc.database) as store:
        return sorted(store.economy_ids())


def referral_is_known(svc: Service, economy_id: str, code: str) -> bool:
    with reading(svc.database) as store:
        return store.member_by_code(economy_id, code.strip().upper()) is not None


def code_purpose(svc: Service, economy_id: str, phone: str) -> str:
    """Which code to send: "login" if the phone has an account in the economy, else
    "register"."""
    phone = normalise_phone(phone)
    with reading(svc.database) as store:
        return "login" if store.member_by_phone(economy_id, phone) is not None else "register"
