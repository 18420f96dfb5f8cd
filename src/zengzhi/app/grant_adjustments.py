"""Operators add or deduct a member's locked grant points (§4 back office), through the ledger.

Design and decided choices (see domain/grant_adjustments.py for the entries):
- Under the economy's writer lock the `grants` projection is synced first, so the
  deduction's oldest-first split sees every grant, and an addition's new grant row cannot
  be skipped by a later sync (which resumes after the highest event_seq it holds).
- An addition becomes a grant row of its own (grant id `adjust:<request id>`, base = the
  points added, level = the member's level at the last settled day) through the same
  sync as purchase grants, so the next release includes it.
- A deduction takes from the member's open grants oldest first; the split is recorded in
  the command and written to `grants.remaining_micro` in the same transaction.
- A repeated request id is answered from the recorded command (rebuilt from its payload),
  so the recorded split is reused rather than decided again against a changed book.
- A deduction above what the member has locked is refused before anything is written.
"""

from __future__ import annotations

import json
from typing import Any

from zengzhi.app.engines import EngineCache
from zengzhi.app.releases import GrantUnitOfWork, grant_config
from zengzhi.app.requests import CommandRequest
from zengzhi.app.writer import Reply, apply_batch
from zengzhi.domain.grant_adjustments import AdjustGrantPoints
from zengzhi.domain.token_errors import InsufficientBalance

KIND = AdjustGrantPoints.kind


def adjust_grant_points(
    uow: GrantUnitOfWork,
    engines: EngineCache,
    economy_id: str,
    request_id: str,
    member: str,
    delta_micro: int,
    reason: str,
    now: int,
) -> Reply:
    """Add (positive) or deduct (negative) locked grant points; idempotent by `request_id`."""
    uow.ledger.lock_economy(economy_id)
    grant_config(uow.ledger, economy_id)
    key = f"{KIND}:{request_id}"
    earlier = uow.ledger.find_events(economy_id, {key}).get(key)
    if earlier is not None:
        recorded = AdjustGrantPoints.from_payload(json.loads(earlier.payload))
        if (recorded.member, recorded.delta_micro, recorded.reason) == (
            member,
            delta_micro,
            reason,
        ):
            return apply_batch(
                uow, engines, economy_id, [CommandRequest(request_id, recorded)], now
            )[0]
        # other fields: the writer answers idempotency_conflict
        command = AdjustGrantPoints(member, delta_micro, reason, f"adjust:{request_id}", 1)
        return apply_batch(uow, engines, economy_id, [CommandRequest(request_id, command)], now)[0]
    store: Any = uow.grants
    store.sync_grants(economy_id)
    if delta_micro > 0:
        standing = store.standing(economy_id, member)
        level = "" if standing is None else standing.level
        command = AdjustGrantPoints(
            member, delta_micro, reason, f"adjust:{request_id}", delta_micro, level
        )
        reply = apply_batch(uow, engines, economy_id, [CommandRequest(request_id, command)], now)[0]
        if reply.error is None:
            store.sync_grants(economy_id)  # the new grant, in the release job's book
        return reply
    split, left = _oldest_first(store.member_grants(economy_id, member), -delta_micro)
    if left:
        held = -delta_micro - left
        raise InsufficientBalance(
            f"member {member!r} has {held} micro-points locked; cannot deduct {-delta_micro}"
        )
    command = AdjustGrantPoints(member, delta_micro, reason, from_grants=split)
    reply = apply_batch(uow, engines, economy_id, [CommandRequest(request_id, command)], now)[0]
    if reply.error is None:
        rest = {r.grant_id: r.remaining_micro for r in store.member_grants(economy_id, member)}
        store.set_remaining(economy_id, [(g, rest[g] - a) for g, a in split])
    return reply


def _oldest_first(rows: list[Any], amount: int) -> tuple[tuple[tuple[str, int], ...], int]:
    """Take `amount` from the grants' locked rests, oldest first; the split and what is left."""
    split: list[tuple[str, int]] = []
    for row in sorted(rows, key=lambda r: r.event_seq):
        if amount == 0:
            break
        take = min(amount, row.remaining_micro)
        if take > 0:
            split.append((row.grant_id, take))
            amount -= take
    return tuple(split), amount
