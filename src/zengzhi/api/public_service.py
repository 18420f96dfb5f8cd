"""The public side's read model: what the disclosure API and the explorer pages show.

One `PublicService` per process holds the database, the server secret (for pseudonyms)
and the cache of disclosure folds. Every method reads one snapshot; member ids never leave
this module: holders and members come out as pseudonyms, the economy's own accounts as
None. Proofs come from the ledger's own `prove_inclusion`, not a second implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zengzhi.api.errors import ApiError
from zengzhi.app.codec import config_from_json
from zengzhi.app.disclosure import (
    Disclosure,
    EconomyCache,
    PublicCache,
    is_pseudonym,
    pseudonym,
)
from zengzhi.app.verify import prove_inclusion
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, EntryKind
from zengzhi.domain.money import price_of
from zengzhi.ledger.merkle import InclusionProof
from zengzhi.ledger.model import Checkpoint, Leg
from zengzhi.store import Database
from zengzhi.store.public_queries import EconomyRow, PublicQueries, PublicReads, TxRow

MAX_PAGE = 100
_FOLD_PAGE = 5000
_POOL = (AccountKind.POOL.value, Asset.CASH.value)
_SUPPLY = (AccountKind.POINTS_SUPPLY.value, Asset.POINTS.value)
_SELLS = frozenset({EntryKind.SALE.value, EntryKind.EXIT.value})


@dataclass(frozen=True, slots=True)
class LegView:
    account: str  # the account kind
    holder: str | None  # a pseudonym, or None for the economy's own accounts
    asset: str
    amount: int


@dataclass(frozen=True, slots=True)
class TxView:
    seq: int
    kind: str
    member: str | None  # pseudonym
    recorded_at: int
    hash: bytes
    pool_change_fen: int  # how the transaction moved the pool
    outstanding_change_micro: int  # how it moved the points outstanding
    legs: tuple[LegView, ...]


@dataclass(frozen=True, slots=True)
class TxDetail:
    tx: TxView
    event_seq: int
    prev_hash: bytes
    checkpoint: Checkpoint | None  # the checkpoint whose root covers it, once sealed
    pool_before_fen: int
    outstanding_before_micro: int
    price_before: Fraction | None  # None when no points were outstanding (but see seq 1)
    pool_after_fen: int
    outstanding_after_micro: int
    price_after: Fraction | None  # None while no points are outstanding

    @property
    def sale_value_fen(self) -> Fraction | None:
        """For a sale or exit: the sold points' value at the price before it (in fen)."""
        sold = -self.tx.outstanding_change_micro
        if self.tx.kind not in _SELLS or sold <= 0 or not self.outstanding_before_micro:
            return None
        return Fraction(sold * self.pool_before_fen, self.outstanding_before_micro)

    @property
    def reflow_fen(self) -> Fraction | None:
        """For a sale or exit: what stayed in the pool (the fee and the rounding remainder)."""
        value = self.sale_value_fen
        return None if value is None else value + self.tx.pool_change_fen


@dataclass(frozen=True, slots=True)
class EconomyView:
    row: EconomyRow
    config: EconomyConfig
    disclosure: Disclosure

    @property
    def risk_text(self) -> str:
        return str(self.config.sections.get("disclosure", {}).get("risk_text", ""))


@dataclass(frozen=True, slots=True)
class AccountView:
    pseudonym: str
    points_micro: int
    cash_fen: int
    value_fen: Fraction  # the points at the current price (a fact today, not a promise)
    transactions: tuple[TxView, ...]
    next_before: int | None


@dataclass(frozen=True, slots=True)
class Page:
    transactions: tuple[TxView, ...]
    next_before: int | None  # the cursor for the next (older) page


def limit_of(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ApiError(422, "invalid_request", f"limit must be between 1 and {MAX_PAGE}")
    return limit


class PublicService:
    def __init__(self, database: Database, secret: bytes) -> None:
        self._queries = PublicQueries(database)
        self._database = database
        self._secret = secret
        self._cache = PublicCache()

    # -- disclosure -------------------------------------------------------------------

    def economy(self, economy_id: str) -> EconomyView:
        with self._queries.reading() as reads:
            row = reads.economy(economy_id)
            config = config_from_json(row.config_json)
            cached = self._cache.economy(economy_id, config.pool.initial_price)
            with cached.lock:
                _catch_up(reads, cached, economy_id, row.tx_seq)
                disclosure = cached.fold.snapshot()
        return EconomyView(row, config, disclosure)

    # -- transactions -----------------------------------------------------------------

    def transactions(self, economy_id: str, before: int | None, limit: int) -> Page:
        limit = limit_of(limit)
        with self._queries.reading() as reads:
            reads.economy(economy_id)
            rows = reads.transactions_before(economy_id, before, limit)
            views = self._views(reads, economy_id, rows)
        return Page(views, _next(rows, limit))

    def transaction(self, economy_id: str, seq: int) -> TxDetail:
        with self._queries.reading() as reads:
            row = reads.economy(economy_id)
            tx = reads.transaction(economy_id, seq)
            if tx is None:
                raise ApiError(404, "not_found", f"no transaction {seq} in {economy_id!r}")
            (view,) = self._views(reads, economy_id, [tx])
            number = (seq - 1) // row.checkpoint_every + 1
            found = reads.checkpoint(economy_id, number) if number <= row.checkpoints else None
            sums = reads.economy_sums_through(economy_id, seq - 1)
            pool, outstanding = sums.get(_POOL, 0), -sums.get(_SUPPLY, 0)
            if outstanding:
                before: Fraction | None = price_of(pool, outstanding)
            else:  # the first order is minted at the initial price
                before = config_from_json(row.config_json).pool.initial_price if seq == 1 else None
            pool_after = pool + view.pool_change_fen
            outstanding_after = outstanding + view.outstanding_change_micro
            return TxDetail(
                tx=view,
                event_seq=tx.event_seq,
                prev_hash=reads.previous_hash(economy_id, seq),
                checkpoint=None if found is None else found[0],
                pool_before_fen=pool,
                outstanding_before_micro=outstanding,
                price_before=before,
                pool_after_fen=pool_after,
                outstanding_after_micro=outstanding_after,
                price_after=(
                    price_of(pool_after, outstanding_after) if outstanding_after > 0 else None
                ),
            )

    def proof(self, economy_id: str, seq: int) -> InclusionProof:
        with self._database.snapshot() as reader:
            reader.economy(economy_id)
            return prove_inclusion(reader, economy_id, seq)

    # -- accounts ---------------------------------------------------------------------

    def account(self, economy_id: str, name: str, before: int | None, limit: int) -> AccountView:
        limit = limit_of(limit)
        with self._queries.reading() as reads:
            row = reads.economy(economy_id)
            holders = self._members_named(reads, economy_id, row, name)
            balances = reads.holder_balances(economy_id, holders)
            rows = reads.holder_transactions(economy_id, holders, before, limit)
            views = self._views(reads, economy_id, rows)
        points = balances.get((AccountKind.MEMBER_POINTS.value, Asset.POINTS.value), 0)
        cash = balances.get((AccountKind.MEMBER_CASH.value, Asset.CASH.value), 0)
        price = Fraction(row.last_price)
        # price is yuan per point: value in fen = micro-points × price × 100 / 10^6
        value = points * price / 10_000
        return AccountView(name, points, cash, value, views, _next(rows, limit))

    def _members_named(
        self, reads: PublicReads, economy_id: str, row: EconomyRow, name: str
    ) -> list[str]:
        missing = ApiError(404, "not_found", f"no account {name!r} in {economy_id!r}")
        if not is_pseudonym(name):
            raise missing
        config = config_from_json(row.config_json)
        cached = self._cache.economy(economy_id, config.pool.initial_price)
        with cached.lock:
            index = cached.names
            index.add(
                self._secret,
                economy_id,
                reads.members_joined_after(economy_id, index.joined_through),
            )
            found = list(index.members.get(name, ()))
        if not found:
            raise missing
        return found

    # -- checkpoints ------------------------------------------------------------------

    def checkpoints(
        self, economy_id: str, before: int | None, limit: int
    ) -> tuple[list[tuple[Checkpoint, int]], int | None]:
        limit = limit_of(limit)
        with self._queries.reading() as reads:
            reads.economy(economy_id)
            found = reads.checkpoints_before(economy_id, before, limit)
        more = found[-1][0].number if len(found) == limit and found[-1][0].number > 1 else None
        return found, more

    def checkpoint(self, economy_id: str, number: int) -> tuple[Checkpoint, int]:
        with self._queries.reading() as reads:
            reads.economy(economy_id)
            found = reads.checkpoint(economy_id, number)
        if found is None:
            raise ApiError(404, "not_found", f"no checkpoint {number} in {economy_id!r}")
        return found

    # -- helpers ----------------------------------------------------------------------

    def name_of(self, economy_id: str, member: str | None) -> str | None:
        return None if not member else pseudonym(self._secret, economy_id, member)

    def _views(self, reads: PublicReads, economy_id: str, rows: list[TxRow]) -> tuple[TxView, ...]:
        legs = reads.legs(economy_id, [r.seq for r in rows])
        return tuple(self._view(economy_id, r, legs.get(r.seq, [])) for r in rows)

    def _view(self, economy_id: str, row: TxRow, legs: list[Leg]) -> TxView:
        pool = sum(g.amount for g in legs if not g.holder and (g.kind, g.asset) == _POOL)
        supply = sum(g.amount for g in legs if not g.holder and (g.kind, g.asset) == _SUPPLY)
        return TxView(
            seq=row.seq,
            kind=row.kind,
            member=self.name_of(economy_id, row.member),
            recorded_at=row.recorded_at,
            hash=row.hash,
            pool_change_fen=pool,
            outstanding_change_micro=-supply,
            legs=tuple(
                LegView(g.kind, self.name_of(economy_id, g.holder), g.asset, g.amount) for g in legs
            ),
        )


def _catch_up(reads: PublicReads, cached: EconomyCache, economy_id: str, head: int) -> None:
    """Fold the transactions committed since the cache last looked, a page at a time."""
    fold = cached.fold
    while fold.seq < head:
        through = min(head, fold.seq + _FOLD_PAGE)
        legs: dict[int, list[Leg]] = {}
        for seq, leg in reads.economy_postings(economy_id, fold.seq, through):
            legs.setdefault(seq, []).append(leg)
        for seq, kind, recorded_at in reads.transaction_times(economy_id, fold.seq, through):
            fold.add(seq, kind, recorded_at, legs.get(seq, ()))


def _next(rows: list[Any], limit: int) -> int | None:
    if len(rows) < limit or not rows or rows[-1].seq <= 1:
        return None
    return int(rows[-1].seq)
