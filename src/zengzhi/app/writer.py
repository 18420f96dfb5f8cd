"""Apply a batch of requests to one economy: the single writer's inner loop.

Design: under the economy's writer lock (taken by `lock_economy`), the cached engine is
brought up to date, requests already recorded are answered from the record, and each new
request is applied to the engine in order. Every entry the engine decides becomes one
ledger transaction, numbered and hash-chained here, so the chain follows commit order;
balance changes are summed per account and member positions per member, so that a batch
of a thousand orders is a handful of bulk writes. A request the rules refuse is recorded
too (status `rejected`), so that retrying it fails the same way. Nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zengzhi.app.codec import canonical_json, command_to_payload, config_from_json
from zengzhi.app.engines import CachedEngine, EngineCache
from zengzhi.app.errors import IdempotencyConflict, PrerequisiteRefused, error_from_code
from zengzhi.app.ports import (
    APPLIED,
    REJECTED,
    BatchWrite,
    EconomyHead,
    EventRecord,
    MemberPosition,
    OrderRecord,
    PoolTotals,
    UnitOfWork,
)
from zengzhi.app.requests import (
    AdjustRequest,
    BurnRequest,
    CommandRequest,
    DailyDividendRequest,
    InjectRequest,
    Request,
    ReviewWithdrawalRequest,
    SellPointsRequest,
    SettleOrderRequest,
    WithdrawRequest,
    fingerprint,
)
from zengzhi.domain.daily_payout import PayDailyDividends
from zengzhi.domain.entries import AccountKind, Asset, Entry
from zengzhi.domain.errors import DomainError, InvalidAmount, UnknownMember
from zengzhi.domain.exit_index import threshold_key
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.money import format_price
from zengzhi.domain.pool import Burn, Inject, Outcome, PoolEngine, SellPoints, SettleOrder
from zengzhi.domain.wallet import (
    AdjustCash,
    AdjustPoints,
    AnyCommand,
    HoldCash,
    PayOut,
    ReturnCash,
    apply_command,
)
from zengzhi.ledger.chain import chain_hash
from zengzhi.ledger.merkle import merkle_root
from zengzhi.ledger.model import Checkpoint, Leg, Transaction

_KIND = {kind: kind.value for kind in AccountKind}  # enum -> str without the enum machinery
_ASSET = {asset: asset.value for asset in Asset}
_MAX_KEY = 2**63 - 1  # exit keys are stored as 64-bit integers; clamping keeps their order
_WALLET = (HoldCash, PayOut, ReturnCash, AdjustCash, AdjustPoints)  # issue 4's commands
_MEMBER_KINDS = frozenset({AccountKind.MEMBER_CASH.value, AccountKind.MEMBER_POINTS.value})


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to one request. `body` is canonical JSON, identical on every retry."""

    key: str
    event_seq: int | None
    body: str
    error: DomainError | None = None
    replayed: bool = False  # answered from the record of an earlier identical request

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> dict[str, Any]:
        """The reply body; raises the (recorded) error for a refused request."""
        if self.error is not None:
            raise self.error
        value: dict[str, Any] = json.loads(self.body)
        return value


def apply_batch(
    uow: UnitOfWork,
    engines: EngineCache,
    economy_id: str,
    requests: Sequence[Request],
    now: int,
) -> list[Reply]:
    """Apply requests in order; one reply per request, in the same order."""
    store = uow.ledger
    head = store.lock_economy(economy_id)
    cached = engines.take(head) or _load(uow, head)
    recorded = store.find_events(economy_id, {r.key for r in requests})
    batch = _Batch(head, cached, now)
    replies: list[Reply] = []
    for request in requests:
        try:
            fp = fingerprint(request)
        except DomainError as error:
            replies.append(_error_reply(request.key, None, error))
            continue
        earlier = batch.recorded.get(request.key) or recorded.get(request.key)
        if earlier is not None:
            replies.append(_answer_again(request.key, fp, earlier))
            continue
        if isinstance(request, CommandRequest) and request.after is not None:
            refusal = _prerequisite(uow, batch, recorded, economy_id, request.after)
            if refusal is not None:
                replies.append(batch.refuse(request, fp, refusal))
                continue
        replies.append(batch.apply(request, fp))
    engines.put(economy_id, cached)
    if batch.event_seq == head.event_seq:
        cached.confirmed = True  # nothing changed: the engine still matches the store
        return replies
    store.write_batch(batch.finish())
    cached.event_seq = batch.event_seq
    uow.on_commit(lambda: engines.confirm(economy_id, cached))
    return replies


def _load(uow: UnitOfWork, head: EconomyHead) -> CachedEngine:
    snapshot = uow.ledger.load_engine(head.economy_id)
    config = config_from_json(snapshot.config_json)
    engine = PoolEngine.restore(config.pool, snapshot.state)
    # the hashes of the transactions since the last checkpoint: the next block's start
    first = head.checkpoints * head.checkpoint_every + 1
    block = (
        uow.ledger.tx_hashes(head.economy_id, first, head.tx_seq) if first <= head.tx_seq else []
    )
    return CachedEngine(
        config=config,
        config_version=head.config_version,
        engine=engine,
        event_seq=head.event_seq,
        member_count=len(snapshot.state.members),
        block_hashes=block,
        confirmed=False,
        holdings=Holdings(uow.ledger.holdings(head.economy_id)),
    )


def _prerequisite(
    uow: UnitOfWork,
    batch: _Batch,
    recorded: dict[str, EventRecord],
    economy_id: str,
    key: str,
) -> PrerequisiteRefused | None:
    """Why a request that follows `key` must be refused, or None if `key` was applied."""
    found = batch.recorded.get(key) or recorded.get(key)
    if found is None:
        found = uow.ledger.find_events(economy_id, {key}).get(key)
    if found is None:
        return PrerequisiteRefused(f"{key!r} is not recorded: nothing follows it yet")
    if found.status != APPLIED:
        return PrerequisiteRefused(f"{key!r} was refused ({found.error_code}): nothing follows it")
    return None


def _answer_again(key: str, fp: str, earlier: EventRecord) -> Reply:
    if earlier.fingerprint != fp:
        conflict = IdempotencyConflict(
            f"the key {key!r} was already used for a different request (event {earlier.seq})"
        )
        return _error_reply(key, earlier.seq, conflict)
    error: DomainError | None = None
    if earlier.status == REJECTED:
        error = error_from_code(earlier.error_code or "", earlier.error_message or "")
    return Reply(key, earlier.seq, earlier.result, error, replayed=True)


def _error_reply(key: str, seq: int | None, error: DomainError) -> Reply:
    body = canonical_json({"error": {"code": error.code, "message": error.message}})
    return Reply(key, seq, body, error)


class _Batch:
    """Accumulates one batch's records while the engine applies its commands."""

    def __init__(self, head: EconomyHead, cached: CachedEngine, now: int) -> None:
        self.head = head
        self.cached = cached
        self.engine = cached.engine
        self.now = now
        self.event_seq = head.event_seq
        self.tx_seq = head.tx_seq
        self.prev_hash = head.head_hash
        self.recorded: dict[str, EventRecord] = {}
        self.events: list[EventRecord] = []
        self.transactions: list[tuple[Transaction, bytes]] = []
        self.deltas: dict[tuple[str, str, str], int] = {}
        self.touched: dict[str, int | None] = {}  # member -> join seq if new to the engine
        self.orders: list[OrderRecord] = []
        self.checkpoints: list[Checkpoint] = []
        self.checkpoint_count = head.checkpoints

    # -- one request ---------------------------------------------------------------

    def apply(self, request: Request, fp: str) -> Reply:
        self.event_seq += 1
        seq = self.event_seq
        engine = self.engine
        try:
            command = self._command(request)
            before = engine.member_count
            outcome = apply_command(engine, command, self.cached.holdings, self.cached.config)
        except DomainError as error:
            return self._reject(request, fp, seq, error)
        if engine.member_count != before:  # members this command added, in join order
            for new_member in engine.newest_members(engine.member_count - before):
                self.cached.member_count += 1
                self.touched[new_member] = self.cached.member_count - 1
        tx_seqs = [self._record(entry, seq) for entry in outcome.entries if entry.postings]
        body = self._body(request, command, outcome, seq, tx_seqs)
        payload = canonical_json(command_to_payload(command))
        record = EventRecord(
            seq, request.key, fp, _kind(command), payload, APPLIED, body, None, None, self.now
        )
        self._keep(record)
        if isinstance(request, SettleOrderRequest) and isinstance(command, SettleOrder):
            self.orders.append(
                OrderRecord(
                    request.order_id,
                    request.member,
                    request.merchant_id,
                    request.store_id,
                    command.amount_fen,
                    command.pool_fen,
                    "settled",
                    seq,
                    self.now,
                )
            )
        return Reply(request.key, seq, body)

    def _command(self, request: Request) -> AnyCommand:
        config = self.cached.config
        if isinstance(request, SettleOrderRequest):
            pool_fen = request.pool_fen
            if pool_fen is None and type(request.amount_fen) is int and request.amount_fen >= 0:
                pool_fen = config.pool_contribution(request.amount_fen)
            return SettleOrder(request.member, request.amount_fen, pool_fen or 0)
        if isinstance(request, SellPointsRequest):
            if not self.engine.has_member(request.member):
                raise UnknownMember(f"no member {request.member!r} in this economy")
            return SellPoints(request.member, request.points_micro)
        if isinstance(request, BurnRequest):
            return Burn(config.monthly_burn if request.rate is None else request.rate)
        if isinstance(request, WithdrawRequest):
            return HoldCash(request.member, request.amount_fen)
        if isinstance(request, ReviewWithdrawalRequest):
            if request.approve:
                return PayOut(request.member, request.amount_fen)
            return ReturnCash(request.member, request.amount_fen)
        if isinstance(request, AdjustRequest):
            if request.asset == "cash":
                return AdjustCash(request.member, request.delta)
            if request.asset == "points":
                return AdjustPoints(request.member, request.delta)
            raise InvalidAmount(f"an adjustment is of cash or points, not {request.asset!r}")
        if isinstance(request, CommandRequest):
            return request.command
        if isinstance(request, DailyDividendRequest):
            return PayDailyDividends(
                request.day,
                request.pro_rata_pool_fen,
                request.tier_pool_fen,
                request.pro_rata,
                request.tier,
            )
        assert isinstance(request, InjectRequest)
        return Inject(request.amount_fen)

    def refuse(self, request: Request, fp: str, error: DomainError) -> Reply:
        """Record a refusal decided before the request reached the engine."""
        self.event_seq += 1
        return self._reject(request, fp, self.event_seq, error)

    def _reject(self, request: Request, fp: str, seq: int, error: DomainError) -> Reply:
        reply = _error_reply(request.key, seq, error)
        payload = canonical_json(request.fields())
        record = EventRecord(
            seq,
            request.key,
            fp,
            request.fields()["kind"],
            payload,
            REJECTED,
            reply.body,
            error.code,
            error.message,
            self.now,
        )
        self._keep(record)
        return reply

    def _keep(self, record: EventRecord) -> None:
        self.events.append(record)
        self.recorded[record.key] = record

    def _record(self, entry: Entry, event_seq: int) -> int:
        """Turn one engine entry into the next chained transaction."""
        self.tx_seq += 1
        legs = tuple(
            [
                Leg(_KIND[p.account], p.holder or "", _ASSET[p.asset], p.amount)
                for p in entry.postings
            ]
        )
        tx = Transaction(
            self.head.economy_id,
            self.tx_seq,
            event_seq,
            entry.kind.value,
            entry.member,
            self.now,
            legs,
        )
        digest = chain_hash(self.prev_hash, tx)
        self.prev_hash = digest
        self.transactions.append((tx, digest))
        block = self.cached.block_hashes
        block.append(digest)
        if len(block) == self.head.checkpoint_every:
            self._checkpoint(block)
        deltas = self.deltas
        touched = self.touched
        for leg in legs:
            key = (leg.kind, leg.holder, leg.asset)
            deltas[key] = deltas.get(key, 0) + leg.amount
            if leg.kind in _MEMBER_KINDS and leg.holder not in touched:
                touched[leg.holder] = None
        if entry.member is not None and entry.member not in touched:
            touched[entry.member] = None
        return self.tx_seq

    def _body(
        self,
        request: Request,
        command: AnyCommand,
        outcome: Outcome,
        seq: int,
        tx_seqs: list[int],
    ) -> str:
        engine = self.engine
        body: dict[str, Any] = {
            "event": seq,
            "kind": _kind(command),
            "transactions": tx_seqs,
            "price": _price_text(engine),
            "pool_fen": engine.pool_fen,
            "points_micro": engine.points_micro,
        }
        if isinstance(command, SettleOrder):
            assert isinstance(request, SettleOrderRequest)
            body["order_id"] = request.order_id
            body["member"] = command.member
            body["pool_contribution_fen"] = command.pool_fen
            body["minted_micro"] = _moved(outcome.entries[0], AccountKind.MEMBER_POINTS)
        elif isinstance(command, SellPoints):
            body["member"] = command.member
            sale = outcome.entries[0] if outcome.entries else None
            body["sold_micro"] = -_moved(sale, AccountKind.MEMBER_POINTS) if sale else 0
            body["payout_fen"] = _moved(sale, AccountKind.MEMBER_CASH) if sale else 0
        elif isinstance(command, Burn):
            burn = outcome.entries[0] if outcome.entries else None
            body["burned_micro"] = -_moved(burn, AccountKind.MEMBER_POINTS) if burn else 0
        elif isinstance(command, Inject):
            body["amount_fen"] = command.amount_fen
        elif isinstance(command, _WALLET):
            body["member"] = command.member
            for name in ("amount_fen", "delta_fen", "delta_micro"):
                if hasattr(command, name):
                    body[name] = getattr(command, name)
        elif isinstance(command, PayDailyDividends):
            body["day"] = command.day
            body["dividend_pool_fen"] = command.pool_fen
            body["paid_fen"] = command.paid_fen
            body["returned_fen"] = command.pool_fen - command.paid_fen
            body["members_paid"] = len(command.payees())
        else:  # a mechanism's own command (§2-§7)
            body.update(command.summary(outcome))
        body["exits"] = [
            {"member": e.member, "points_micro": e.points_micro, "payout_fen": e.payout_fen}
            for e in outcome.exits
        ]
        return canonical_json(body)

    # -- the whole batch -------------------------------------------------------------

    def finish(self) -> BatchWrite:
        """Everything the batch changed, with the new head and the engine's totals."""
        head = self.head
        engine = self.engine
        new_head = EconomyHead(
            head.economy_id,
            head.config_version,
            self.event_seq,
            self.tx_seq,
            self.prev_hash,
            head.checkpoint_every,
            self.checkpoint_count,
        )
        # the current price stands in for the idle price: the engine overwrites its idle
        # price whenever the last points leave, so while points are out it is never read
        totals = PoolTotals(
            engine.pool_fen, engine.points_micro, engine.issued_micro, engine.price()
        )
        return BatchWrite(
            economy_id=head.economy_id,
            recorded_at=self.now,
            head=new_head,
            totals=totals,
            events=self.events,
            transactions=self.transactions,
            balance_deltas=self.deltas,
            members=self._positions(),
            orders=self.orders,
            checkpoints=self.checkpoints,
        )

    def _positions(self) -> list[MemberPosition]:
        engine = self.engine
        rules = engine.rules
        multiple = rules.exit_multiple
        positions = []
        for member_id, join_seq in self.touched.items():
            if not engine.has_member(member_id):
                continue  # a holder of other assets only (coins, stable points, grants)
            m = engine.member(member_id)
            key = None
            if multiple is not None and m.points_micro:
                key = min(
                    _MAX_KEY,
                    threshold_key(
                        multiple.numerator, multiple.denominator, m.cycle_spend_fen, m.points_micro
                    ),
                )
            positions.append(
                MemberPosition(
                    member_id,
                    join_seq,
                    m.points_micro,
                    m.cash_fen,
                    m.cycle_spend_fen,
                    m.exits,
                    key,
                )
            )
        return positions

    def _checkpoint(self, block: list[bytes]) -> None:
        """A block of `checkpoint_every` transactions is complete: record its Merkle root."""
        self.checkpoint_count += 1
        last = self.tx_seq
        self.checkpoints.append(
            Checkpoint(
                self.head.economy_id,
                self.checkpoint_count,
                last - len(block) + 1,
                last,
                merkle_root(block),
                block[-1],
            )
        )
        block.clear()


def _price_text(engine: PoolEngine) -> str:
    """`format_price(engine.price())` in integers: the hot path avoids building a Fraction."""
    points = engine.points_micro
    if not points:
        return format_price(engine.price())
    whole, rest = divmod(engine.pool_fen * 10**8, points)  # price × 10⁴, from F·10⁴/N
    if 2 * rest >= points:
        whole += 1
    units, decimals = divmod(whole, 10_000)
    return f"{units}.{decimals:04d}"


def _kind(command: AnyCommand) -> str:
    if isinstance(command, SettleOrder):
        return "order"
    if isinstance(command, SellPoints):
        return "sell"
    if isinstance(command, Burn):
        return "burn"
    if isinstance(command, Inject):
        return "inject"
    if isinstance(command, PayDailyDividends):
        return "daily_dividend"
    if isinstance(command, _WALLET):
        kind: str = command_to_payload(command)["kind"]
        return kind
    return command.kind


def _moved(entry: Entry | None, kind: AccountKind) -> int:
    if entry is None:
        return 0
    return sum(p.amount for p in entry.postings if p.account is kind)
