"""`zengzhi verify`: recompute an economy from what is stored and say where it breaks.

Two independent recomputations meet here. The ledger audit rebuilds the hash chain, the
checkpoints and every balance from the stored postings. The replay runs the engine again
over the stored events (the commands, in order) and compares each transaction it decides
with the stored one, then the pool, the points, the price and every member's position.
Any altered, removed, inserted or reordered row shows up in one of them; each problem
names the transaction it concerns when there is one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from zengzhi.app.codec import command_from_payload, config_from_json
from zengzhi.app.errors import NotCheckpointed
from zengzhi.app.ports import APPLIED, EconomyRecord, EventRecord, LedgerReader, MemberPosition
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset
from zengzhi.domain.errors import DomainError
from zengzhi.domain.holdings import Holdings, tracked
from zengzhi.domain.money import format_price
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.wallet import apply_command
from zengzhi.ledger.audit import Audit, Problem, first_broken
from zengzhi.ledger.merkle import InclusionProof, inclusion_path
from zengzhi.ledger.model import AccountKey, Leg, Transaction, legs_of

_Expected = tuple[int, str, str | None, tuple[Leg, ...]]


@dataclass
class VerifyReport:
    economy_id: str
    transactions: int = 0
    events: int = 0
    checkpoints: int = 0
    price: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_broken(self) -> int | None:
        return first_broken(self.problems)


def verify_economy(reader: LedgerReader, economy_id: str) -> VerifyReport:
    record = reader.economy(economy_id)
    # rule changes apply forward: replay each stretch of events under the version in force
    versions = reader.config_versions(economy_id) or [(0, record.config_json)]
    config = config_from_json(versions[0][1])
    state = _Replayed(PoolEngine(config.pool), Holdings(), config)
    checkpoints = reader.checkpoints(economy_id)
    audit = Audit(economy_id, checkpoints)
    report = VerifyReport(economy_id, checkpoints=len(checkpoints))
    replay_problems: list[Problem] = []
    expected = _replay(
        reader.events(economy_id), state, versions[1:], record, report, replay_problems
    )
    diverged = False
    for tx, digest in reader.transactions(economy_id):
        audit.add(tx, digest)
        if not diverged:
            want = next(expected, None)
            if want != _shape(tx):
                diverged = True
                replay_problems.append(_divergence(tx.seq, want))
    if not diverged and (extra := next(expected, None)) is not None:
        replay_problems.append(
            Problem(audit.count + 1, f"event {extra[0]} decides a transaction that is missing")
        )
    for _ in expected:  # finish the replay so the final state can be compared
        pass
    engine = state.engine
    report.transactions = audit.count
    problems = audit.finish(record.head.tx_seq, record.head.head_hash, reader.balances(economy_id))
    problems += replay_problems
    problems += _compare_state(engine, record, reader.members(economy_id), audit.balances)
    problems += _compare_holdings(state.holdings, audit.balances)
    report.problems = sorted(set(problems), key=lambda p: (p.seq is None, p.seq or 0, p.what))
    report.price = format_price(engine.price())
    return report


def _shape(tx: Transaction) -> _Expected:
    return (tx.event_seq, tx.kind, tx.member, tx.legs)


def _divergence(seq: int, want: _Expected | None) -> Problem:
    if want is None:
        return Problem(seq, "no stored event decides this transaction")
    return Problem(
        seq, f"differs from the transaction the engine decides from event {want[0]} (replayed)"
    )


@dataclass
class _Replayed:
    """The state the replay rebuilds: the engine, the other balances, the rules in force."""

    engine: PoolEngine
    holdings: Holdings
    config: EconomyConfig


def _replay(
    events: Iterator[EventRecord],
    state: _Replayed,
    later: list[tuple[int, str]],
    record: EconomyRecord,
    report: VerifyReport,
    problems: list[Problem],
) -> Iterator[_Expected]:
    """Apply the stored commands in order, yielding the transactions they decide."""
    next_seq = 1
    for event in events:
        report.events += 1
        if event.seq != next_seq:
            problems.append(Problem(None, f"event {next_seq} expected but {event.seq} found"))
        next_seq = event.seq + 1
        while later and event.seq > later[0][0]:
            # what the writer does on a new version: continue the same state under new rules
            state.config = config_from_json(later.pop(0)[1])
            state.engine = PoolEngine.restore(state.config.pool, state.engine.state())
        if event.status != APPLIED:
            continue
        try:
            command = command_from_payload(json.loads(event.payload))
            outcome = apply_command(state.engine, command, state.holdings, state.config)
        except (DomainError, KeyError, ValueError, TypeError) as error:
            problems.append(Problem(None, f"event {event.seq} cannot be replayed: {error}"))
            continue
        for entry in outcome.entries:
            if entry.postings:
                yield (event.seq, entry.kind.value, entry.member, legs_of(entry))
    if next_seq - 1 != record.head.event_seq:
        problems.append(
            Problem(
                None, f"the economy records {record.head.event_seq} events, {next_seq - 1} stored"
            )
        )


def _compare_state(
    engine: PoolEngine,
    record: EconomyRecord,
    members: list[MemberPosition],
    balances: dict[AccountKey, int],
) -> list[Problem]:
    found: list[Problem] = []
    totals = record.totals
    replayed = {
        "pool": engine.pool_fen,
        "points outstanding": engine.points_micro,
        "points issued": engine.issued_micro,
        "price": engine.price(),
    }
    stored = {
        "pool": totals.pool_fen,
        "points outstanding": totals.points_micro,
        "points issued": totals.issued_micro,
        "price": totals.idle_price,
    }
    for name, value in replayed.items():
        if stored[name] != value:
            found.append(
                Problem(None, f"stored {name} {stored[name]} but the replay gives {value}")
            )
    pool_balance = balances.get((AccountKind.POOL.value, "", Asset.CASH.value), 0)
    if pool_balance != engine.pool_fen:
        found.append(
            Problem(
                None, f"the pool account holds {pool_balance}, the replay gives {engine.pool_fen}"
            )
        )
    by_id = {m.member_id: m for m in members}
    for position, state in enumerate(engine.members()):
        m = by_id.pop(state.member, None)
        mine = (state.points_micro, state.cash_fen, state.cycle_spend_fen, state.exits, position)
        if m is None or mine != (
            m.points_micro,
            m.cash_fen,
            m.cycle_spend_fen,
            m.exits,
            m.join_seq,
        ):
            found.append(Problem(None, f"member {state.member!r} differs from the replay"))
        points = balances.get(
            (AccountKind.MEMBER_POINTS.value, state.member, Asset.POINTS.value), 0
        )
        cash = balances.get((AccountKind.MEMBER_CASH.value, state.member, Asset.CASH.value), 0)
        if (points, cash) != (state.points_micro, state.cash_fen):
            found.append(
                Problem(None, f"member {state.member!r}'s accounts differ from the replay")
            )
    for member_id, m in by_id.items():
        if m.join_seq is not None or m.points_micro or m.cash_fen or m.cycle_spend_fen:
            found.append(Problem(None, f"member {member_id!r} has a position no event explains"))
    return found


def _compare_holdings(holdings: Holdings, balances: dict[AccountKey, int]) -> list[Problem]:
    """Every balance outside the engine (grants, stable points, coins, ...) as replayed."""
    replayed = dict(holdings.items())
    found: list[Problem] = []
    for account in sorted(set(replayed) | {a for a in balances if tracked(a[0])}):
        want, have = replayed.get(account, 0), balances.get(account, 0)
        if want != have:
            kind, holder, asset = account
            who = f"{holder!r}'s " if holder else ""
            found.append(
                Problem(None, f"{who}{kind} {asset} holds {have}, the replay gives {want}")
            )
    return found


def prove_inclusion(reader: LedgerReader, economy_id: str, seq: int) -> InclusionProof:
    """A Merkle proof that transaction `seq` is in its checkpoint's root."""
    for cp in reader.checkpoints(economy_id):
        if cp.first_seq <= seq <= cp.last_seq:
            hashes = reader.tx_hashes(economy_id, cp.first_seq, cp.last_seq)
            index = seq - cp.first_seq
            return InclusionProof(
                economy_id,
                seq,
                hashes[index],
                cp.number,
                index,
                len(hashes),
                tuple(inclusion_path(hashes, index)),
                cp.root,
            )
    raise NotCheckpointed(f"transaction {seq} is not covered by a checkpoint yet")
