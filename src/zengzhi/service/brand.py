"""Brand membership in the service (§7): a member's coins, tokens, tier, dividends and
votes; conversion, coupons, gifts of tokens and ballots; operators' dividends, buybacks
and proposals; the published results.

Members see the rules, their history and the economy's risk notice: never a promise that
tokens gain value or that dividends will be paid (a dividend depends on the profit the
stores declare, which may be nothing).
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from zengzhi.app import brand, brand_governance
from zengzhi.app.brand import NotBrandEconomy
from zengzhi.app.codec import config_from_json
from zengzhi.app.disclosure import pseudonym
from zengzhi.app.writer import Reply
from zengzhi.domain.brand_commands import TransferTokens
from zengzhi.domain.brand_rules import MICRO_PER_TOKEN, BrandRules, brand_rules_from
from zengzhi.domain.brand_tokens import spend_to_next_token_fen, tier_for
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset
from zengzhi.domain.errors import UnknownMember
from zengzhi.service.context import Service
from zengzhi.service.errors import InvalidInput, NotFound
from zengzhi.service.merchants import check_id
from zengzhi.service.operators import actor, require
from zengzhi.store.brand_repository import SqlBrand, brand_reading
from zengzhi.store.service_repository import SqlService

_COINS = (AccountKind.MEMBER_COINS.value, Asset.COINS.value)
_TOKENS = (AccountKind.MEMBER_TOKENS.value, Asset.TOKENS.value)


def _key(key: str | None, what: str) -> str:
    if not key or len(key) > 100:
        raise InvalidInput(f"send an Idempotency-Key header (1-100 characters) with {what}")
    return key


def _reply(reply: Reply) -> dict[str, Any]:
    result = reply.result()
    result["replayed"] = reply.replayed
    return result


def _config(store: SqlService, economy_id: str) -> tuple[EconomyConfig, BrandRules]:
    row = store.economy_row(economy_id)
    if row is None:
        raise NotFound(f"no economy {economy_id!r}")
    config = config_from_json(store.config_text(economy_id, row.config_version))
    if config.system != brand.SYSTEM:
        raise NotBrandEconomy(f"economy {economy_id!r} runs {config.system}, not brand membership")
    return config, brand_rules_from(config)


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def rules_view(rules: BrandRules) -> dict[str, Any]:
    """The rules in force, as members and operators read them."""
    return {
        "coins_per_yuan": rules.coins_per_yuan,
        "coins_per_token": rules.coins_per_token,
        "dividend_profit_share": str(rules.dividend_share),
        "dividend_period": rules.dividend_period,
        "referral_coin_share": str(rules.referral_coin_share),
        "referral_first_purchase_token_micro": rules.first_purchase_token_micro,
        "vote_min_tokens_micro": rules.vote_min_micro,
        "token_cost_fen": _floor(rules.token_cost_fen),
        "buyback_floor_fen": -(
            -rules.buyback_floor_fen.numerator // rules.buyback_floor_fen.denominator
        ),
        "tiers": [{"name": t.name, "min_spend_fen": t.min_spend_fen} for t in rules.tiers],
        "coupons": [
            {"code": c.code, "coins": c.coins, "face_fen": c.face_fen} for c in rules.coupons
        ],
    }


# -- a member's view ------------------------------------------------------------------------


def member_view(svc: Service, economy_id: str, member_id: str) -> dict[str, Any]:
    """Coins, tokens, tier, cost basis, dividends received, coupons, open proposals."""
    now = svc.now()
    with brand_reading(svc.database) as (store, bstore):
        config, rules = _config(store, economy_id)
        if store.member_account(economy_id, member_id) is None:
            raise NotFound("no such member")
        coins = bstore.balance(economy_id, _COINS[0], member_id, _COINS[1])
        tokens = bstore.balance(economy_id, _TOKENS[0], member_id, _TOKENS[1])
        spend = bstore.spend(economy_id, member_id)
        position = store.position(economy_id, member_id)
        received = bstore.dividends_received(economy_id, member_id)
        coupons = bstore.coupons(economy_id, member_id)
        proposals = _member_proposals(bstore, economy_id, member_id, now)
    tier = tier_for(rules, spend)
    higher = [t for t in rules.tiers if t.min_spend_fen > spend]
    cost = tokens * rules.token_cost_fen / MICRO_PER_TOKEN
    floor_value = tokens * rules.buyback_floor_fen / MICRO_PER_TOKEN
    return {
        "member_id": member_id,
        "coins": coins,
        "tokens_micro": tokens,
        "spend_fen": spend,
        "tier": None if tier is None else tier.name,
        "next_tier": None if not higher else higher[0].name,
        "to_next_tier_fen": None if not higher else higher[0].min_spend_fen - spend,
        "spend_to_next_token_fen": spend_to_next_token_fen(rules, coins),
        # what the tokens' coins cost in spend, and the least a buyback pays for them
        "cost_basis_fen": _floor(cost),
        "buyback_floor_value_fen": _floor(floor_value),
        "dividends_received_fen": received,
        "cash_fen": 0 if position is None else position.cash_fen,
        "coupons": [_coupon_json(c) for c in coupons],
        "proposals": proposals,
        "rules": rules_view(rules),
        "risk": config.sections.get("disclosure", {}).get("risk_text", ""),
    }


def _coupon_json(row: Any) -> dict[str, Any]:
    return {
        "coupon_id": row.coupon_id,
        "code": row.code,
        "coins": row.coins,
        "face_fen": row.face_fen,
        "created_at": row.created_at,
    }


def _member_proposals(
    bstore: SqlBrand, economy_id: str, member_id: str, now: int
) -> list[dict[str, Any]]:
    found = []
    for row in bstore.proposals(economy_id):
        if row.status != "open" or now >= row.closes_at:
            continue
        weight = {e.member_id: e.votes for e in bstore.electorate(economy_id, row.proposal_id)}
        ballot = bstore.ballot(economy_id, row.proposal_id, member_id)
        found.append(
            {
                **_proposal_head(row),
                "my_votes": weight.get(member_id, 0),
                "my_ballot": None if ballot is None else ballot.option,
            }
        )
    return found


def _proposal_head(row: Any) -> dict[str, Any]:
    return {
        "proposal_id": row.proposal_id,
        "title": row.title,
        "options": json.loads(row.options),
        "opens_at": row.opens_at,
        "closes_at": row.closes_at,
        "status": row.status,
        "min_tokens_micro": row.min_tokens_micro,
        "snapshot_after_tx": row.snapshot_tx_seq,
        "snapshot_digest": row.snapshot_digest,
    }


# -- a member's writes ------------------------------------------------------------------------


def convert(svc: Service, economy_id: str, member_id: str, key: str | None,
            coins: int) -> dict[str, Any]:  # fmt: skip
    request_id = f"{member_id}:{_key(key, 'a conversion')}"
    return svc.run(
        lambda uow: _reply(
            brand.convert(uow, svc.engines, economy_id, request_id, member_id, coins, svc.now())
        )
    )


def redeem(svc: Service, economy_id: str, member_id: str, key: str | None,
           code: str) -> dict[str, Any]:  # fmt: skip
    request_id = f"{member_id}:{_key(key, 'a coupon redemption')}"
    return svc.run(
        lambda uow: _reply(
            brand.redeem(uow, svc.engines, economy_id, request_id, member_id, code, svc.now())
        )
    )


def give(svc: Service, economy_id: str, member_id: str, key: str | None, to: str,
         tokens_micro: int) -> dict[str, Any]:  # fmt: skip
    request_id = f"{member_id}:{_key(key, 'a gift of tokens')}"

    def work(uow: Any) -> dict[str, Any]:
        if uow.service.member_account(economy_id, to) is None:
            raise UnknownMember(f"no member {to!r} in this economy")
        command = TransferTokens(member_id, to, tokens_micro)
        reply = brand.submit_one(uow, svc.engines, economy_id, request_id, command, svc.now())
        return _reply(reply)

    return svc.run(work)


def vote(svc: Service, economy_id: str, member_id: str, proposal_id: str, option: str,
         key: str | None) -> dict[str, Any]:  # fmt: skip
    idem = _key(key, "a ballot")

    def work(uow: Any) -> dict[str, Any]:
        cast = brand_governance.cast_vote(
            uow, economy_id, proposal_id, member_id, option, idem, svc.now()
        )
        b = cast.ballot
        return {
            "proposal_id": proposal_id,
            "option": b.option,
            "votes": b.votes,
            "seq": b.seq,
            "hash": b.hash,
            "cast_at": b.cast_at,
            "replayed": cast.replayed,
        }

    return svc.run(work)


# -- operators ---------------------------------------------------------------------------------


def declare_dividend(svc: Service, economy_id: str, operator_id: str, period: str,
                     declared_profit_fen: int) -> dict[str, Any]:  # fmt: skip
    require(svc, operator_id, economy_id, "brand_dividend")

    def work(uow: Any) -> dict[str, Any]:
        now = svc.now()
        reply = brand.pay_dividend(
            uow, svc.engines, economy_id, period, declared_profit_fen, actor(operator_id), now
        )
        result = _reply(reply)
        if not reply.replayed:
            uow.service.audit(
                economy_id, now, actor(operator_id), "brand.dividend", period,
                {"declared_profit_fen": declared_profit_fen, "event": reply.event_seq},
            )  # fmt: skip
        return result

    return svc.run(work)


def dividends(svc: Service, economy_id: str, operator_id: str) -> list[dict[str, Any]]:
    require(svc, operator_id, economy_id, "read")
    with brand_reading(svc.database) as (store, bstore):
        _config(store, economy_id)
        rows = bstore.dividends(economy_id)
    return [
        {
            "period": r.period,
            "declared_profit_fen": r.declared_profit_fen,
            "funded_fen": r.funded_fen,
            "paid_fen": r.paid_fen,
            "holders_paid": r.holders_paid,
            "event": r.event_seq,
            "declared_by": r.declared_by,
        }
        for r in rows
    ]


def buy_back(svc: Service, economy_id: str, operator_id: str, key: str | None, member_id: str,
             tokens_micro: int, price_fen: int | None) -> dict[str, Any]:  # fmt: skip
    require(svc, operator_id, economy_id, "brand_buyback")
    request_id = _key(key, "a buyback")

    def work(uow: Any) -> dict[str, Any]:
        now = svc.now()
        if uow.service.member_account(economy_id, member_id) is None:
            raise UnknownMember(f"no member {member_id!r} in this economy")
        reply = brand.buy_back(
            uow, svc.engines, economy_id, request_id, member_id, tokens_micro, price_fen, now
        )
        result = _reply(reply)
        if not reply.replayed:
            uow.service.audit(
                economy_id, now, actor(operator_id), "brand.buyback", member_id,
                {"tokens_micro": tokens_micro, "price_fen": price_fen, "event": reply.event_seq},
            )  # fmt: skip
        return result

    return svc.run(work)


def open_proposal(svc: Service, economy_id: str, operator_id: str, proposal_id: str, title: str,
                  options: list[str], hours: int) -> tuple[dict[str, Any], bool]:  # fmt: skip
    require(svc, operator_id, economy_id, "brand_governance")
    check_id(proposal_id, "a proposal id")

    def work(uow: Any) -> tuple[dict[str, Any], bool]:
        now = svc.now()
        row, created = brand_governance.open_vote(
            uow, economy_id, proposal_id, title, options, hours, actor(operator_id), now
        )
        if created:
            uow.service.audit(
                economy_id, now, actor(operator_id), "brand.proposal_opened", proposal_id,
                {"snapshot_digest": row.snapshot_digest},
            )  # fmt: skip
        electorate = uow.brand.electorate(economy_id, proposal_id)
        view = {
            **_proposal_head(row),
            "eligible_voters": len(electorate),
            "eligible_votes": sum(e.votes for e in electorate),
        }
        return view, created

    return svc.run(work)


def close_proposal(svc: Service, economy_id: str, operator_id: str,
                   proposal_id: str) -> dict[str, Any]:  # fmt: skip
    require(svc, operator_id, economy_id, "brand_governance")

    def work(uow: Any) -> dict[str, Any]:
        now = svc.now()
        row, closed = brand_governance.close_vote(uow, economy_id, proposal_id, now)
        if closed:
            uow.service.audit(
                economy_id, now, actor(operator_id), "brand.proposal_closed", proposal_id,
                {"head_hash": row.head_hash},
            )  # fmt: skip
        return {**_proposal_head(row), "result": json.loads(row.result)}

    return svc.run(work)


# -- the public record -------------------------------------------------------------------------


def published(
    svc: Service, economy_id: str, proposal_id: str | None = None
) -> list[dict[str, Any]]:
    """Proposals with their electorate and ballots under pseudonyms, the result once closed,
    and the audit of the snapshot, the chain and the tally."""
    secret = svc.secret.encode()

    def name(member_id: str) -> str:
        return pseudonym(secret, economy_id, member_id)

    with brand_reading(svc.database) as (store, bstore):
        _config(store, economy_id)
        rows = bstore.proposals(economy_id)
        if proposal_id is not None:
            rows = [r for r in rows if r.proposal_id == proposal_id]
            if not rows:
                raise brand_governance.UnknownProposal(f"there is no proposal {proposal_id!r}")
        views = []
        for row in rows:
            electorate = bstore.electorate(economy_id, row.proposal_id)
            ballots = bstore.ballots(economy_id, row.proposal_id)
            problems = brand_governance.audit_proposal(bstore, economy_id, row.proposal_id)
            views.append(
                {
                    **_proposal_head(row),
                    "result": None if row.result is None else json.loads(row.result),
                    "electorate": [
                        {"account": name(e.member_id), "tokens_micro": e.tokens_micro,
                         "votes": e.votes} for e in electorate
                    ],
                    "ballots": [
                        {"seq": b.seq, "account": name(b.member_id), "option": b.option,
                         "votes": b.votes, "cast_at": b.cast_at, "prev_hash": b.prev_hash,
                         "hash": b.hash} for b in ballots
                    ],
                    "audit": {"ok": not problems, "problems": problems},
                }
            )  # fmt: skip
    return views
