"""The public disclosure API: read-only, no login, members only as pseudonyms.

Under /v1/public/economies/{economy_id}: the disclosure figures (pool, points outstanding,
price and the totals of contributions, payouts, reflows, burns and injections, computed
from the ledger postings), the price history, transactions newest first (cursor `before`
= a sequence number), one transaction with its postings and hashes, its Merkle inclusion
proof, a pseudonymous account's history, and the checkpoints. Cash is integer fen and
points integer micro-points; the `*_text` fields are the same amounts for people (yuan
with 2 decimals, points with 6, prices with 4, half-up on the exact value).

Proof byte layout (what /proof returns and what the explorer checks in the browser):
`leaf` is the transaction's 32-byte chain hash; the leaf hash is SHA-256(0x00 ‖ leaf),
an inner node SHA-256(0x01 ‖ left ‖ right); `path` lists sibling hashes from the leaf
up; `index` is the transaction's position in the checkpoint's block (seq − first_seq) and
`size` the block's length; the walk is RFC 9162 §2.1.3.2 and must end at `root`, the root
recorded in checkpoint `checkpoint`. All hashes are lowercase hex.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from pydantic import BaseModel, Field

from zengzhi.api.public_service import (
    MAX_PAGE,
    AccountView,
    EconomyView,
    PublicService,
    TxDetail,
    TxView,
)
from zengzhi.config import Settings, get_settings
from zengzhi.domain.money import format_fen, format_points, format_price
from zengzhi.ledger.model import Checkpoint
from zengzhi.store import Database

router = APIRouter(prefix="/v1/public/economies/{economy_id}", tags=["public"])

EconomyId = Annotated[str, Path(min_length=1, max_length=64, description="The economy's id")]
Before = Annotated[
    int | None, Query(ge=1, description="Cursor: only items numbered below this (older)")
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size")]


def service_of(app: FastAPI) -> PublicService:
    """The process's public service; the database comes from `app.state.database` if the
    application set one, else from the settings' database URL (opened once)."""
    found: PublicService | None = getattr(app.state, "public_service", None)
    if found is None:
        settings: Settings = getattr(app.state, "settings", None) or get_settings()
        database = getattr(app.state, "database", None) or Database(settings.database_url)
        app.state.database = database
        found = PublicService(database, settings.secret_key.get_secret_value().encode())
        app.state.public_service = found
    return found


def _service(request: Request) -> PublicService:
    return service_of(request.app)


Service = Annotated[PublicService, Depends(_service)]


# -- response models -----------------------------------------------------------------


def _yuan(fen: Fraction) -> str:
    return format_price(fen / 100, 2)


class Rules(BaseModel):
    initial_price: str
    points_ratio: str
    pool_share: str
    sell_fee: str
    exit_multiple: str | None
    monthly_burn: str


class Totals(BaseModel):
    contributions_fen: int = Field(description="cash into the pool from settled orders")
    injections_fen: int = Field(description="cash into the pool from operator financing")
    payouts_fen: int = Field(description="cash paid out of the pool for sales and forced exits")
    reflow_fen: str = Field(
        description="exact fen (a fraction) that sales left in the pool: the sold points' "
        "value at the price before each sale minus the cash paid"
    )
    reflow_text: str
    minted_micro: int = Field(description="points ever minted by orders")
    sold_micro: int = Field(description="points sold back (sales and forced exits)")
    burned_micro: int = Field(description="points burned by the periodic burn")
    transactions_by_kind: dict[str, int]


class DisclosureOut(BaseModel):
    economy_id: str
    name: str
    system: str
    timezone: str
    as_of_seq: int = Field(description="the figures hold right after this transaction")
    head_hash: str = Field(description="chain hash of the latest transaction (hex)")
    pool_fen: int
    pool_text: str
    outstanding_micro: int = Field(description="points outstanding")
    outstanding_text: str
    price: str = Field(description="exact price in yuan per point, as numerator/denominator")
    price_text: str
    totals: Totals
    rules: Rules
    checkpoints: int
    checkpoint_every: int
    risk_notice: str


class PricePointOut(BaseModel):
    seq: int
    recorded_at: int = Field(description="microseconds since the Unix epoch, UTC")
    price: str
    price_text: str


class PriceHistoryOut(BaseModel):
    economy_id: str
    sampled_every: int = Field(description="1: every transaction; n: every n-th, plus the latest")
    points: list[PricePointOut]


class LegOut(BaseModel):
    account: str
    holder: str | None = Field(description="a member's pseudonym; null for the economy's accounts")
    asset: str
    amount: int = Field(description="fen for cash, micro-points for points; + in, − out")


class TransactionOut(BaseModel):
    seq: int
    kind: str
    member: str | None
    recorded_at: int
    hash: str
    pool_change_fen: int
    outstanding_change_micro: int
    legs: list[LegOut]


class TransactionPage(BaseModel):
    transactions: list[TransactionOut]
    next_before: int | None = Field(description="pass as `before` for the next, older page")


class TransactionDetailOut(TransactionOut):
    event_seq: int
    prev_hash: str
    checkpoint: int | None = Field(description="the sealed checkpoint covering it, if any")
    pool_after_fen: int
    outstanding_after_micro: int
    price_after: str | None
    price_after_text: str | None


class ProofOut(BaseModel):
    economy_id: str
    seq: int
    leaf: str = Field(description="the transaction's chain hash (hex)")
    checkpoint: int
    index: int
    size: int
    path: list[str]
    root: str


class CheckpointOut(BaseModel):
    number: int
    first_seq: int
    last_seq: int
    root: str
    head_hash: str
    created_at: int


class CheckpointPage(BaseModel):
    checkpoints: list[CheckpointOut]
    next_before: int | None


class AccountOut(BaseModel):
    pseudonym: str
    points_micro: int
    points_text: str
    cash_fen: int
    cash_text: str
    value_text: str = Field(description="the points at today's price; not a promise")
    transactions: list[TransactionOut]
    next_before: int | None


def disclosure_out(view: EconomyView) -> DisclosureOut:
    d, rules, config = view.disclosure, view.config.pool, view.config
    return DisclosureOut(
        economy_id=view.row.economy_id,
        name=config.name,
        system=config.system,
        timezone=config.timezone,
        as_of_seq=d.seq,
        head_hash=view.row.head_hash.hex(),
        pool_fen=d.pool_fen,
        pool_text=format_fen(d.pool_fen),
        outstanding_micro=d.outstanding_micro,
        outstanding_text=format_points(d.outstanding_micro),
        price=f"{d.price.numerator}/{d.price.denominator}",
        price_text=format_price(d.price),
        totals=Totals(
            contributions_fen=d.contributions_fen,
            injections_fen=d.injections_fen,
            payouts_fen=d.payouts_fen,
            reflow_fen=f"{d.reflow_fen.numerator}/{d.reflow_fen.denominator}",
            reflow_text=_yuan(d.reflow_fen),
            minted_micro=d.issued_micro,
            sold_micro=d.sold_micro,
            burned_micro=d.burned_micro,
            transactions_by_kind=d.counts,
        ),
        rules=Rules(
            initial_price=format_price(rules.initial_price),
            points_ratio=str(rules.points_ratio),
            pool_share=str(config.pool_share),
            sell_fee=str(rules.sell_fee),
            exit_multiple=None if rules.exit_multiple is None else str(rules.exit_multiple),
            monthly_burn=str(config.monthly_burn),
        ),
        checkpoints=view.row.checkpoints,
        checkpoint_every=view.row.checkpoint_every,
        risk_notice=view.risk_text,
    )


def tx_out(tx: TxView) -> TransactionOut:
    return TransactionOut(**_tx_fields(tx))


def _tx_fields(tx: TxView) -> dict[str, object]:
    return {
        "seq": tx.seq,
        "kind": tx.kind,
        "member": tx.member,
        "recorded_at": tx.recorded_at,
        "hash": tx.hash.hex(),
        "pool_change_fen": tx.pool_change_fen,
        "outstanding_change_micro": tx.outstanding_change_micro,
        "legs": [LegOut(account=g.account, holder=g.holder, asset=g.asset, amount=g.amount)
                 for g in tx.legs],
    }  # fmt: skip


def checkpoint_out(cp: Checkpoint, created_at: int) -> CheckpointOut:
    return CheckpointOut(
        number=cp.number,
        first_seq=cp.first_seq,
        last_seq=cp.last_seq,
        root=cp.root.hex(),
        head_hash=cp.head_hash.hex(),
        created_at=created_at,
    )


# -- routes ---------------------------------------------------------------------------


@router.get("", summary="Disclosure: pool, points outstanding, price and totals")
def disclosure(economy_id: EconomyId, service: Service) -> DisclosureOut:
    return disclosure_out(service.economy(economy_id))


@router.get("/price-history", summary="The price after each transaction (sampled when long)")
def price_history(economy_id: EconomyId, service: Service) -> PriceHistoryOut:
    d = service.economy(economy_id).disclosure
    return PriceHistoryOut(
        economy_id=economy_id,
        sampled_every=d.sampled_every,
        points=[
            PricePointOut(
                seq=p.seq,
                recorded_at=p.recorded_at,
                price=f"{p.price.numerator}/{p.price.denominator}",
                price_text=format_price(p.price),
            )
            for p in d.history
        ],
    )


@router.get("/transactions", summary="Transactions, newest first")
def transactions(
    economy_id: EconomyId, service: Service, before: Before = None, limit: Limit = 20
) -> TransactionPage:
    page = service.transactions(economy_id, before, limit)
    return TransactionPage(
        transactions=[tx_out(tx) for tx in page.transactions], next_before=page.next_before
    )


@router.get("/transactions/{seq}", summary="One transaction: postings, hash, previous hash")
def transaction(
    economy_id: EconomyId, seq: Annotated[int, Path(ge=1)], service: Service
) -> TransactionDetailOut:
    return detail_out(service.transaction(economy_id, seq))


def detail_out(d: TxDetail) -> TransactionDetailOut:
    price = d.price_after
    return TransactionDetailOut(
        **_tx_fields(d.tx),
        event_seq=d.event_seq,
        prev_hash=d.prev_hash.hex(),
        checkpoint=None if d.checkpoint is None else d.checkpoint.number,
        pool_after_fen=d.pool_after_fen,
        outstanding_after_micro=d.outstanding_after_micro,
        price_after=None if price is None else f"{price.numerator}/{price.denominator}",
        price_after_text=None if price is None else format_price(price),
    )


@router.get(
    "/transactions/{seq}/proof",
    summary="Merkle inclusion proof of a transaction in its checkpoint (RFC 9162)",
)
def proof(economy_id: EconomyId, seq: Annotated[int, Path(ge=1)], service: Service) -> ProofOut:
    return ProofOut(**service.proof(economy_id, seq).to_json())


@router.get("/accounts/{pseudonym}", summary="A pseudonymous account: balances and history")
def account(
    economy_id: EconomyId,
    pseudonym: Annotated[str, Path(max_length=32)],
    service: Service,
    before: Before = None,
    limit: Limit = 20,
) -> AccountOut:
    return account_out(service.account(economy_id, pseudonym, before, limit))


def account_out(a: AccountView) -> AccountOut:
    return AccountOut(
        pseudonym=a.pseudonym,
        points_micro=a.points_micro,
        points_text=format_points(a.points_micro),
        cash_fen=a.cash_fen,
        cash_text=format_fen(a.cash_fen),
        value_text=_yuan(a.value_fen),
        transactions=[tx_out(tx) for tx in a.transactions],
        next_before=a.next_before,
    )


@router.get("/checkpoints", summary="Merkle checkpoints, newest first")
def checkpoints(
    economy_id: EconomyId, service: Service, before: Before = None, limit: Limit = 20
) -> CheckpointPage:
    found, more = service.checkpoints(economy_id, before, limit)
    return CheckpointPage(
        checkpoints=[checkpoint_out(cp, at) for cp, at in found], next_before=more
    )


@router.get("/checkpoints/{number}", summary="One checkpoint: its block, root and chain head")
def checkpoint(
    economy_id: EconomyId, number: Annotated[int, Path(ge=1)], service: Service
) -> CheckpointOut:
    return checkpoint_out(*service.checkpoint(economy_id, number))
