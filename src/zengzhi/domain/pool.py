"""The appreciating-points pool (mechanisms.md §1), exact to the fen and the micro-point.

Design: the engine holds the state of one economy's pool (cash F in fen, points N in
micro-points, the members' points, cash and cycle spend) and applies one command at a
time. Each command returns an `Outcome`: the balanced ledger entries it decided and the
domain events worth telling (exits, the issuance cap). Nothing here does I/O, reads a
clock or draws a random number; persistence and replay build on these outcomes.

Arithmetic: the price is the rational F·10⁴/N yuan per point and is never rounded inside
the books. Every amount paid or minted is one exact rational floored once
(`money.payee_floor`), so every remainder stays with the pool.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, Posting
from zengzhi.domain.errors import (
    InsufficientCash,
    InsufficientPoints,
    InvalidAmount,
    UnknownMember,
)
from zengzhi.domain.exit_index import IndexRow, price_key, threshold_key
from zengzhi.domain.money import PRICE_SCALE, price_of
from zengzhi.domain.rules import PoolRules

# Commands ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SettleOrder:
    """A settled order: `amount_fen` counts as cycle spend, `pool_fen` feeds the pool."""

    member: str
    amount_fen: int
    pool_fen: int


@dataclass(frozen=True, slots=True)
class SellPoints:
    """Sell `points_micro` points, or all of them when it is None."""

    member: str
    points_micro: int | None


@dataclass(frozen=True, slots=True)
class Burn:
    """Burn `rate` of every holder's points (monthly burn); the pool is untouched."""

    rate: Fraction


@dataclass(frozen=True, slots=True)
class Inject:
    """Operator financing: cash into the pool, no points minted."""

    amount_fen: int


Command = SettleOrder | SellPoints | Burn | Inject


# Domain events ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberExited:
    """A member crossed the exit line and all their points were sold."""

    member: str
    points_micro: int
    payout_fen: int
    spend_fen: int


@dataclass(frozen=True, slots=True)
class IssuanceCapReached:
    """Minting has reached the cap: later orders feed the pool but mint nothing."""

    issued_micro: int


DomainEvent = MemberExited | IssuanceCapReached


class Outcome(NamedTuple):
    """What one command decided: entries to persist, events to tell."""

    entries: tuple[Entry, ...]
    events: tuple[DomainEvent, ...]

    @property
    def exits(self) -> tuple[MemberExited, ...]:
        return tuple(e for e in self.events if isinstance(e, MemberExited))


# State ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberState:
    """A member's position, as read from the engine."""

    member: str
    points_micro: int
    cash_fen: int
    cycle_spend_fen: int
    exits: int


@dataclass(frozen=True, slots=True)
class PoolState:
    """Everything needed to continue an economy: save it, restore it, compare it."""

    pool_fen: int
    points_micro: int
    issued_micro: int
    # the price to use while no points are outstanding (yuan per point)
    idle_price: Fraction
    members: tuple[MemberState, ...]


class _Member:
    __slots__ = ("cash", "exits", "id", "points", "seq", "spend", "version")

    def __init__(self, member_id: str, seq: int) -> None:
        self.id = member_id
        self.seq = seq
        self.points = 0
        self.cash = 0
        self.spend = 0
        self.exits = 0
        self.version = 0

    def state(self) -> MemberState:
        return MemberState(self.id, self.points, self.cash, self.spend, self.exits)


_POOL = AccountKind.POOL
_FUNDING = AccountKind.ORDER_FUNDING
_HELD = AccountKind.MEMBER_POINTS
_SUPPLY = AccountKind.POINTS_SUPPLY
_CASH = Asset.CASH
_POINTS = Asset.POINTS


class PoolEngine:
    """One economy's appreciating-points pool. Apply commands; read prices and positions."""

    def __init__(self, rules: PoolRules) -> None:
        self._members: dict[str, _Member] = {}
        self._pool = 0
        self._points = 0
        self._issued = 0
        self._idle_num = rules.initial_price.numerator
        self._idle_den = rules.initial_price.denominator
        # the exit index: a heap of IndexRow; stale rows are skipped and compacted away
        self._heap: list[IndexRow] = []
        self._compact_at = 1024
        # §2 (tokens): points outstanding that no member holds (the platform treasury)
        self._reserve = 0
        self._set_rules(rules)

    # -- reading -----------------------------------------------------------------

    @property
    def rules(self) -> PoolRules:
        return self._rules

    @property
    def pool_fen(self) -> int:
        return self._pool

    @property
    def points_micro(self) -> int:
        return self._points

    @property
    def issued_micro(self) -> int:
        return self._issued

    @property
    def reserve_micro(self) -> int:
        """Points outstanding held outside the members (§2 treasury): counted in N."""
        return self._reserve

    def price(self) -> Fraction:
        """Yuan per point now; with nothing outstanding, the last price the economy had."""
        if self._points:
            return price_of(self._pool, self._points)
        return Fraction(self._idle_num, self._idle_den)

    def member(self, member_id: str) -> MemberState:
        found = self._members.get(member_id)
        if found is None:
            raise UnknownMember(f"no member {member_id!r} in this economy")
        return found.state()

    def has_member(self, member_id: str) -> bool:
        return member_id in self._members

    def members(self) -> Iterator[MemberState]:
        """Members in the order they joined."""
        return (m.state() for m in self._members.values())

    @property
    def member_count(self) -> int:
        return len(self._members)

    def newest_members(self, count: int) -> list[str]:
        """The last `count` members to join, in the order they joined."""
        newest: list[str] = []
        for member_id in reversed(self._members):
            if len(newest) == count:
                break
            newest.append(member_id)
        newest.reverse()
        return newest

    def exit_price(self, member_id: str) -> Fraction | None:
        """The price at which this member would be forced out, if they hold points."""
        m = self._members.get(member_id)
        if m is None or not m.points or self._rules.exit_multiple is None:
            return None
        return self._rules.exit_multiple * m.spend * PRICE_SCALE / m.points

    def state(self) -> PoolState:
        return PoolState(
            pool_fen=self._pool,
            points_micro=self._points,
            issued_micro=self._issued,
            idle_price=Fraction(self._idle_num, self._idle_den),
            members=tuple(self.members()),
        )

    @classmethod
    def restore(cls, rules: PoolRules, state: PoolState) -> PoolEngine:
        """Continue from a saved state; the exit index is rebuilt from the members."""
        engine = cls(rules)
        engine._pool = state.pool_fen
        engine._points = state.points_micro
        engine._issued = state.issued_micro
        engine._idle_num = state.idle_price.numerator
        engine._idle_den = state.idle_price.denominator
        for ms in state.members:
            m = engine._join(ms.member)
            m.points, m.cash, m.spend, m.exits = (
                ms.points_micro,
                ms.cash_fen,
                ms.cycle_spend_fen,
                ms.exits,
            )
        engine._reserve = state.points_micro - sum(ms.points_micro for ms in state.members)
        engine._reindex_all()
        return engine

    # -- membership and rules ----------------------------------------------------

    def _join(self, member_id: str) -> _Member:
        """The member, added (at the end of the join order) if new."""
        m = self._members.get(member_id)
        if m is None:
            m = _Member(member_id, len(self._members))
            self._members[member_id] = m
        return m

    def add_member(self, member_id: str) -> MemberState:
        return self._join(member_id).state()

    def change_rules(self, rules: PoolRules) -> Outcome:
        """Apply new rules from now on; a lower exit multiple may force exits at once."""
        self._set_rules(rules)
        self._reindex_all()
        return self._finish([], [])

    def _set_rules(self, rules: PoolRules) -> None:
        self._rules = rules
        self._keep = 1 - rules.sell_fee
        self._ratio_num = rules.points_ratio.numerator
        self._ratio_den = rules.points_ratio.denominator
        multiple = rules.exit_multiple
        self._mult_num = multiple.numerator if multiple is not None else 0
        self._mult_den = multiple.denominator if multiple is not None else 1
        self._exits_on = multiple is not None

    # -- commands ----------------------------------------------------------------

    def apply(self, command: Command) -> Outcome:
        if type(command) is SettleOrder:
            return self.settle_order(command.member, command.amount_fen, command.pool_fen)
        if isinstance(command, SellPoints):
            return self.sell(command.member, command.points_micro)
        if isinstance(command, Burn):
            return self.burn(command.rate)
        return self.inject(command.amount_fen)

    def settle_order(self, member_id: str, amount_fen: int, pool_fen: int) -> Outcome:
        """Mint at the price before the order, grow the pool, count the spend, check exits."""
        if (
            type(amount_fen) is not int
            or type(pool_fen) is not int
            or amount_fen < 0
            or pool_fen < 0
        ):
            _check_amount(amount_fen, "order amount")
            _check_amount(pool_fen, "pool contribution")
        m = self._members.get(member_id) or self._join(member_id)
        if self._points:
            # points_ratio × C / (F·10⁴/N) in points = ratio × C × N / F in micro-points
            minted = (self._ratio_num * pool_fen * self._points) // (self._ratio_den * self._pool)
        else:
            minted = (self._ratio_num * pool_fen * PRICE_SCALE * self._idle_den) // (
                self._ratio_den * self._idle_num
            )
        events: list[DomainEvent] = []
        cap = self._rules.issuance_cap_micro
        if cap is not None and self._issued + minted >= cap:
            if self._issued < cap:
                events.append(IssuanceCapReached(cap))
            minted = max(0, cap - self._issued)
        self._pool += pool_fen
        self._points += minted
        self._issued += minted
        m.points += minted
        m.spend += amount_fen
        self._touch(m)
        cash = (
            (Posting(_FUNDING, None, _CASH, -pool_fen), Posting(_POOL, None, _CASH, pool_fen))
            if pool_fen
            else ()
        )
        points = (
            (Posting(_SUPPLY, None, _POINTS, -minted), Posting(_HELD, member_id, _POINTS, minted))
            if minted
            else ()
        )
        return self._finish([Entry(EntryKind.ORDER, member_id, cash + points)], events)

    def sell(self, member_id: str, points_micro: int | None) -> Outcome:
        """Sell points at the current price less the fee; the fee stays in the pool."""
        m = self._join(member_id)
        n = m.points if points_micro is None else points_micro
        _check_amount(n, "points to sell")
        if n > m.points:
            raise InsufficientPoints(
                f"member {member_id!r} holds {m.points} micro-points and cannot sell {n}"
            )
        if n == 0:
            return Outcome((), ())
        entry, _ = self._sell(m, n, EntryKind.SALE)
        self._touch(m)
        return self._finish([entry], [])

    def burn(self, rate: Fraction) -> Outcome:
        """Burn floor(points × rate) of every holder's points."""
        if not 0 <= rate <= 1:
            raise InvalidAmount("a burn rate must be between 0 and 1")
        postings: list[Posting] = []
        burned = 0
        for m in self._members.values():
            b = (m.points * rate.numerator) // rate.denominator
            if b:
                m.points -= b
                burned += b
                postings.append(Posting(AccountKind.MEMBER_POINTS, m.id, _POINTS, -b))
        if not burned:
            return Outcome((), ())
        postings.append(Posting(_SUPPLY, None, _POINTS, burned))
        if burned == self._points:
            self._remember_price()
        self._points -= burned
        self._reindex_all()
        return self._finish([Entry(EntryKind.BURN, None, tuple(postings))], [])

    def inject(self, amount_fen: int) -> Outcome:
        """Operator financing: the pool grows, nothing is minted."""
        _check_amount(amount_fen, "injection")
        if amount_fen == 0:
            return Outcome((), ())
        self._pool += amount_fen
        postings = (
            Posting(AccountKind.INJECTION_FUNDING, None, _CASH, -amount_fen),
            Posting(_POOL, None, _CASH, amount_fen),
        )
        return self._finish([Entry(EntryKind.INJECTION, None, postings)], [])

    # -- the reserve: points outstanding that no member holds (§2 tokens) ---------

    def move_to_reserve(self, member_id: str, points_micro: int) -> None:
        """Take points from a member without burning them: N and the price are unchanged.

        The caller records where they went (e.g. the §2 platform treasury) in its entries.
        """
        m = self._members.get(member_id)
        if m is None:
            raise UnknownMember(f"no member {member_id!r} in this economy")
        _check_amount(points_micro, "points to move")
        if points_micro > m.points:
            raise InsufficientPoints(
                f"member {member_id!r} holds {m.points} micro-points, not {points_micro}"
            )
        m.points -= points_micro
        self._reserve += points_micro
        self._touch(m)

    def move_from_reserve(self, member_id: str, points_micro: int, spend_fen: int) -> Outcome:
        """Hand reserve points to a member, counting `spend_fen` as their cycle spend.

        N and the price are unchanged; exits are checked as after any change of holdings.
        """
        _check_amount(points_micro, "points to move")
        _check_amount(spend_fen, "spend")
        if points_micro > self._reserve:
            raise InsufficientPoints(
                f"the reserve holds {self._reserve} micro-points, not {points_micro}"
            )
        m = self._join(member_id)
        self._reserve -= points_micro
        m.points += points_micro
        m.spend += spend_fen
        self._touch(m)
        return self._finish([], [])

    # -- member wallets (issue 4): withdrawals and operator adjustments ------------

    def take_cash(self, member_id: str, amount_fen: int) -> None:
        """Take cash out of a member's wallet (the caller records where it went)."""
        m = self._members.get(member_id)
        if m is None:
            raise UnknownMember(f"no member {member_id!r} in this economy")
        _check_amount(amount_fen, "cash amount")
        if amount_fen > m.cash:
            raise InsufficientCash(
                f"member {member_id!r} has {m.cash} fen in cash and cannot take out {amount_fen}"
            )
        m.cash -= amount_fen

    def give_cash(self, member_id: str, amount_fen: int) -> None:
        """Put cash into a member's wallet (the caller records where it came from)."""
        _check_amount(amount_fen, "cash amount")
        self._join(member_id).cash += amount_fen

    def adjust_points(self, member_id: str, delta_micro: int) -> Outcome:
        """Mint (positive) or burn (negative) a member's points by hand: N and the price move.

        Minted points count as issued (the cap applies); exits are checked afterwards.
        """
        if type(delta_micro) is not int or delta_micro == 0:
            raise InvalidAmount("a points adjustment must be a non-zero whole number")
        if delta_micro > 0:
            cap = self._rules.issuance_cap_micro
            if cap is not None and self._issued + delta_micro > cap:
                raise InvalidAmount("the adjustment would mint beyond the issuance cap")
            m = self._join(member_id)
            self._points += delta_micro
            self._issued += delta_micro
            m.points += delta_micro
            postings = (
                Posting(_SUPPLY, None, _POINTS, -delta_micro),
                Posting(_HELD, member_id, _POINTS, delta_micro),
            )
        else:
            found = self._members.get(member_id)
            n = -delta_micro
            if found is None or n > found.points:
                held = 0 if found is None else found.points
                raise InsufficientPoints(
                    f"member {member_id!r} holds {held} micro-points; {n} cannot be taken"
                )
            m = found
            if n == self._points:
                self._remember_price()
            self._points -= n
            m.points -= n
            postings = (
                Posting(_HELD, member_id, _POINTS, -n),
                Posting(_SUPPLY, None, _POINTS, n),
            )
        self._touch(m)
        return self._finish([Entry(EntryKind.ADJUSTMENT, member_id, postings)], [])

    # -- internals ---------------------------------------------------------------

    def _sell(self, m: _Member, n: int, kind: EntryKind) -> tuple[Entry, int]:
        """Burn n of m's points, pay floor(n × F × (1 − fee) / N) into m's cash wallet."""
        if n == self._points:
            self._remember_price()
        payout = sale_payout(n, self._pool, self._points, self._keep)
        self._pool -= payout
        self._points -= n
        m.points -= n
        m.cash += payout
        postings = (
            Posting(AccountKind.MEMBER_POINTS, m.id, _POINTS, -n),
            Posting(_SUPPLY, None, _POINTS, n),
            Posting(_POOL, None, _CASH, -payout),
            Posting(AccountKind.MEMBER_CASH, m.id, _CASH, payout),
        )
        return Entry(kind, m.id, postings), payout

    def _remember_price(self) -> None:
        """The last points are leaving: keep their price for when none are outstanding."""
        last = price_of(self._pool, self._points)
        self._idle_num, self._idle_den = last.numerator, last.denominator

    def _touch(self, m: _Member) -> None:
        """m's points or spend changed: file a fresh exit-index row for them."""
        m.version += 1
        if self._exits_on and m.points:
            key = threshold_key(self._mult_num, self._mult_den, m.spend, m.points)
            heapq.heappush(self._heap, (key, m.seq, m.id, m.version))
            if len(self._heap) > self._compact_at:
                self._reindex_all()

    def _reindex_all(self) -> None:
        """Rebuild the exit index from every holder, O(n): after burns, rule changes, and
        when stale rows outnumber live ones."""
        rows: list[IndexRow] = []
        if self._exits_on:
            for m in self._members.values():
                m.version += 1
                if m.points:
                    key = threshold_key(self._mult_num, self._mult_den, m.spend, m.points)
                    rows.append((key, m.seq, m.id, m.version))
        heapq.heapify(rows)
        self._heap = rows
        self._compact_at = 2 * len(self._members) + 1024

    def _finish(self, entries: list[Entry], events: list[DomainEvent]) -> Outcome:
        """Run the forced-exit cascade after a command and bundle the outcome."""
        if self._exits_on and self._heap and self._points:
            self._run_exits(entries, events)
        return Outcome(tuple(entries), tuple(events))

    def _run_exits(self, entries: list[Entry], events: list[DomainEvent]) -> None:
        """Force out every member over the line, lowest threshold first, ties by join order.

        Every exit raises the price (the fee stays in the pool), so a cascade can follow;
        it ends when the lowest threshold left is above the price.
        """
        heap = self._heap
        members = self._members
        while heap and self._points:
            key, _, member_id, version = heap[0]
            if members[member_id].version != version:
                heapq.heappop(heap)
                continue
            if key > price_key(self._pool, self._points):
                return
            bucket = self._pop_bucket(key)
            for position, m in enumerate(bucket):
                if not (self._points and self._over_line(m)):
                    for rest in bucket[position:]:
                        heapq.heappush(heap, (key, rest.seq, rest.id, rest.version))
                    return
                self._force_exit(m, entries, events)

    def _force_exit(self, m: _Member, entries: list[Entry], events: list[DomainEvent]) -> None:
        spend, points = m.spend, m.points
        entry, payout = self._sell(m, points, EntryKind.EXIT)
        m.spend = 0
        m.exits += 1
        m.version += 1
        entries.append(entry)
        events.append(MemberExited(m.id, points, payout, spend))

    def _pop_bucket(self, key: int) -> list[_Member]:
        """Pop the live rows sharing the lowest key, ordered by exact threshold, then seq."""
        heap = self._heap
        members = self._members
        bucket: list[_Member] = []
        while heap and heap[0][0] == key:
            _, _, member_id, version = heapq.heappop(heap)
            m = members[member_id]
            if m.version == version:
                bucket.append(m)
        if len(bucket) > 1:
            bucket.sort(key=lambda m: (Fraction(m.spend, m.points), m.seq))
        return bucket

    def _over_line(self, m: _Member) -> bool:
        """p × F ≥ m × S × N, exactly."""
        return m.points * self._pool * self._mult_den >= self._mult_num * m.spend * self._points


def _check_amount(value: int, what: str) -> None:
    if type(value) is not int or value < 0:
        raise InvalidAmount(f"the {what} must be a whole, non-negative number, not {value!r}")


def sale_payout(points_sold: int, pool_fen: int, outstanding_micro: int, kept: Fraction) -> int:
    """What selling n points pays, floor(n × F × (1 − fee) / N) in fen (mechanisms.md §1).

    `kept` is 1 − sell_fee; the floored remainder and the fee stay in the pool. The one
    implementation of the sale rule: quotes and wallets call it too.
    """
    return (points_sold * pool_fen * kept.numerator) // (outstanding_micro * kept.denominator)
