"""What the public sees: disclosure figures folded from the ledger postings, and pseudonyms.

The figures are computed from the stored postings on the economy's own accounts, the same
rows `zengzhi verify` re-adds, never from a separate counter:

- pool = balance of (pool, cash); points outstanding = −balance of (points_supply, points),
  since minted points leave the supply and sold or burned points return to it;
- price after each transaction = pool ÷ points outstanding, exactly (a Fraction); with no
  points outstanding the price stays where it was (the engine's idle price);
- contributions = cash into the pool by orders; injections = cash into it by injections;
  payouts = cash out of it by sales and forced exits; burns = points returned to the supply
  by burns; minted = points out of the supply by orders;
- reflow (回流) of a sale = the sold points' value at the price before the sale minus the
  cash paid: the fee that stayed in the pool, with the rounding remainder (a Fraction).

`DisclosureFold` folds postings in sequence order and can continue from where it stopped,
so a process keeps one per economy and reads only the new postings on each request.
The price history it keeps is thinned to at most `MAX_POINTS` samples by doubling the
stride (every transaction, then every 2nd, 4th, ...), always with the latest price shown.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from zengzhi.domain.entries import AccountKind, Asset, EntryKind
from zengzhi.domain.money import price_of
from zengzhi.ledger.model import Leg

MAX_POINTS = 720
PSEUDONYM_PREFIX = "M-"
PSEUDONYM_HEX = 12  # 48 bits: a collision is unlikely below millions of members (and handled)

_POOL = (AccountKind.POOL.value, Asset.CASH.value)
_SUPPLY = (AccountKind.POINTS_SUPPLY.value, Asset.POINTS.value)
_SELLS = frozenset({EntryKind.SALE.value, EntryKind.EXIT.value})


def pseudonym(secret: bytes, economy_id: str, member_id: str) -> str:
    """A member's stable public name: HMAC-SHA256 under the server secret, truncated.

    Keyed per economy, so the same person in two economies cannot be linked, and without
    the secret nobody can test a guessed phone number or member id against it.
    """
    message = b"zengzhi.pseudonym.v1\x00" + economy_id.encode() + b"\x00" + member_id.encode()
    digest = hmac.new(secret, message, hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX]


def is_pseudonym(text: str) -> bool:
    body = text[len(PSEUDONYM_PREFIX) :]
    return (
        text.startswith(PSEUDONYM_PREFIX)
        and len(body) == PSEUDONYM_HEX
        and all(c in "0123456789abcdef" for c in body)
    )


@dataclass(frozen=True, slots=True)
class PricePoint:
    seq: int  # the transaction after which the price held
    recorded_at: int  # microseconds since the epoch, UTC
    price: Fraction


@dataclass(frozen=True, slots=True)
class Disclosure:
    """The economy's public figures right after transaction `seq`."""

    seq: int
    pool_fen: int
    outstanding_micro: int
    issued_micro: int
    price: Fraction
    contributions_fen: int
    injections_fen: int
    payouts_fen: int
    reflow_fen: Fraction
    burned_micro: int
    sold_micro: int
    counts: dict[str, int]
    history: tuple[PricePoint, ...]
    sampled_every: int  # 1: a point per transaction; n: every n-th, plus the latest


@dataclass
class DisclosureFold:
    """Running figures over the economy's postings, continued transaction by transaction."""

    initial_price: Fraction
    seq: int = 0
    balances: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    price: Fraction | None = None
    contributions_fen: int = 0
    injections_fen: int = 0
    payouts_fen: int = 0
    reflow_fen: Fraction = Fraction(0)
    burned_micro: int = 0
    sold_micro: int = 0
    issued_micro: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    history: list[PricePoint] = field(default_factory=list)
    stride: int = 1
    latest: PricePoint | None = None

    @property
    def pool_fen(self) -> int:
        return self.balances[_POOL]

    @property
    def outstanding_micro(self) -> int:
        return -self.balances[_SUPPLY]

    def current_price(self) -> Fraction:
        return self.initial_price if self.price is None else self.price

    def add(self, seq: int, kind: str, recorded_at: int, legs: Iterable[Leg]) -> None:
        """Fold one transaction's legs on the economy's own accounts (holder "")."""
        if seq != self.seq + 1:
            raise ValueError(f"transaction {seq} folded after {self.seq}: the history has a gap")
        pool_before, points_before = self.pool_fen, self.outstanding_micro
        delta: dict[tuple[str, str], int] = defaultdict(int)
        for leg in legs:
            if not leg.holder:
                delta[(leg.kind, leg.asset)] += leg.amount
        for account, amount in delta.items():
            self.balances[account] += amount
        pool_in, supply_in = delta.get(_POOL, 0), delta.get(_SUPPLY, 0)
        if kind == EntryKind.ORDER.value:
            self.contributions_fen += pool_in
        elif kind == EntryKind.INJECTION.value:
            self.injections_fen += pool_in
        elif kind == EntryKind.BURN.value:
            self.burned_micro += supply_in
        elif kind in _SELLS:
            self.payouts_fen -= pool_in
            self.sold_micro += supply_in
            if points_before:
                self.reflow_fen += Fraction(supply_in * pool_before, points_before) + pool_in
        if supply_in < 0:
            self.issued_micro -= supply_in
        self.counts[kind] += 1
        self.seq = seq
        if self.outstanding_micro > 0:
            self.price = price_of(self.pool_fen, self.outstanding_micro)
        self._sample(PricePoint(seq, recorded_at, self.current_price()))

    def _sample(self, point: PricePoint) -> None:
        self.latest = point
        if point.seq % self.stride:
            return
        self.history.append(point)
        if len(self.history) > MAX_POINTS:
            self.stride *= 2
            self.history = [p for p in self.history if p.seq % self.stride == 0]

    def snapshot(self) -> Disclosure:
        history = list(self.history)
        if self.latest is not None and (not history or history[-1].seq != self.latest.seq):
            history.append(self.latest)
        return Disclosure(
            seq=self.seq,
            pool_fen=self.pool_fen,
            outstanding_micro=self.outstanding_micro,
            issued_micro=self.issued_micro,
            price=self.current_price(),
            contributions_fen=self.contributions_fen,
            injections_fen=self.injections_fen,
            payouts_fen=self.payouts_fen,
            reflow_fen=self.reflow_fen,
            burned_micro=self.burned_micro,
            sold_micro=self.sold_micro,
            counts=dict(self.counts),
            history=tuple(history),
            sampled_every=self.stride,
        )


@dataclass
class PseudonymIndex:
    """pseudonym -> member ids of one economy, extended as members join the books."""

    joined_through: int = -1  # the last join_seq indexed
    members: dict[str, list[str]] = field(default_factory=dict)

    def add(self, secret: bytes, economy_id: str, joined: Iterable[tuple[int, str]]) -> None:
        for join_seq, member_id in joined:
            self.members.setdefault(pseudonym(secret, economy_id, member_id), []).append(member_id)
            self.joined_through = max(self.joined_through, join_seq)


@dataclass
class EconomyCache:
    fold: DisclosureFold
    names: PseudonymIndex = field(default_factory=PseudonymIndex)
    lock: threading.Lock = field(default_factory=threading.Lock)


class PublicCache:
    """One fold and one pseudonym index per economy, shared by the threads of a process."""

    def __init__(self) -> None:
        self._economies: dict[str, EconomyCache] = {}
        self._lock = threading.Lock()

    def economy(self, economy_id: str, initial_price: Fraction) -> EconomyCache:
        with self._lock:
            found = self._economies.get(economy_id)
            if found is None:
                found = EconomyCache(DisclosureFold(initial_price))
                self._economies[economy_id] = found
            return found
