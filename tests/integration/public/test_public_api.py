"""The public disclosure API over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import httpx
import pytest

from tests.live_server import live_server
from tests.public_data import PublicEconomy, seed_public_economy
from zengzhi.api import create_app
from zengzhi.app import verify_economy
from zengzhi.app.disclosure import pseudonym
from zengzhi.config import Settings
from zengzhi.ledger.merkle import verify_inclusion
from zengzhi.store import Database

SECRET = "a-test-secret-that-is-long-enough-0123456789"


@dataclass
class Served:
    url: str
    economy: PublicEconomy
    db: Database

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(f"{self.url}/v1/public/economies/{self.economy.economy_id}{path}",
                         params=params or None)  # fmt: skip

    def json(self, path: str, **params: Any) -> Any:
        reply = self.get(path, **params)
        assert reply.status_code == 200, reply.text
        return reply.json()


@pytest.fixture
def served(db_url: str) -> Iterator[Served]:
    db = Database(db_url)
    economy = seed_public_economy(db, f"pub-{uuid.uuid4().hex[:10]}", checkpoint_every=4)
    app = create_app(Settings(database_url=db_url, secret_key=SECRET))
    with live_server(app) as url:
        yield Served(url, economy, db)
    app.state.database.dispose()
    db.dispose()


def _stored(db: Database, economy_id: str) -> Any:
    with db.snapshot() as reader:
        return reader.economy(economy_id), reader.balances(economy_id), reader.members(economy_id)


def test_the_disclosure_matches_the_verified_books(served: Served) -> None:
    eid = served.economy.economy_id
    figures = served.json("")
    record, balances, members = _stored(served.db, eid)
    with served.db.snapshot() as reader:
        assert verify_economy(reader, eid).ok
    assert figures["as_of_seq"] == record.head.tx_seq == served.economy.transactions
    assert figures["pool_fen"] == record.totals.pool_fen == balances[("pool", "", "cash")]
    assert figures["outstanding_micro"] == record.totals.points_micro
    assert Fraction(figures["price"]) == record.totals.idle_price
    totals = figures["totals"]
    assert totals["minted_micro"] == record.totals.issued_micro
    assert totals["contributions_fen"] == served.economy.contributions_fen
    assert totals["injections_fen"] == served.economy.injected_fen
    assert totals["payouts_fen"] == sum(m.cash_fen for m in members)  # nobody withdrew yet
    assert figures["pool_fen"] == (
        totals["contributions_fen"] + totals["injections_fen"] - totals["payouts_fen"]
    )
    sells = totals["transactions_by_kind"].get("sale", 0) + totals["transactions_by_kind"]["exit"]
    reflow = Fraction(totals["reflow_fen"])  # the 20% fee is a quarter of what was paid
    assert Fraction(totals["payouts_fen"], 4) <= reflow < Fraction(totals["payouts_fen"], 4) + sells
    assert "不承诺" in figures["risk_notice"]


def test_the_price_history_ends_at_todays_price(served: Served) -> None:
    history = served.json("/price-history")
    seqs = [p["seq"] for p in history["points"]]
    assert seqs == list(range(1, served.economy.transactions + 1))
    assert history["points"][-1]["price"] == served.json("")["price"]
    assert history["points"][0]["price_text"] == "1.4286"  # seeds 002/004: P after order 1


def test_members_are_pseudonyms_and_no_phone_number_is_ever_served(served: Served) -> None:
    eid = served.economy.economy_id
    texts = [served.get("").text, served.get("/transactions", limit=100).text]
    for seq in range(1, served.economy.transactions + 1):
        texts.append(served.get(f"/transactions/{seq}").text)
    names = {pseudonym(SECRET.encode(), eid, phone) for phone in served.economy.members}
    for name in names:
        texts.append(served.get(f"/accounts/{name}").text)
    everything = "\n".join(texts)
    for phone in served.economy.members:
        assert phone not in everything
    assert names <= {tx["member"] for tx in served.json("/transactions", limit=100)["transactions"]}


def test_transactions_page_newest_first_by_cursor(served: Served) -> None:
    seen: list[int] = []
    before = None
    while True:
        params = {"limit": 5} | ({"before": before} if before else {})
        page = served.json("/transactions", **params)
        seen += [tx["seq"] for tx in page["transactions"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == list(range(served.economy.transactions, 0, -1))


def test_a_transaction_shows_balanced_postings_and_its_chain_link(served: Served) -> None:
    first, second = served.json("/transactions/1"), served.json("/transactions/2")
    assert first["prev_hash"] == "00" * 32
    assert second["prev_hash"] == first["hash"]
    for tx in (first, second):
        for asset in ("cash", "points"):
            assert sum(g["amount"] for g in tx["legs"] if g["asset"] == asset) == 0
    assert first["price_after_text"] == "1.4286"
    assert first["pool_after_fen"] == 30_000


def test_a_served_proof_verifies_against_the_published_checkpoint(served: Served) -> None:
    proof = served.json("/transactions/3/proof")
    checkpoint = served.json(f"/checkpoints/{proof['checkpoint']}")
    tx = served.json("/transactions/3")
    assert proof["leaf"] == tx["hash"]
    assert tx["checkpoint"] == proof["checkpoint"]
    assert proof["root"] == checkpoint["root"]
    path = [bytes.fromhex(h) for h in proof["path"]]
    root = bytes.fromhex(checkpoint["root"])
    leaf = bytes.fromhex(proof["leaf"])
    assert verify_inclusion(leaf, proof["index"], proof["size"], path, root)
    assert not verify_inclusion(leaf, proof["index"] ^ 1, proof["size"], path, root)


def test_a_transaction_not_yet_checkpointed_has_no_proof(served: Served) -> None:
    last = served.economy.transactions  # 16 with blocks of 4: the last block is sealed
    reply = served.get(f"/transactions/{last + 1}/proof")
    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "not_checkpointed"
    assert served.json(f"/transactions/{last}")["checkpoint"] == last // 4


def test_checkpoints_page_newest_first(served: Served) -> None:
    page = served.json("/checkpoints", limit=2)
    assert [c["number"] for c in page["checkpoints"]] == [4, 3]
    older = served.json("/checkpoints", limit=2, before=page["next_before"])
    assert [c["number"] for c in older["checkpoints"]] == [2, 1]
    assert older["next_before"] is None
    assert older["checkpoints"][-1]["first_seq"] == 1


def test_an_account_shows_its_balances_and_every_transaction_touching_it(served: Served) -> None:
    eid = served.economy.economy_id
    phone = served.economy.members[2]  # ordered, sold, then held through the burn
    name = pseudonym(SECRET.encode(), eid, phone)
    account = served.json(f"/accounts/{name}")
    _, balances, _ = _stored(served.db, eid)
    assert account["points_micro"] == balances[("member_points", phone, "points")]
    assert account["cash_fen"] == balances[("member_cash", phone, "cash")]
    kinds = {tx["kind"] for tx in account["transactions"]}
    assert {"order", "sale", "burn"} <= kinds  # the burn names no member, yet touched them


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/transactions/999", 404, "not_found"),
        ("/accounts/M-000000000000", 404, "not_found"),
        ("/accounts/13800138000", 404, "not_found"),
        ("/checkpoints/99", 404, "not_found"),
        ("/transactions?limit=1000", 422, "invalid_request"),
    ],
)
def test_unknown_things_are_clear_errors(served: Served, path: str, status: int, code: str) -> None:
    reply = served.get(path)
    assert reply.status_code == status
    assert reply.json()["error"]["code"] == code


def test_an_unknown_economy_is_a_404(served: Served) -> None:
    reply = httpx.get(f"{served.url}/v1/public/economies/nowhere/transactions")
    assert reply.status_code == 404
    assert reply.json()["error"] == {"code": "unknown_economy", "message": "no economy 'nowhere'"}


def test_new_transactions_show_up_in_the_figures(served: Served) -> None:
    from zengzhi.app import EngineCache, SettleOrderRequest, settle_order

    before = served.json("")
    eid = served.economy.economy_id
    served.db.run(
        lambda uow: settle_order(
            uow, EngineCache(), eid, SettleOrderRequest("late", "13500135000", 10_000), 1
        )
    )
    after = served.json("")
    assert after["as_of_seq"] == before["as_of_seq"] + 1
    assert after["totals"]["contributions_fen"] == before["totals"]["contributions_fen"] + 3_000
