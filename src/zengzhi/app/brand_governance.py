"""Proposals and ballots of a brand economy (§7): stored snapshot, one ballot, a hash chain.

Votes move no money, so they are not ledger transactions (a transaction without postings
does not exist in these books). They are kept in the brand tables with the same
discipline as the ledger's writes, and made tamper-evident this way (decided):

- Opening a proposal takes the economy's writer lock, reads every token balance as of the
  ledger's last transaction (`snapshot_tx_seq`), and stores the electorate (holders of at
  least the threshold, one vote per whole token; `domain.governance.open_proposal`). The
  snapshot's digest is SHA-256 of its canonical JSON. Anyone can recompute the balances
  after that transaction from the hash-chained ledger (the public explorer shows them
  under pseudonyms), so the stored electorate cannot be changed unnoticed.
- Each ballot is final (one per member and proposal, decided: no change of mind) and
  links to the one before: hash = SHA-256(prev_hash ‖ canonical ballot), the first
  linking to the snapshot's digest. Closing publishes the tally with the chain's head;
  `audit_proposal` recomputes the electorate from the ledger, the chain and the tally.
- A ballot is idempotent by the member's Idempotency-Key: the same key and option answer
  the recorded ballot; another option under the same key is a conflict; a second ballot
  under another key is refused (`already_voted`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from zengzhi.app.brand import brand_config
from zengzhi.app.codec import canonical_json
from zengzhi.app.errors import IdempotencyConflict
from zengzhi.app.ports import LedgerStore
from zengzhi.domain.errors import DomainError
from zengzhi.domain.governance import Ballot, Proposal, check_ballot, open_proposal, tally

HOUR = 3_600_000_000  # microseconds, the ledger's unit of time


class UnknownProposal(DomainError):
    code = "unknown_proposal"


class VotingClosed(DomainError):
    """The proposal's voting window is over (or it was closed)."""

    code = "voting_closed"


class VotingOpen(DomainError):
    """A proposal's result is published only once its voting window is over."""

    code = "voting_open"


class AlreadyVoted(DomainError):
    """One ballot per member and proposal; a ballot is final."""

    code = "already_voted"


class InvalidWindow(DomainError):
    code = "invalid_window"


class GovernanceStore(Protocol):
    def token_balances(self, economy_id: str) -> dict[str, int]: ...

    def token_balances_at(self, economy_id: str, tx_seq: int) -> dict[str, int]: ...

    def proposal(self, economy_id: str, proposal_id: str, lock: bool = False) -> Any: ...

    def add_proposal(
        self, values: dict[str, Any], electorate: list[tuple[str, int, int]]
    ) -> None: ...

    def electorate(self, economy_id: str, proposal_id: str) -> list[Any]: ...

    def close_proposal(
        self, economy_id: str, proposal_id: str, result: str, head_hash: str, now: int
    ) -> None: ...

    def ballots(self, economy_id: str, proposal_id: str) -> list[Any]: ...

    def ballot(self, economy_id: str, proposal_id: str, member_id: str) -> Any: ...

    def add_ballot(self, values: dict[str, Any]) -> None: ...


class GovernanceUnitOfWork(Protocol):
    @property
    def ledger(self) -> LedgerStore: ...

    @property
    def brand(self) -> GovernanceStore: ...


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def snapshot_digest(
    economy_id: str,
    proposal_id: str,
    title: str,
    options: list[str],
    tx_seq: int,
    min_tokens_micro: int,
    electorate: list[tuple[str, int, int]],
) -> str:
    return _sha(
        canonical_json(
            {
                "economy": economy_id,
                "proposal": proposal_id,
                "title": title,
                "options": options,
                "after_tx": tx_seq,
                "min_tokens_micro": min_tokens_micro,
                "electorate": [list(e) for e in electorate],
            }
        )
    )


def ballot_hash(prev: str, proposal_id: str, seq: int, member: str, option: str, votes: int,
                cast_at: int) -> str:  # fmt: skip
    body = canonical_json(
        {"proposal": proposal_id, "seq": seq, "member": member, "option": option,
         "votes": votes, "cast_at": cast_at}
    )  # fmt: skip
    return _sha(prev + body)


def _electorate_rows(
    proposal_id: str, title: str, options: list[str], balances: dict[str, int], minimum: int
) -> tuple[Proposal, list[tuple[str, int, int]]]:
    proposal = open_proposal(proposal_id, title, options, balances, minimum)
    rows = sorted((member, balances[member], votes) for member, votes in proposal.electorate)
    return proposal, rows


def open_vote(
    uow: GovernanceUnitOfWork,
    economy_id: str,
    proposal_id: str,
    title: str,
    options: list[str],
    hours: int,
    actor: str,
    now: int,
) -> tuple[Any, bool]:
    """Open a proposal with its snapshot; (row, created). Same id and fields: the same."""
    _, rules = brand_config(uow.ledger, economy_id)
    head = uow.ledger.lock_economy(economy_id)  # no token moves while the snapshot is taken
    store = uow.brand
    # what the operator asked, not when: a retry an hour later is the same request
    fingerprint = _sha(canonical_json([title, options, hours]))
    existing = store.proposal(economy_id, proposal_id)
    if existing is not None:
        if existing.fingerprint != fingerprint:
            raise IdempotencyConflict(f"proposal {proposal_id!r} was already opened differently")
        return existing, False
    if type(hours) is not int or hours < 1:
        raise InvalidWindow("the voting window is a whole number of hours, at least one")
    closes_at = now + hours * HOUR
    balances = store.token_balances(economy_id)
    minimum = rules.vote_min_micro
    _, rows = _electorate_rows(proposal_id, title, options, balances, minimum)
    digest = snapshot_digest(economy_id, proposal_id, title, options, head.tx_seq, minimum, rows)
    store.add_proposal(
        {
            "economy_id": economy_id,
            "proposal_id": proposal_id,
            "title": title,
            "options": json.dumps(options, ensure_ascii=False),
            "fingerprint": fingerprint,
            "opens_at": now,
            "closes_at": closes_at,
            "snapshot_tx_seq": head.tx_seq,
            "snapshot_digest": digest,
            "min_tokens_micro": minimum,
            "status": "open",
            "created_by": actor,
        },
        rows,
    )
    return store.proposal(economy_id, proposal_id), True


def _proposal(store: GovernanceStore, economy_id: str, proposal_id: str, lock: bool = False) -> Any:
    row = store.proposal(economy_id, proposal_id, lock=lock)
    if row is None:
        raise UnknownProposal(f"there is no proposal {proposal_id!r} in this economy")
    return row


def _domain_proposal(store: GovernanceStore, row: Any) -> Proposal:
    electorate = store.electorate(row.economy_id, row.proposal_id)
    return Proposal(
        row.proposal_id,
        row.title,
        tuple(json.loads(row.options)),
        tuple((e.member_id, e.votes) for e in electorate),
    )


@dataclass(frozen=True, slots=True)
class Cast:
    ballot: Any
    replayed: bool


def cast_vote(
    uow: GovernanceUnitOfWork,
    economy_id: str,
    proposal_id: str,
    member: str,
    option: str,
    key: str,
    now: int,
) -> Cast:
    """Record the member's ballot with their snapshotted weight; see the module docstring."""
    brand_config(uow.ledger, economy_id)
    store = uow.brand
    row = _proposal(store, economy_id, proposal_id, lock=True)  # one chain writer at a time
    earlier = store.ballot(economy_id, proposal_id, member)
    if earlier is not None:
        if earlier.idem_key != key:
            raise AlreadyVoted(f"you already voted on proposal {proposal_id!r}; a ballot is final")
        if earlier.option != option:
            raise IdempotencyConflict(f"the key {key!r} was already used for another ballot")
        return Cast(earlier, True)
    if row.status != "open" or now >= row.closes_at:
        raise VotingClosed(f"voting on proposal {proposal_id!r} is over")
    proposal = _domain_proposal(store, row)
    check_ballot(proposal, Ballot(member, option))
    ballots = store.ballots(economy_id, proposal_id)
    prev = ballots[-1].hash if ballots else row.snapshot_digest
    seq = len(ballots) + 1
    votes = proposal.votes_of(member)
    store.add_ballot(
        {
            "economy_id": economy_id,
            "proposal_id": proposal_id,
            "member_id": member,
            "seq": seq,
            "option": option,
            "votes": votes,
            "idem_key": key,
            "prev_hash": prev,
            "hash": ballot_hash(prev, proposal_id, seq, member, option, votes, now),
            "cast_at": now,
        }
    )
    return Cast(store.ballot(economy_id, proposal_id, member), False)


def result_of(store: GovernanceStore, row: Any) -> dict[str, Any]:
    """The tally of the stored ballots and the chain's head."""
    proposal = _domain_proposal(store, row)
    ballots = store.ballots(row.economy_id, row.proposal_id)
    counted = tally(proposal, [Ballot(b.member_id, b.option) for b in ballots])
    return {
        "counts": [[option, votes] for option, votes in counted.counts],
        "voters": counted.voters,
        "votes_cast": counted.votes_cast,
        "eligible_votes": counted.eligible_votes,
        "eligible_voters": len(proposal.electorate),
        "winner": counted.winner,
        "head_hash": ballots[-1].hash if ballots else row.snapshot_digest,
    }


def close_vote(
    uow: GovernanceUnitOfWork, economy_id: str, proposal_id: str, now: int
) -> tuple[Any, bool]:
    """Publish the result once the window is over; (row, newly closed). Closing twice is
    answered with the published result."""
    brand_config(uow.ledger, economy_id)
    store = uow.brand
    row = _proposal(store, economy_id, proposal_id, lock=True)
    if row.status == "closed":
        return row, False
    if now < row.closes_at:
        raise VotingOpen(f"voting on proposal {proposal_id!r} is open until its window ends")
    result = result_of(store, row)
    store.close_proposal(economy_id, proposal_id, canonical_json(result), result["head_hash"], now)
    return store.proposal(economy_id, proposal_id), True


def audit_proposal(store: GovernanceStore, economy_id: str, proposal_id: str) -> list[str]:
    """What does not hold: the electorate recomputed from the ledger, the digest, the
    ballot chain, and (once closed) the published result. Empty when all is well."""
    row = _proposal(store, economy_id, proposal_id)
    options = json.loads(row.options)
    problems: list[str] = []
    balances = store.token_balances_at(economy_id, row.snapshot_tx_seq)
    _, rows = _electorate_rows(proposal_id, row.title, options, balances, row.min_tokens_micro)
    stored = [
        (e.member_id, e.tokens_micro, e.votes) for e in store.electorate(economy_id, proposal_id)
    ]
    if sorted(rows) != sorted(stored):
        problems.append("the stored electorate differs from the ledger's balances at the snapshot")
    digest = snapshot_digest(
        economy_id, proposal_id, row.title, options, row.snapshot_tx_seq,
        row.min_tokens_micro, sorted(stored),
    )  # fmt: skip
    if digest != row.snapshot_digest:
        problems.append("the snapshot's digest does not match the stored electorate")
    weights = {m: v for m, _, v in stored}
    prev = row.snapshot_digest
    for seq, b in enumerate(store.ballots(economy_id, proposal_id), start=1):
        want = ballot_hash(prev, proposal_id, seq, b.member_id, b.option, b.votes, b.cast_at)
        if b.seq != seq or b.prev_hash != prev or b.hash != want:
            problems.append(f"ballot {seq} breaks the chain")
        if weights.get(b.member_id) != b.votes:
            problems.append(f"ballot {seq} carries a weight the snapshot does not give")
        prev = b.hash
    if row.status == "closed" and json.loads(row.result) != result_of(store, row):
        problems.append("the published result differs from the ballots' tally")
    return problems
