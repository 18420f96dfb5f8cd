"""A Hypothesis state machine drives the store and the in-memory engine side by side.

After every step the stored books must equal the engine's: pool, points, price, every
member's position; balances sum to zero per asset and only sources are negative. Steps
include resending earlier requests (same reply), reusing a key for another request
(conflict), and dropping the cached engine as if another process had taken over.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from fractions import Fraction

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.integration.ledger.support import new_economy, now, verify
from zengzhi.app import (
    BurnRequest,
    EngineCache,
    IdempotencyConflict,
    InjectRequest,
    Reply,
    Request,
    SellPointsRequest,
    SettleOrderRequest,
    submit,
)
from zengzhi.domain import DomainError, PoolEngine, format_price
from zengzhi.ledger.model import is_source
from zengzhi.presets import load_preset
from zengzhi.store import Database

MEMBERS = st.sampled_from([f"m{n}" for n in range(5)])
CONFIG = load_preset("appreciating-pool")


class LedgerMachine(RuleBasedStateMachine):
    db: Database

    def __init__(self) -> None:
        super().__init__()
        self.economy = f"sm-{uuid.uuid4().hex[:10]}"
        self.engines = new_economy(self.db, self.economy, checkpoint_every=4)
        self.model = PoolEngine(CONFIG.pool)
        self.sent: list[tuple[Request, Reply]] = []
        self.counter = 0

    def _key(self) -> str:
        self.counter += 1
        return f"k{self.counter}"

    def _submit(self, requests: list[Request]) -> list[Reply]:
        replies = self.db.run(lambda uow: submit(uow, self.engines, self.economy, requests, now()))
        self.sent += zip(requests, replies, strict=True)
        return replies

    def _expect(self, reply: Reply, model_step: object) -> None:
        """The store answered as the engine did: same price, or the same refusal."""
        if isinstance(model_step, DomainError):
            assert reply.error is not None
            assert reply.error.code == model_step.code
        else:
            assert reply.ok, reply.body
            assert reply.result()["price"] == format_price(self.model.price())

    def _model(self, step: object) -> object:
        try:
            return step() if callable(step) else step
        except DomainError as error:
            return error

    @rule(member=MEMBERS, amount=st.integers(0, 300_000))
    def order(self, member: str, amount: int) -> None:
        request = SettleOrderRequest(self._key(), member, amount)
        [reply] = self._submit([request])
        pool = CONFIG.pool_contribution(amount)
        self._expect(reply, self._model(lambda: self.model.settle_order(member, amount, pool)))

    @rule(orders=st.lists(st.tuples(MEMBERS, st.integers(1, 200_000)), min_size=2, max_size=6))
    def order_batch(self, orders: list[tuple[str, int]]) -> None:
        requests: list[Request] = [SettleOrderRequest(self._key(), m, a) for m, a in orders]
        replies = self._submit(requests)
        for (member, amount), reply in zip(orders, replies, strict=True):
            pool = CONFIG.pool_contribution(amount)
            self._expect(reply, self._model(lambda m=member, a=amount, p=pool: (
                self.model.settle_order(m, a, p))))  # fmt: skip

    @rule(member=MEMBERS, share=st.integers(0, 120), everything=st.booleans())
    def sell(self, member: str, share: int, everything: bool) -> None:
        held = self.model.member(member).points_micro if self.model.has_member(member) else 0
        points = None if everything else held * share // 100 + (1 if share > 100 else 0)
        [reply] = self._submit([SellPointsRequest(self._key(), member, points)])
        if not self.model.has_member(member):
            assert reply.error is not None
            assert reply.error.code == "unknown_member"
            return
        self._expect(reply, self._model(lambda: self.model.sell(member, points)))

    @rule(rate=st.sampled_from([Fraction(0), Fraction(1, 100), Fraction(1, 2)]))
    def burn(self, rate: Fraction) -> None:
        [reply] = self._submit([BurnRequest(self._key(), rate)])
        self._expect(reply, self._model(lambda: self.model.burn(rate)))

    @rule(amount=st.integers(0, 100_000))
    def inject(self, amount: int) -> None:
        [reply] = self._submit([InjectRequest(self._key(), amount)])
        self._expect(reply, self._model(lambda: self.model.inject(amount)))

    @rule(data=st.data())
    def resend(self, data: st.DataObject) -> None:
        if not self.sent:
            return
        request, first = data.draw(st.sampled_from(self.sent))
        again = self.db.run(lambda uow: submit(uow, self.engines, self.economy, [request], now()))[
            0
        ]
        assert again.body == first.body
        assert again.event_seq == first.event_seq

    @rule(data=st.data())
    def reuse_a_key(self, data: st.DataObject) -> None:
        orders = [r for r, reply in self.sent if isinstance(r, SettleOrderRequest) and reply.ok]
        if not orders:
            return
        original = data.draw(st.sampled_from(orders))
        changed = SettleOrderRequest(original.order_id, original.member, original.amount_fen + 1)
        reply = self.db.run(lambda uow: submit(uow, self.engines, self.economy, [changed], now()))[
            0
        ]
        assert isinstance(reply.error, IdempotencyConflict)

    @rule()
    def another_process_takes_over(self) -> None:
        self.engines = EngineCache()

    @invariant()
    def the_books_equal_the_engine(self) -> None:
        with self.db.unit_of_work() as uow:
            record = uow.ledger.economy(self.economy)
            members = {m.member_id: m for m in uow.ledger.members(self.economy)}
            balances = uow.ledger.balances(self.economy)
        totals = record.totals
        assert (totals.pool_fen, totals.points_micro) == (
            self.model.pool_fen,
            self.model.points_micro,
        )
        assert totals.idle_price == self.model.price()
        for state in self.model.members():
            stored = members[state.member]
            assert (
                stored.points_micro,
                stored.cash_fen,
                stored.cycle_spend_fen,
                stored.exits,
            ) == (state.points_micro, state.cash_fen, state.cycle_spend_fen, state.exits)
        sums: dict[str, int] = defaultdict(int)
        for (kind, _, asset), balance in balances.items():
            sums[asset] += balance
            assert balance >= 0 or is_source(kind)
        assert all(total == 0 for total in sums.values())

    def teardown(self) -> None:
        report = verify(self.db, self.economy)
        assert report.ok, report.problems


def test_the_store_follows_the_engine(db: Database) -> None:
    LedgerMachine.db = db
    examples = 20 if db.is_sqlite else 10
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
