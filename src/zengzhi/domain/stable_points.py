"""Two tokens: appreciating points and stable points pegged to cash (mechanisms.md §2, seed 003).

Design, every choice marked (decided) where the rulebook leaves room:

- Units: stable points are counted in micro-stable-points (10⁻⁶), like appreciating points;
  one stable point is worth `peg_fen` fen ([stable] peg_fen = 100: one yuan).
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
- Cash out: the stable points are retired and the merchant's cash wallet receives
  floor(face × (1 − cashout fee)) fen from the platform's own funds; the pool is untouched.
  (This cash is not in the engine's MemberState.cash_fen, which counts pool sale proceeds;
  the ledger sums both.)
- Buyback (回购): the pool's sale rule at P with the economy's sell fee, so (decided)
  [stable] buyback_fee must equal [pool] sell_fee. The points are burned, the fee reflows to
  the pool, P rises to P × (1 + fee × n / (N − n)) (§1), and forced exits are checked.
- Fixed total issuance: the engine's `PoolRules.issuance_cap_micro` ends minting on orders;
  treasury moves never mint. (decided) The monthly burn does not touch the treasury: it is
  the platform's holding, not a member's.
- Every floor favours the platform; a request that would round to nothing for the person
  asking is refused (AmountTooSmall) rather than taking their points for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, transfer
from zengzhi.domain.errors import InsufficientPoints, InvalidAmount, InvalidRule
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


@dataclass(frozen=True, slots=True)
class TwoTokenState:
    """The pool's state (its reserve is the treasury) and every stable balance."""

    pool: PoolState
    stable: tuple[tuple[str, int], ...]


class TwoTokenEconomy:
    """A PoolEngine plus stable balances: convert, pay, exchange, cash out, buy back."""

    def __init__(self, engine: PoolEngine, rules: StableRules) -> None:
        self._engine = engine
        self._rules = rules
        self._stable: dict[str, int] = {}

    # -- reading -----------------------------------------------------------------

    @property
    def engine(self) -> PoolEngine:
        return self._engine

    @property
    def rules(self) -> StableRules:
        return self._rules

    @property
    def treasury_micro(self) -> int:
        """Appreciating points the platform holds: outstanding, counted in the price."""
        return self._engine.reserve_micro

    @property
    def stable_outstanding(self) -> int:
        return sum(self._stable.values())

    def stable_of(self, holder: str) -> int:
        return self._stable.get(holder, 0)

    def state(self) -> TwoTokenState:
        return TwoTokenState(self._engine.state(), tuple(self._stable.items()))

    @classmethod
    def restore(
        cls, pool_rules: PoolRules, rules: StableRules, state: TwoTokenState
    ) -> TwoTokenEconomy:
        economy = cls(PoolEngine.restore(pool_rules, state.pool), rules)
        economy._stable = dict(state.stable)
        return economy

    # -- commands ----------------------------------------------------------------

    def convert(self, member_id: str, points_micro: int) -> Outcome:
        """Appreciating points to the treasury at P; stable points to the member."""
        _check_positive(points_micro, "points to convert")
        held = self._engine.member(member_id).points_micro
        if points_micro > held:
            raise InsufficientPoints(
                f"member {member_id!r} holds {held} micro-points and cannot convert {points_micro}"
            )
        value_fen = points_micro * self._engine.price() / PRICE_SCALE
        keep = 1 - self._rules.convert_fee
        stable = _floor(value_fen * keep * MICRO_PER_POINT, self._rules.peg_fen)
        if stable == 0:
            raise AmountTooSmall("so few points would convert to no stable points at all")
        self._engine.move_to_reserve(member_id, points_micro)
        self._add(member_id, stable)
        postings = (
            *transfer(
                Asset.POINTS, points_micro, (AccountKind.MEMBER_POINTS, member_id), _TREASURY
            ),
            *transfer(Asset.STABLE, stable, _SUPPLY, (AccountKind.MEMBER_STABLE, member_id)),
        )
        return Outcome((Entry(EntryKind.STABLE_CONVERSION, member_id, postings),), ())

    def pay(self, member_id: str, merchant_id: str, stable_micro: int) -> Outcome:
        """A member pays a merchant in stable points."""
        self._take(member_id, stable_micro, "pay")
        self._add(merchant_id, stable_micro)
        postings = transfer(
            Asset.STABLE,
            stable_micro,
            (AccountKind.MEMBER_STABLE, member_id),
            (AccountKind.MEMBER_STABLE, merchant_id),
        )
        return Outcome((Entry(EntryKind.STABLE_PAYMENT, member_id, postings),), ())

    def exchange(self, merchant_id: str, stable_micro: int) -> Outcome:
        """A merchant's stable points back to appreciating points at P, from the treasury."""
        self._check_holds(merchant_id, stable_micro, "exchange")
        face_fen = Fraction(stable_micro * self._rules.peg_fen, MICRO_PER_POINT)
        keep = 1 - self._rules.merchant_exchange_fee
        points = _floor(face_fen * keep * PRICE_SCALE / self._engine.price(), 1)
        if points == 0:
            raise AmountTooSmall("so few stable points would exchange to no points at all")
        if points > self.treasury_micro:
            raise TreasuryShortfall(
                f"the platform treasury holds {self.treasury_micro} micro-points and cannot "
                f"hand out {points}; cash the stable points out instead"
            )
        outcome = self._engine.move_from_reserve(merchant_id, points, _floor(face_fen, 1))
        self._take(merchant_id, stable_micro, "exchange")
        postings = (
            *transfer(
                Asset.STABLE, stable_micro, (AccountKind.MEMBER_STABLE, merchant_id), _SUPPLY
            ),
            *transfer(Asset.POINTS, points, _TREASURY, (AccountKind.MEMBER_POINTS, merchant_id)),
        )
        entry = Entry(EntryKind.STABLE_EXCHANGE, merchant_id, postings)
        return Outcome((entry, *outcome.entries), outcome.events)

    def cash_out(self, merchant_id: str, stable_micro: int) -> Outcome:
        """A merchant's stable points retired for cash, less the cash-out fee."""
        self._check_holds(merchant_id, stable_micro, "cash out")
        keep = 1 - self._rules.merchant_cashout_fee
        payout = _floor(stable_micro * self._rules.peg_fen * keep, MICRO_PER_POINT)
        if payout == 0:
            raise AmountTooSmall("so few stable points would cash out to less than one fen")
        self._take(merchant_id, stable_micro, "cash out")
        postings = (
            *transfer(
                Asset.STABLE, stable_micro, (AccountKind.MEMBER_STABLE, merchant_id), _SUPPLY
            ),
            *transfer(
                Asset.CASH,
                payout,
                (AccountKind.PLATFORM_FUNDING, None),
                (AccountKind.MEMBER_CASH, merchant_id),
            ),
        )
        return Outcome((Entry(EntryKind.STABLE_CASHOUT, merchant_id, postings),), ())

    def buyback(self, member_id: str, points_micro: int | None) -> Outcome:
        """The platform buys points at P with the sell fee and burns them (all when None)."""
        if self._engine.rules.sell_fee != self._rules.buyback_fee:
            raise InvalidRule("the buyback fee no longer equals the pool's sell fee")
        self._engine.member(member_id)  # an unknown member is refused, not enrolled
        outcome = self._engine.sell(member_id, points_micro)
        entries = tuple(
            e._replace(kind=EntryKind.BUYBACK) if e.kind is EntryKind.SALE else e
            for e in outcome.entries
        )
        return Outcome(entries, outcome.events)

    # -- internals ---------------------------------------------------------------

    def _check_holds(self, holder: str, stable_micro: int, action: str) -> None:
        _check_positive(stable_micro, f"stable points to {action}")
        held = self._stable.get(holder, 0)
        if stable_micro > held:
            raise InsufficientBalance(
                f"{holder!r} holds {held} micro-stable-points and cannot {action} {stable_micro}"
            )

    def _take(self, holder: str, stable_micro: int, action: str) -> None:
        self._check_holds(holder, stable_micro, action)
        self._stable[holder] -= stable_micro

    def _add(self, holder: str, stable_micro: int) -> None:
        self._stable[holder] = self._stable.get(holder, 0) + stable_micro


def _check_positive(value: int, what: str) -> None:
    if type(value) is not int or value <= 0:
        raise InvalidAmount(f"the {what} must be a whole number above zero, not {value!r}")


def _floor(value: Fraction | int, divisor: int) -> int:
    """floor(value / divisor) for a non-negative exact value: the payee's side."""
    exact = Fraction(value) / divisor
    return payee_floor(exact.numerator, exact.denominator)
