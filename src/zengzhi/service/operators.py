"""Operators: economies from presets, roles, adjustments, withdrawal reviews, rule changes.

Roles per economy: owner (everything), operator (merchants, keys, members, settling),
finance (adjustments, withdrawals), auditor (reads only: reports, audit log). The API
checks a role with `require`; every change an operator makes is written to the audit log
in the same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from zengzhi.app import create_economy
from zengzhi.app.codec import config_from_json, config_to_json, config_to_mapping
from zengzhi.app.requests import AdjustRequest, ReviewWithdrawalRequest
from zengzhi.app.writer import apply_batch
from zengzhi.domain.economy import EconomyConfig, config_from_mapping
from zengzhi.domain.errors import InvalidAmount, UnknownMember
from zengzhi.presets import load_preset
from zengzhi.service.context import Service
from zengzhi.service.errors import AlreadyReviewed, Forbidden, InvalidInput, NotFound
from zengzhi.service.local_life import check_terms_under
from zengzhi.service.merchants import check_id
from zengzhi.service.wallet import withdrawal_json
from zengzhi.sim.checks import Acknowledgement, RulesDecision, RulesRefused, review_rules
from zengzhi.store.service_repository import reading

ROLES = ("owner", "operator", "finance", "auditor")
EVERYONE = frozenset(ROLES)
# who may do what (the authorization matrix)
CAN: dict[str, frozenset[str]] = {
    "read": EVERYONE,
    "manage_operators": frozenset({"owner"}),
    "change_rules": frozenset({"owner"}),
    "manage_merchants": frozenset({"owner", "operator"}),
    "settle": frozenset({"owner", "operator"}),
    "see_members": frozenset({"owner", "operator", "finance", "auditor"}),
    "adjust": frozenset({"owner", "finance"}),
    "buy_back": frozenset({"owner", "finance"}),  # §2: the platform buys points back
    "review_withdrawals": frozenset({"owner", "finance"}),
    "audit": frozenset({"owner", "auditor"}),
    "reports": EVERYONE,
    # issue 6 §7 (brand membership): profit declared and dividends paid, buybacks, votes
    "brand_dividend": frozenset({"owner", "finance"}),
    "brand_buyback": frozenset({"owner", "finance"}),
    "brand_governance": frozenset({"owner", "operator"}),
}


def require(svc: Service, operator_id: str, economy_id: str, action: str) -> str:
    """The operator's role in the economy, if it allows `action`; else Forbidden."""
    with reading(svc.database) as store:
        role = store.role(economy_id, operator_id)
    if role is None:
        raise Forbidden("you are not an operator of this economy")
    if role not in CAN[action]:
        raise Forbidden(f"the {role} role cannot do this ({action.replace('_', ' ')})")
    return role


def actor(operator_id: str) -> str:
    return f"operator:{operator_id}"


def _acks(operator_id: str, acknowledgements: Iterable[Mapping[str, str]]) -> list[Acknowledgement]:
    return [
        Acknowledgement(a.get("code", ""), operator_id, a.get("reason", ""))
        for a in acknowledgements
    ]


def _review(config: EconomyConfig, acks: list[Acknowledgement]) -> RulesDecision:
    decision = review_rules(config, acks, strict=True)
    if not decision.accepted:
        codes = ", ".join(f.code for f in decision.blocking)
        raise RulesRefused(
            f"the rules show high-severity warning signs ({codes}); acknowledge each one by"
            " its code with a reason to save them anyway"
        )
    return decision


def _findings(decision: RulesDecision) -> dict[str, Any]:
    return {
        "findings": [
            {"code": f.code, "severity": f.severity.value, "where": f.where, "title": f.title}
            for f in decision.findings
        ],
        "acknowledged": [
            {"code": f.code, "operator": a.operator, "reason": a.reason}
            for f, a in decision.acknowledged
        ],
    }


def create_economy_from_preset(
    svc: Service,
    uow: Any,
    economy_id: str,
    preset: str,
    owner: str | None,
    now: int,
    acknowledgements: Iterable[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """A new economy with a preset's rules (checked first); `owner` becomes its owner."""
    check_id(economy_id, "an economy id")
    config = load_preset(preset)
    decision = _review(config, _acks(owner or "cli", acknowledgements))
    create_economy(uow, economy_id, config, now)
    store = uow.service
    if owner is not None:
        store.set_role(economy_id, owner, "owner", now)
    store.audit(
        economy_id, now, actor(owner) if owner else "cli", "economy.created", economy_id,
        {"preset": preset, "config_version": 1, **_findings(decision)},
    )  # fmt: skip
    return {"economy_id": economy_id, "preset": preset, "name": config.name, **_findings(decision)}


def grant_role(
    svc: Service, uow: Any, economy_id: str, operator_id: str, role: str, by: str, now: int
) -> None:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    store = uow.service
    if store.operator(operator_id) is None:
        raise NotFound(f"no operator {operator_id!r}")
    store.set_role(economy_id, operator_id, role, now)
    store.audit(economy_id, now, by, "operator.role_granted", operator_id, {"role": role})


def economy_summary(svc: Service, economy_id: str) -> dict[str, Any]:
    with reading(svc.database) as store:
        row = store.economy_row(economy_id)
        if row is None:
            raise NotFound(f"no economy {economy_id!r}")
        config = store.config_text(economy_id, row.config_version)
        changes = store.config_changes(economy_id)
    return {
        "economy_id": economy_id,
        "config_version": row.config_version,
        "config": config_to_mapping(config_from_json(config)),
        "pool_fen": row.pool_fen,
        "points_micro": row.points_micro,
        "events": row.event_seq,
        "transactions": row.tx_seq,
        "rule_changes": [
            {"version": c.version, "effective_at": c.effective_at, "applied_at": c.applied_at,
             "reason": c.reason, "operator_id": c.operator_id}
            for c in changes
        ],
    }  # fmt: skip


# -- money: adjustments and withdrawals ------------------------------------------------------


def adjust(
    svc: Service,
    economy_id: str,
    operator_id: str,
    member_id: str,
    asset: str,
    delta: int,
    reason: str,
    key: str,
) -> dict[str, Any]:
    """An audited correction of a member's cash (fen) or points (micro-points)."""
    if asset not in ("cash", "points"):
        raise InvalidInput("asset must be cash or points")
    if type(delta) is not int or delta == 0:
        raise InvalidAmount("an adjustment is a non-zero whole number")
    if not reason.strip():
        raise InvalidInput("an adjustment needs a reason")
    if not key or len(key) > 100:
        raise InvalidInput("send an Idempotency-Key header (1-100 characters)")
    request = AdjustRequest(f"{operator_id}:{key}", member_id, asset, delta, reason.strip())

    def work(uow: Any) -> dict[str, Any]:
        store = uow.service
        now = svc.now()
        if (
            store.member_account(economy_id, member_id) is None
            and store.position(economy_id, member_id) is None
        ):
            raise UnknownMember(f"no member {member_id!r} in this economy")
        reply = apply_batch(uow, svc.engines, economy_id, [request], now)[0]
        result = reply.result()
        if not reply.replayed:
            store.audit(
                economy_id, now, actor(operator_id), "member.adjusted", member_id,
                {"asset": asset, "delta": delta, "reason": reason.strip(),
                 "event": reply.event_seq},
            )  # fmt: skip
        return {**result, "reason": reason.strip(), "replayed": reply.replayed}

    return svc.run(work)


def review_withdrawal(
    svc: Service,
    economy_id: str,
    operator_id: str,
    withdrawal_id: str,
    approve: bool,
    reference: str | None,
    note: str | None,
) -> dict[str, Any]:
    """Approve (paid, with the payment reference) or reject (cash back to the wallet)."""
    if approve and not (reference or "").strip():
        raise InvalidInput("an approval needs the payment's reference")

    def work(uow: Any) -> dict[str, Any]:
        store = uow.service
        now = svc.now()
        row = store.withdrawal(economy_id, withdrawal_id)
        if row is None:
            raise NotFound(f"no withdrawal {withdrawal_id!r} in this economy")
        wanted = "paid" if approve else "rejected"
        if row.status != "pending":
            if row.status == wanted:
                return withdrawal_json(row)
            raise AlreadyReviewed(f"withdrawal {withdrawal_id!r} was already {row.status}")
        request = ReviewWithdrawalRequest(withdrawal_id, row.member_id, row.amount_fen, approve)
        reply = apply_batch(uow, svc.engines, economy_id, [request], now)[0]
        reply.result()
        store.review_withdrawal(
            economy_id, withdrawal_id, wanted, now, operator_id,
            reference.strip() if approve and reference else None, None if approve else note,
        )  # fmt: skip
        store.audit(
            economy_id, now, actor(operator_id), f"withdrawal.{wanted}", withdrawal_id,
            {"amount_fen": row.amount_fen, "reference": reference, "note": note,
             "event": reply.event_seq},
        )  # fmt: skip
        return withdrawal_json(store.withdrawal(economy_id, withdrawal_id))

    return svc.run(work)


# -- rule changes: new configuration versions, forward only ------------------------------------


def change_rules(
    svc: Service,
    economy_id: str,
    operator_id: str,
    changes: Mapping[str, Mapping[str, Any]],
    effective_at: int | None,
    reason: str,
    acknowledgements: Iterable[Mapping[str, str]],
) -> dict[str, Any]:
    """A new configuration version from the current one with `changes` (table → key →
    value). Checked by the compliance review (high findings need acknowledgements, which
    are audited). It applies from `effective_at` (now if None), never to the past."""
    if not reason.strip():
        raise InvalidInput("a rule change needs a reason")

    def work(uow: Any) -> dict[str, Any]:
        store = uow.service
        now = svc.now()
        at = now if effective_at is None else effective_at
        if at < now:
            raise InvalidInput("rules change from now on: effective_at cannot be in the past")
        row = store.economy_row(economy_id)
        if row is None:
            raise NotFound(f"no economy {economy_id!r}")
        current = config_from_json(store.config_text(economy_id, row.config_version))
        config = changed_config(current, changes)
        decision = _review(config, _acks(operator_id, acknowledgements))
        check_terms_under(uow, economy_id, config)  # §6: no store left unable to settle
        version = store.next_config_version(economy_id)
        store.add_config_change(
            {
                "economy_id": economy_id,
                "version": version,
                "config": config_to_json(config),
                "effective_at": at,
                "created_at": now,
                "operator_id": operator_id,
                "reason": reason.strip(),
            }
        )
        store.audit(
            economy_id, now, actor(operator_id), "rules.changed", f"version {version}",
            {"changes": changes, "effective_at": at, "reason": reason.strip(),
             **_findings(decision)},
        )  # fmt: skip
        if at <= now:
            _activate_due(uow, economy_id, now)
        return {"version": version, "effective_at": at, **_findings(decision)}

    return svc.run(work)


def changed_config(
    current: EconomyConfig, changes: Mapping[str, Mapping[str, Any]]
) -> EconomyConfig:
    """`current` with `changes` (table → key → value) applied, validated as a whole."""
    mapping = config_to_mapping(current)
    for table, values in changes.items():
        if not isinstance(values, Mapping):
            raise InvalidInput(f"changes.{table} must be a table of keys and values")
        mapping.setdefault(table, {}).update(values)
    return config_from_mapping(mapping)


def preview_rules(
    svc: Service, economy_id: str, changes: Mapping[str, Mapping[str, Any]]
) -> RulesDecision:
    """What `change_rules` would find, without saving anything (the console shows it
    before the operator saves). Invalid rules raise as they would on saving."""
    with reading(svc.database) as store:
        row = store.economy_row(economy_id)
        if row is None:
            raise NotFound(f"no economy {economy_id!r}")
        current = config_from_json(store.config_text(economy_id, row.config_version))
    return review_rules(changed_config(current, changes), (), strict=False)


def _at(svc: Service, now: int | None) -> int:
    return svc.now() if now is None else now


def _activate_due(uow: Any, economy_id: str, now: int) -> int:
    store = uow.service
    due = store.due_config_changes(economy_id, now)
    if due:
        uow.ledger.lock_economy(economy_id)  # the writer lock: no batch sees half a change
    for change in due:
        store.activate_config(economy_id, change.version, change.config, now)
        store.audit(economy_id, now, "system", "rules.applied", f"version {change.version}", {})
    return len(due)


def apply_due_rule_changes(svc: Service, now: int | None = None) -> int:
    with reading(svc.database) as store:
        economies = store.economy_ids()
    applied = 0
    for economy_id in economies:
        applied += svc.run(partial(_activate_due, economy_id=economy_id, now=_at(svc, now)))
    return applied


def audit_log(svc: Service, economy_id: str, limit: int, after: int) -> list[dict[str, Any]]:
    import json

    with reading(svc.database) as store:
        rows = store.audit_entries(economy_id, limit, after)
    return [
        {"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "subject": r.subject,
         "details": json.loads(r.details)}
        for r in rows
    ]  # fmt: skip


def members(
    svc: Service, economy_id: str, role: str, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Members with their positions; phones in full for owners and operators only."""
    with reading(svc.database) as store:
        rows = store.member_list(economy_id, limit, offset)
    full = role in ("owner", "operator")
    return [
        {"member_id": r.member_id, "phone": r.phone if full else _mask(r.phone),
         "referrer": r.referrer, "referral_code": r.referral_code, "joined_at": r.created_at,
         "points_micro": r.points_micro, "cash_fen": r.cash_fen,
         "cycle_spend_fen": r.cycle_spend_fen, "exits": r.exits}
        for r in rows
    ]  # fmt: skip


def _mask(phone: str) -> str:
    return phone[:3] + "*" * max(0, len(phone) - 7) + phone[-4:] if len(phone) > 7 else "****"
