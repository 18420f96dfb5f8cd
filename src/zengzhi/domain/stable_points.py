"""Two tokens: appreciating points and stable points pegged to cash (mechanisms.md §2, seed 003).

Design, every choice marked (decided) where the rulebook leaves room:

- Units: stable points are counted in micro-stable-points (10⁻⁶), like appreciating points;
  one stable point is worth `peg_fen` fen ([stable] peg_fen = 100: one yuan).
- Where balances live: the pool engine keeps appreciating points, members' cash and the
  treasury as its reserve (points outstanding that no member holds); `Holdings` keeps every
  stable balance (MEMBER_STABLE) and the TREASURY_POINTS account, which always equals the
  engine's reserve because every command moves both by the same amount.
- Holders: a holder is whoever the app layer names, a member or a merchant (the app
  prefixes merchants so the two can never collide). A merchant who exchanges or cashes out
  becomes a holder in the pool engine like a member: its points and its cash wallet are
  the engine's, so `verify` replays them and the existing withdrawal path pays them out.
- Convert (appreciating → stable) at the current price P: the member's n points move to
  the platform treasury (the engine's reserve). They are NOT burned: they stay outstanding,
  so the pool, N and P are unchanged. The member receives
  floor(n × P × (1 − convert_fee) / peg) stable points. (decided) The convert fee stays
  with the platform: the treasury keeps all n points while fewer stable points are issued.
  (decided) The member's cycle spend is unchanged: converting is not a sale and does not
  end the exit cycle.
- Pay: stable points move from a member to a merchant, nothing else. Whether the purchase
  also settles an order into the pool is the order flow's business.
- Exchange (a merchant's stable → appreciating at P): floor(face × (1 − exchange fee) / P)
  points come out of the treasury; the stable points are retired. (decided) The merchant's
  cycle spend grows by the face value in fen (floored), so the forced-exit rule treats the
  merchant like a member who paid that much; without it a holder with no spend would be
  forced out at once. (decided) When the treasury lacks the points the exchange is refused
  (TreasuryShortfall) and nothing moves: minting them instead would lower the price, and
  the merchant can still cash out. It cannot happen while P never falls and every stable
  point came from a conversion: the treasury received face / P_then ≥ face / P_now points.
- Cash out: the stable points are retired and the holder's cash wallet (the engine's
  MEMBER_CASH) receives floor(face × (1 − cashout fee)) fen from the platform's own funds;
  the pool is untouched.
- Buyback (回购, seed 003: a holder who no longer wants the points asks the platform, which
  buys at the real-time price and burns them): the pool's sale rule at P with the economy's
  sell fee, so (decided) [stable] buyback_fee must equal [pool] sell_fee. The points are
  burned, the fee reflows to the pool, P rises to P × (1 + fee × n / (N − n)) (§1), and
  forced exits are checked.
- Fixed total issuance: the engine's `PoolRules.issuance_cap_micro` ends minting on orders;
  treasury moves never mint. (decided) The monthly burn does not touch the treasury: it is
  the platform's holding, not a member's.
- Every floor favours the platform; a request that would round to nothing for the person
  asking is refused (AmountTooSmall) rather than taking their points for nothing.

One implementation: each rule is one function below (`convert`, `pay`, `exchange`,
`cash_out`, `buyback`) over (engine, holdings, rules). The registered commands the writer
stores and `verify` replays call them, and so does `TwoTokenEconomy`, the in-memory
economy the simulator, the golden tests and the benchmarks use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Self

from zengzhi.domain.commands import register
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, transfer
from zengzhi.domain.errors import InsufficientPoints, InvalidAmount, InvalidRule, UnknownMember
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.money import MICRO_PER_POINT, PRICE_SCALE, payee_floor
from zengzhi.domain.pool import Outcome, PoolEngine, PoolState
from zengzhi.domain.rules import PoolRules
from zengzhi.domain.section_fields import fee, section, whole
from zengzhi.domain.token_errors import AmountTooSmall, InsufficientBalance, TreasuryShortfall

_TREASURY = (AccountKind.TREASURY_POINTS, None)
_SUPPLY = (AccountKind.STABLE_SUPPLY, None)


@dataclass(frozen=True, slots=True)
class StableRules:
    """[stable]: the peg and the fees of moving between the two tokens."""

    peg_fen: int = 100
    convert_fee: Fraction = Fraction(0)
    merchant_exchange_fee: Fraction = Fraction(0)
    merchant_cashout_fee: Fraction = Fraction(0)
    buyback_fee: Fraction = Fraction(1, 5)

    def __post_init__(self) -> None:
        if type(self.peg_fen) is not int or self.peg_fen < 1:
            raise InvalidRule("peg_fen must be a whole number of fen, at least 1")
        fees = (
            self.convert_fee,
            self.merchant_exchange_fee,
            self.merchant_cashout_fee,
            self.buyback_fee,
        )
        if not all(0 <= f < 1 for f in fees):
            raise InvalidRule("every [stable] fee must be at least 0 and below 1")


def stable_rules_from(config: EconomyConfig) -> StableRules:
    """Parse [stable]; buyback_fee defaults to, and must equal, the pool's sell fee."""
    keys = {"peg_fen", "convert_fee", "merchant_exchange_fee", "merchant_cashout_fee"}
    table = section(config, "stable", keys | {"buyback_fee"})
    where = "[stable]"
    buyback = fee(table, "buyback_fee", where) if "buyback_fee" in table else None
    if buyback is not None and buyback != config.pool.sell_fee:
        raise InvalidRule(
            "[stable] buyback_fee must equal [pool] sell_fee: buyback is the pool's sale at "
            "the current price"
        )
    return StableRules(
        peg_fen=whole(table, "peg_fen", where, 1, 100),
        convert_fee=fee(table, "convert_fee", where),
        merchant_exchange_fee=fee(table, "merchant_exchange_fee", where),
        merchant_cashout_fee=fee(table, "merchant_cashout_fee", where),
        buyback_fee=config.pool.sell_fee,
    )


# -- quotes: what a move gives, without moving anything ------------------------------


def convert_quote(points_micro: int, price: Fraction, rules: StableRules) -> int:
    """Micro-stable-points that converting `points_micro` at `price` (yuan) gives."""
    _check_positive(points_micro, "points to convert")
    value_fen = points_micro * price / PRICE_SCALE
    keep = 1 - rules.convert_fee
    return _floor(value_fen * keep * MICRO_PER_POINT, rules.peg_fen)


def face_fen(stable_micro: int, rules: StableRules) -> Fraction:
    """What stable points are worth at the peg, in (exact) fen."""
    return Fraction(stable_micro * rules.peg_fen, MICRO_PER_POINT)


def exchange_quote(stable_micro: int, price: Fraction, rules: StableRules) -> int:
    """Micro-points that exchanging `stable_micro` at `price` (yuan) gives."""
    _check_positive(stable_micro, "stable points to exchange")
    keep = 1 - rules.merchant_exchange_fee
    return _floor(face_fen(stable_micro, rules) * keep * PRICE_SCALE / price, 1)


def cash_out_quote(stable_micro: int, rules: StableRules) -> int:
    """Fen that cashing out `stable_micro` pays."""
    _check_positive(stable_micro, "stable points to cash out")
    keep = 1 - rules.merchant_cashout_fee
    return _floor(stable_micro * rules.peg_fen * keep, MICRO_PER_POINT)


# -- the rules: each decides its entries, checks the holdings, then moves the engine --


def convert(
    engine: PoolEngine, holdings: Holdings, rules: StableRules, member: str, points_micro: int
) -> Outcome:
    """Appreciating points to the treasury at P; stable points to the member."""
    stable = convert_quote(points_micro, engine.price(), rules)
    # a holder the engine does not know yet (no settled order) holds no points
    held = engine.member(member).points_micro if engine.has_member(member) else 0
    if points_micro > held:
        raise InsufficientPoints(
            f"{member!r} holds {held} micro-points and cannot convert {points_micro}"
        )
    if stable == 0:
        raise AmountTooSmall("so few points would convert to no stable points at all")
    postings = (
        *transfer(Asset.POINTS, points_micro, (AccountKind.MEMBER_POINTS, member), _TREASURY),
        *transfer(Asset.STABLE, stable, _SUPPLY, (AccountKind.MEMBER_STABLE, member)),
    )
    entry = Entry(EntryKind.STABLE_CONVERSION, member, postings)
    holdings.apply([entry])
    engine.move_to_reserve(member, points_micro)
    return Outcome((entry,), ())


def pay(holdings: Holdings, payer: str, payee: str, stable_micro: int) -> Outcome:
    """A member pays a merchant in stable points."""
    _check_positive(stable_micro, "stable points to pay")
    if payer == payee:
        raise InvalidAmount("a payment needs two different holders")
    postings = transfer(
        Asset.STABLE,
        stable_micro,
        (AccountKind.MEMBER_STABLE, payer),
        (AccountKind.MEMBER_STABLE, payee),
    )
    entry = Entry(EntryKind.STABLE_PAYMENT, payer, postings)
    _check_holds(holdings, payer, stable_micro, "pay")
    holdings.apply([entry])
    return Outcome((entry,), ())


def exchange(
    engine: PoolEngine, holdings: Holdings, rules: StableRules, holder: str, stable_micro: int
) -> Outcome:
    """A merchant's stable points back to appreciating points at P, from the treasury."""
    points = exchange_quote(stable_micro, engine.price(), rules)
    _check_holds(holdings, holder, stable_micro, "exchange")
    if points == 0:
        raise AmountTooSmall("so few stable points would exchange to no points at all")
    treasury = holdings.balance(AccountKind.TREASURY_POINTS, None, Asset.POINTS)
    if points > treasury:
        raise TreasuryShortfall(
            f"the platform treasury holds {treasury} micro-points and cannot "
            f"hand out {points}; cash the stable points out instead"
        )
    postings = (
        *transfer(Asset.STABLE, stable_micro, (AccountKind.MEMBER_STABLE, holder), _SUPPLY),
        *transfer(Asset.POINTS, points, _TREASURY, (AccountKind.MEMBER_POINTS, holder)),
    )
    entry = Entry(EntryKind.STABLE_EXCHANGE, holder, postings)
    holdings.apply([entry])
    outcome = engine.move_from_reserve(holder, points, _floor(face_fen(stable_micro, rules), 1))
    return Outcome((entry, *outcome.entries), outcome.events)


def cash_out(
    engine: PoolEngine, holdings: Holdings, rules: StableRules, holder: str, stable_micro: int
) -> Outcome:
    """A merchant's stable points retired for cash, less the cash-out fee."""
    payout = cash_out_quote(stable_micro, rules)
    _check_holds(holdings, holder, stable_micro, "cash out")
    if payout == 0:
        raise AmountTooSmall("so few stable points would cash out to less than one fen")
    postings = (
        *transfer(Asset.STABLE, stable_micro, (AccountKind.MEMBER_STABLE, holder), _SUPPLY),
        *transfer(
            Asset.CASH,
            payout,
            (AccountKind.PLATFORM_FUNDING, None),
            (AccountKind.MEMBER_CASH, holder),
        ),
    )
    entry = Entry(EntryKind.STABLE_CASHOUT, holder, postings)
    holdings.apply([entry])
    engine.give_cash(holder, payout)
    return Outcome((entry,), ())


def buyback(
    engine: PoolEngine, rules: StableRules, holder: str, points_micro: int | None
) -> Outcome:
    """The platform buys points at P with the sell fee and burns them (all when None)."""
    if engine.rules.sell_fee != rules.buyback_fee:
        raise InvalidRule("the buyback fee no longer equals the pool's sell fee")
    if not engine.has_member(holder):  # an unknown holder is refused, not enrolled
        raise UnknownMember(f"no member {holder!r} in this economy")
    if points_micro is not None:
        _check_positive(points_micro, "points to buy back")
    held = engine.member(holder).points_micro
    if points_micro is None and held == 0:
        raise InvalidAmount(f"{holder!r} holds no points to buy back")
    outcome = engine.sell(holder, points_micro)
    entries = tuple(
        e._replace(kind=EntryKind.BUYBACK) if e.kind is EntryKind.SALE else e
        for e in outcome.entries
    )
    return Outcome(entries, outcome.events)


# -- the commands the writer stores and `verify` replays -----------------------------


@register
@dataclass(frozen=True, slots=True)
class ConvertToStable:
    """A member converts appreciating points to stable points at the current price."""

    kind: ClassVar[str] = "stable_convert"
    member: str
    points_micro: int

    def payload(self) -> dict[str, Any]:
        return {"member": self.member, "points_micro": self.points_micro}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["member"], payload["points_micro"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        return convert(engine, holdings, stable_rules_from(config), self.member, self.points_micro)

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {
            "member": self.member,
            "points_micro": self.points_micro,
            "stable_micro": _moved(outcome, AccountKind.MEMBER_STABLE, self.member),
        }


@register
@dataclass(frozen=True, slots=True)
class PayStable:
    """A member pays a merchant (optionally one of its stores) in stable points."""

    kind: ClassVar[str] = "stable_pay"
    payer: str
    payee: str
    stable_micro: int
    store: str | None = None  # recorded for the merchant's books; the merchant holds

    def payload(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "payee": self.payee,
            "stable_micro": self.stable_micro,
            "store": self.store,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(
            payload["payer"], payload["payee"], payload["stable_micro"], payload.get("store")
        )

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        return pay(holdings, self.payer, self.payee, self.stable_micro)

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "payee": self.payee,
            "store": self.store,
            "stable_micro": self.stable_micro,
        }


@register
@dataclass(frozen=True, slots=True)
class ExchangeStable:
    """A merchant exchanges stable points back to appreciating points at the price."""

    kind: ClassVar[str] = "stable_exchange"
    holder: str
    stable_micro: int

    def payload(self) -> dict[str, Any]:
        return {"holder": self.holder, "stable_micro": self.stable_micro}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["holder"], payload["stable_micro"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        rules = stable_rules_from(config)
        return exchange(engine, holdings, rules, self.holder, self.stable_micro)

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {
            "holder": self.holder,
            "stable_micro": self.stable_micro,
            "points_micro": _moved(outcome, AccountKind.MEMBER_POINTS, self.holder),
        }


@register
@dataclass(frozen=True, slots=True)
class CashOutStable:
    """A merchant cashes stable points out to its cash wallet, less the cash-out fee."""

    kind: ClassVar[str] = "stable_cashout"
    holder: str
    stable_micro: int

    def payload(self) -> dict[str, Any]:
        return {"holder": self.holder, "stable_micro": self.stable_micro}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["holder"], payload["stable_micro"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        rules = stable_rules_from(config)
        return cash_out(engine, holdings, rules, self.holder, self.stable_micro)

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {
            "holder": self.holder,
            "stable_micro": self.stable_micro,
            "cash_fen": _moved(outcome, AccountKind.MEMBER_CASH, self.holder),
        }


@register
@dataclass(frozen=True, slots=True)
class BuyBack:
    """The platform buys a holder's points at the price with the sell fee and burns them."""

    kind: ClassVar[str] = "stable_buyback"
    holder: str
    points_micro: int | None  # None: all the holder's points

    def payload(self) -> dict[str, Any]:
        return {"holder": self.holder, "points_micro": self.points_micro}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["holder"], payload["points_micro"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        return buyback(engine, stable_rules_from(config), self.holder, self.points_micro)

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        bought = outcome.entries[0]  # a buyback always has its own entry first
        return {
            "holder": self.holder,
            "burned_micro": -sum(
                p.amount for p in bought.postings if p.account is AccountKind.MEMBER_POINTS
            ),
            "cash_fen": sum(
                p.amount for p in bought.postings if p.account is AccountKind.MEMBER_CASH
            ),
        }


# -- an in-memory two-token economy (simulator, golden tests, benchmarks) ------------


@dataclass(frozen=True, slots=True)
class TwoTokenState:
    """The pool's state (its reserve is the treasury) and every stable balance."""

    pool: PoolState
    stable: tuple[tuple[str, int], ...]  # by holder, sorted


class TwoTokenEconomy:
    """A PoolEngine plus its Holdings: convert, pay, exchange, cash out, buy back."""

    def __init__(self, engine: PoolEngine, rules: StableRules) -> None:
        self._engine = engine
        self._rules = rules
        treasury = {
            (AccountKind.TREASURY_POINTS.value, "", Asset.POINTS.value): engine.reserve_micro
        }
        self._holdings = Holdings(treasury)

    # -- reading -----------------------------------------------------------------

    @property
    def engine(self) -> PoolEngine:
        return self._engine

    @property
    def rules(self) -> StableRules:
        return self._rules

    @property
    def holdings(self) -> Holdings:
        return self._holdings

    @property
    def treasury_micro(self) -> int:
        """Appreciating points the platform holds: outstanding, counted in the price."""
        return self._holdings.balance(AccountKind.TREASURY_POINTS, None, Asset.POINTS)

    @property
    def stable_outstanding(self) -> int:
        return sum(amount for _, amount in self._stable())

    def stable_of(self, holder: str) -> int:
        return self._holdings.balance(AccountKind.MEMBER_STABLE, holder, Asset.STABLE)

    def state(self) -> TwoTokenState:
        return TwoTokenState(self._engine.state(), self._stable())

    @classmethod
    def restore(
        cls, pool_rules: PoolRules, rules: StableRules, state: TwoTokenState
    ) -> TwoTokenEconomy:
        economy = cls(PoolEngine.restore(pool_rules, state.pool), rules)
        kind, asset = AccountKind.MEMBER_STABLE.value, Asset.STABLE.value
        stable = {(kind, holder, asset): amount for holder, amount in state.stable}
        economy._holdings = Holdings({**dict(economy._holdings.items()), **stable})
        return economy

    # -- commands ----------------------------------------------------------------

    def convert(self, member_id: str, points_micro: int) -> Outcome:
        return convert(self._engine, self._holdings, self._rules, member_id, points_micro)

    def pay(self, member_id: str, merchant_id: str, stable_micro: int) -> Outcome:
        return pay(self._holdings, member_id, merchant_id, stable_micro)

    def exchange(self, merchant_id: str, stable_micro: int) -> Outcome:
        return exchange(self._engine, self._holdings, self._rules, merchant_id, stable_micro)

    def cash_out(self, merchant_id: str, stable_micro: int) -> Outcome:
        return cash_out(self._engine, self._holdings, self._rules, merchant_id, stable_micro)

    def buyback(self, member_id: str, points_micro: int | None) -> Outcome:
        return buyback(self._engine, self._rules, member_id, points_micro)

    def _stable(self) -> tuple[tuple[str, int], ...]:
        kind = AccountKind.MEMBER_STABLE.value
        return tuple(
            sorted(
                (holder, amount) for (k, holder, _), amount in self._holdings.items() if k == kind
            )
        )


# -- internals -------------------------------------------------------------------


def _check_holds(holdings: Holdings, holder: str, stable_micro: int, action: str) -> None:
    held = holdings.balance(AccountKind.MEMBER_STABLE, holder, Asset.STABLE)
    if stable_micro > held:
        raise InsufficientBalance(
            f"{holder!r} holds {held} micro-stable-points and cannot {action} {stable_micro}"
        )


def _check_positive(value: int, what: str) -> None:
    if type(value) is not int or value <= 0:
        raise InvalidAmount(f"the {what} must be a whole number above zero, not {value!r}")


def _floor(value: Fraction | int, divisor: int) -> int:
    """floor(value / divisor) for a non-negative exact value: the payee's side."""
    exact = Fraction(value) / divisor
    return payee_floor(exact.numerator, exact.denominator)


def _moved(outcome: Outcome, kind: AccountKind, holder: str) -> int:
    """What flowed into `holder`'s account of `kind` in the outcome."""
    return sum(
        p.amount
        for e in outcome.entries
        for p in e.postings
        if p.account is kind and p.holder == holder and p.amount > 0
    )
