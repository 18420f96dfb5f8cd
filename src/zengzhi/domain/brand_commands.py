"""The brand membership's writes as mechanism commands (§7, seed 000) over `Holdings`.

Each command reuses the rule functions of `brand_tokens` and `token_dividends` (one
implementation of each rule) and follows the command protocol: decide the entries from
the state, `holdings.apply` them first (refusing an overdraft before anything moves), and
only then touch the pool engine (the cash a dividend or a buyback puts in a wallet).

What the state cannot tell is decided by the app layer and recorded in the payload: the
referrer bound to the buyer and whether this is the buyer's first purchase
(`app/brand.py`). Everything else is re-derived from the holdings, so `verify` replays
the same entries: the dividend's holders are the token balances at the moment the
command applies, sorted by holder, and the pool carries the remainder of earlier periods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Self

from zengzhi.domain.brand_rules import brand_rules_from
from zengzhi.domain.brand_tokens import (
    buy_back_tokens,
    convert_coins,
    redeem_coupon,
    settle_purchase,
)
from zengzhi.domain.commands import register
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, transfer
from zengzhi.domain.errors import DomainError, InvalidAmount
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import Outcome, PoolEngine
from zengzhi.domain.token_dividends import distribute_dividends, fund_dividend_pool


class SelfTransfer(DomainError):
    """Tokens given to the member who gives them."""

    code = "self_transfer"


def coins_of(holdings: Holdings, member: str) -> int:
    return holdings.balance(AccountKind.MEMBER_COINS, member, Asset.COINS)


def tokens_of(holdings: Holdings, member: str) -> int:
    """A member's Bean Tokens in micro-tokens."""
    return holdings.balance(AccountKind.MEMBER_TOKENS, member, Asset.TOKENS)


def token_holders(holdings: Holdings) -> dict[str, int]:
    """Every holder's micro-tokens, sorted by holder so replays build the same entries."""
    kind, asset = AccountKind.MEMBER_TOKENS.value, Asset.TOKENS.value
    found = {h: n for (k, h, a), n in holdings.items() if k == kind and a == asset}
    return dict(sorted(found.items()))


def dividend_pool_of(holdings: Holdings) -> int:
    """Cash waiting in the dividend pool: the remainders carried from earlier periods."""
    return holdings.balance(AccountKind.TOKEN_DIVIDEND_POOL, None, Asset.CASH)


def _pay_cash(engine: PoolEngine, entries: tuple[Entry, ...]) -> None:
    """Credit the engine's wallets with the entries' member cash legs (after the checks)."""
    for entry in entries:
        for p in entry.postings:
            if p.account is AccountKind.MEMBER_CASH and p.holder is not None:
                engine.give_cash(p.holder, p.amount)


@register
@dataclass(frozen=True, slots=True)
class BrandPurchase:
    """Coins for a settled order; the referrer's 10% and first-purchase token (decided by
    the app: the referrer bound at registration, and whether no earlier order settled)."""

    kind: ClassVar[str] = "brand_purchase"
    member: str
    amount_fen: int
    referrer: str | None = None
    first_purchase: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "amount_fen": self.amount_fen,
            "referrer": self.referrer,
            "first_purchase": self.first_purchase,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(
            payload["member"],
            payload["amount_fen"],
            payload.get("referrer"),
            bool(payload.get("first_purchase", False)),
        )

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        rules = brand_rules_from(config)
        purchase = settle_purchase(
            rules, self.member, self.amount_fen, self.referrer, self.first_purchase
        )
        holdings.apply(purchase.entries)
        return Outcome(purchase.entries, ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        coins = referral_coins = token = 0
        for entry in outcome.entries:
            for p in entry.postings:
                if p.account is AccountKind.MEMBER_COINS:
                    if p.holder == self.member:
                        coins += p.amount
                    else:
                        referral_coins += p.amount
                elif p.account is AccountKind.MEMBER_TOKENS:
                    token += p.amount
        return {
            "member": self.member,
            "coins": coins,
            "referrer": self.referrer,
            "referral_coins": referral_coins,
            "referral_token_micro": token,
        }


@register
@dataclass(frozen=True, slots=True)
class ConvertCoins:
    """Burn a member's coins into Bean Tokens (1,000 coins a token, fractions allowed)."""

    kind: ClassVar[str] = "brand_convert"
    member: str
    coins: int

    def payload(self) -> dict[str, Any]:
        return {"member": self.member, "coins": self.coins}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["member"], payload["coins"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        rules = brand_rules_from(config)
        done = convert_coins(rules, self.member, self.coins, coins_of(holdings, self.member))
        holdings.apply([done.entry])
        return Outcome((done.entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        (entry,) = outcome.entries
        tokens = sum(p.amount for p in entry.postings if p.account is AccountKind.MEMBER_TOKENS)
        return {"member": self.member, "coins": self.coins, "tokens_micro": tokens}


@register
@dataclass(frozen=True, slots=True)
class RedeemCoupon:
    """Spend coins on a coupon of the economy's catalogue; the coins are burned."""

    kind: ClassVar[str] = "brand_coupon"
    member: str
    code: str

    def payload(self) -> dict[str, Any]:
        return {"member": self.member, "code": self.code}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["member"], payload["code"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        rules = brand_rules_from(config)
        entry = redeem_coupon(rules, self.member, self.code, coins_of(holdings, self.member))
        holdings.apply([entry])
        return Outcome((entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        (entry,) = outcome.entries
        coins = sum(p.amount for p in entry.postings if p.account is AccountKind.COIN_SUPPLY)
        return {"member": self.member, "code": self.code, "coins": coins}


@register
@dataclass(frozen=True, slots=True)
class PayTokenDividend:
    """A period's dividend: the declared profit's share funds the pool, and the pool (with
    the remainders carried from earlier periods) is paid pro rata to the token balances
    held when the command applies. Once per period: the request id is the period."""

    kind: ClassVar[str] = "brand_dividend"
    period: str
    declared_profit_fen: int

    def payload(self) -> dict[str, Any]:
        return {"period": self.period, "declared_profit_fen": self.declared_profit_fen}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["period"], payload["declared_profit_fen"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        rules = brand_rules_from(config)
        funding = fund_dividend_pool(rules, self.declared_profit_fen)
        pool = dividend_pool_of(holdings) + funding.fen
        run = distribute_dividends(pool, token_holders(holdings))
        entries = funding.entries + run.entries
        holdings.apply(entries)
        _pay_cash(engine, run.entries)
        return Outcome(entries, ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        funded = paid = 0
        holders = 0
        for entry in outcome.entries:
            for p in entry.postings:
                if p.account is AccountKind.TOKEN_DIVIDEND_FUNDING:
                    funded -= p.amount
                elif p.account is AccountKind.MEMBER_CASH:
                    paid += p.amount
                    holders += 1
        return {
            "period": self.period,
            "declared_profit_fen": self.declared_profit_fen,
            "funded_fen": funded,
            "paid_fen": paid,
            "holders_paid": holders,
        }


@register
@dataclass(frozen=True, slots=True)
class BuyBackTokens:
    """The platform buys a member's tokens at `price_fen` per whole token (the floor when
    None) and burns them; a price below 80% of cost is refused."""

    kind: ClassVar[str] = "brand_buyback"
    member: str
    tokens_micro: int
    price_fen: int | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "tokens_micro": self.tokens_micro,
            "price_fen": self.price_fen,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["member"], payload["tokens_micro"], payload.get("price_fen"))

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        rules = brand_rules_from(config)
        price = None if self.price_fen is None else Fraction(self.price_fen)
        done = buy_back_tokens(
            rules, self.member, self.tokens_micro, tokens_of(holdings, self.member), price
        )
        holdings.apply([done.entry])
        _pay_cash(engine, (done.entry,))
        return Outcome((done.entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        (entry,) = outcome.entries
        cash = sum(p.amount for p in entry.postings if p.account is AccountKind.MEMBER_CASH)
        return {
            "member": self.member,
            "tokens_micro": self.tokens_micro,
            "price_fen": self.price_fen,
            "payout_fen": cash,
        }


@register
@dataclass(frozen=True, slots=True)
class TransferTokens:
    """A member gives Bean Tokens to another member (tokens are transferable, like the
    seed's ERC-20). Votes do not move with them: a proposal's weights are its snapshot."""

    kind: ClassVar[str] = "brand_transfer"
    member: str
    to: str
    tokens_micro: int

    def payload(self) -> dict[str, Any]:
        return {"member": self.member, "to": self.to, "tokens_micro": self.tokens_micro}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["member"], payload["to"], payload["tokens_micro"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        if type(self.tokens_micro) is not int or self.tokens_micro <= 0:
            raise InvalidAmount(
                "the tokens to give must be a whole number of micro-tokens above zero"
            )
        if self.to == self.member:
            raise SelfTransfer("a member cannot give tokens to themselves")
        legs = transfer(
            Asset.TOKENS,
            self.tokens_micro,
            (AccountKind.MEMBER_TOKENS, self.member),
            (AccountKind.MEMBER_TOKENS, self.to),
        )
        entry = Entry(EntryKind.TOKEN_TRANSFER, self.member, legs)
        holdings.apply([entry])  # refuses more than the member holds
        return Outcome((entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {"member": self.member, "to": self.to, "tokens_micro": self.tokens_micro}
