"""Cyclic purchase for 30 simulated days through the whole stack, SQLite and PostgreSQL.

Issue 5's "done when" for §3: seed 003's golden numbers hold on the way (10 of 100 shares
with a 3,000 static pool → 300, consuming 300 of quota; 1,000 spent → 2,000 quota and 1
share; an empty tier returns its part), days are settled one by one and in catch-ups
after gaps, the books balance and `zengzhi verify` passes. Every member's cash, quota and
shares and every day's payout are compared with an independent in-memory run of the
domain rules over the whole referral tree (the store settles only the members a day's
orders concern when it accrues, and pays each pool as one transaction: both must come
out the same). A rule change in the middle of a catch-up applies from its own day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.integration.ledger.support import scalar, verify
from tests.integration.ledger.test_daily import (
    DAY1,
    YUAN,
    at,
    cyclic,
    golden_economy,
    order,
    settle,
)
from zengzhi.app import EngineCache, daily
from zengzhi.app.codec import config_to_json
from zengzhi.app.verify_rules import RulesReport, verify_rules
from zengzhi.cli import app
from zengzhi.domain.daily_dividends import DividendRules, settle_dividends
from zengzhi.domain.daily_payout import PayDailyDividends
from zengzhi.domain.quota import SHARE_SCALE, Positions, QuotaRules, accrue_purchases
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.presets import load_preset
from zengzhi.service.operators import changed_config
from zengzhi.store import Database, repository

DAYS = 30
# henry refers m01-m06 and never buys: his referral shares earn nothing without quota;
# m01 refers m07-m12 (the preset credits one generation)
REFERRER = {f"m{i:02d}": "henry" if i <= 6 else "m01" for i in range(1, 13)}


def plan() -> list[list[tuple[str, int]]]:
    """Each day's orders (member, fen), in the order they settle."""
    days: list[list[tuple[str, int]]] = [
        [("alice", 10_000 * YUAN), ("bob", 90_000 * YUAN)],  # alice 10 of 100 shares
        [("carol", 10_000 * YUAN)],  # the golden day: 10,000 yuan of sales
        [("dave", 1_000 * YUAN)],  # 1,000 spent → 2,000 quota and 1 share
    ]
    for k in range(4, DAYS + 1):
        if k in (10, 20):
            days.append([])  # a day without sales pays nothing
            continue
        days.append(
            [(f"m{1 + (k * 7) % 12:02d}", (1_000 + 137 * k) * YUAN),
             (f"m{1 + (k * 5) % 12:02d}", 500 * YUAN + k)]
        )  # fmt: skip
    return days


def reference(days: list[list[tuple[str, int]]]) -> tuple[dict[str, Any], list[int]]:
    """The same 30 days by the domain rules alone: every member, the whole tree."""
    config = load_preset("cyclic-purchase")
    dividends = DividendRules.from_sections(config.sections)
    rules = QuotaRules.from_sections(config.sections)
    ids = sorted({m for day in days for m, _ in day} | {"henry"})
    tree = ReferralTree.from_parent_map({m: REFERRER.get(m) for m in ids})
    index = {m: i for i, m in enumerate(ids)}
    quota, shares, cash = [0] * len(ids), [0] * len(ids), [0] * len(ids)
    paid: list[int] = []
    for orders in days:
        result = settle_dividends(dividends, sum(a for _, a in orders), shares, quota)
        for i in range(len(ids)):
            cash[i] += result.pro_rata_paid[i] + result.tier_paid[i]
        paid.append(result.paid_fen)
        after = accrue_purchases(
            rules,
            tree,
            Positions(result.quota_after, tuple(shares)),
            [index[m] for m, _ in orders],
            [a for _, a in orders],
        )
        quota, shares = list(after.quota_fen), list(after.shares_micro)
    members = {m: (cash[i], quota[i], shares[i]) for m, i in index.items()}
    return members, paid


def _day(n: int) -> date:
    return DAY1 + timedelta(days=n - 1)


def _after(n: int, hour: int = 1) -> int:
    """A moment early on the day after day n (local time)."""
    return at(_day(n + 1), hour)


def _join_referred(db: Database, eid: str) -> None:
    def work(uow: Any) -> None:
        for member in ["henry", *REFERRER]:
            uow.ledger.add_party(eid, "members", member, None, REFERRER.get(member), at(DAY1, 0))

    db.run(work)


def _state(db: Database, eid: str) -> dict[str, tuple[int, int, int]]:
    with db.engine.connect() as conn:
        cash = dict(
            conn.execute(
                text("SELECT member_id, cash_fen FROM members WHERE economy_id=:e"), {"e": eid}
            ).all()
        )
        positions = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                text(
                    "SELECT member_id, quota_fen, shares_micro FROM daily_positions"
                    " WHERE economy_id=:e"
                ),
                {"e": eid},
            )
        }
    return {m: (cash.get(m) or 0, *positions.get(m, (0, 0))) for m in set(cash) | set(positions)}


def _books_balance(db: Database, eid: str) -> None:
    with db.engine.connect() as conn:
        sums = conn.execute(
            text("SELECT asset, SUM(balance) FROM balances WHERE economy_id=:e GROUP BY asset"),
            {"e": eid},
        ).all()
    assert sums
    assert all(total == 0 for _, total in sums)
    pool = scalar(
        db,
        "SELECT balance FROM balances WHERE economy_id=:e AND kind='daily_dividend_pool'",
        e=eid,
    )
    assert pool == 0  # every day's pool was paid out or returned to the platform


def test_thirty_days_of_cyclic_purchase(db: Database, economy_id: str) -> None:
    thirty_days(db, economy_id)


def test_thirty_days_reading_stored_accounts_at_once(
    db: Database, economy_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL: a batch with very many unseen accounts reads the stored ones in one
    # statement instead of probing each (a million payees after a restart); at 1 every
    # batch here does, and a forgotten cache must not open an account twice
    monkeypatch.setattr(repository, "_WARM", 1)
    settle_now = settle

    def after_a_restart(*args: Any) -> list[Any]:
        db.known_accounts.clear()  # the process forgot which accounts are stored
        return settle_now(*args)

    monkeypatch.setitem(globals(), "settle", after_a_restart)
    thirty_days(db, economy_id)


def thirty_days(db: Database, eid: str) -> None:
    engines = cyclic(db, eid)
    _join_referred(db, eid)
    days = plan()
    expected, expected_paid = reference(days)
    settled: list[Any] = []
    # settle day by day at first, then in catch-ups after the server was "down"
    settle_on = {1, 2, 3, 4, 9, 10, 11, 15, 16, 17, 18, 23, 29, 30}
    for n, orders in enumerate(days, start=1):
        for k, (member, fen) in enumerate(orders):
            order(db, engines, eid, f"o{n}-{k}", member, fen, at(_day(n), 9 + k))
        if n in settle_on:
            settled += settle(db, engines, eid, _day(n), _after(n))
        if n == 2:
            # seed 003: alice holds 10 of 100 shares; the static pool is 30% of 10,000
            alice = _state(db, eid)["alice"]
            assert alice[:2] == (300 * YUAN, 20_000 * YUAN - 300 * YUAN)
            assert alice[2] == 10 * SHARE_SCALE
            day2 = settled[-1]
            # bob (90 shares) is alone in V1 (1%); V2 (3%) and V3 (6%) are empty: 900 back
            assert day2.paid_fen == 2_700 * YUAN + 300 * YUAN + 100 * YUAN
            assert 4_000 * YUAN - day2.paid_fen == 900 * YUAN
        if n == 3:
            assert _state(db, eid)["dave"] == (0, 2_000 * YUAN, 1 * SHARE_SCALE)
    assert [s.day for s in settled] == [_day(n).isoformat() for n in range(1, DAYS + 1)]
    assert [s.paid_fen for s in settled] == expected_paid
    assert [s.sales_fen for s in settled] == [sum(a for _, a in d) for d in days]
    assert settled[9].paid_fen == 0
    assert settled[19].paid_fen == 0
    state = _state(db, eid)
    for member, want in expected.items():
        assert state.get(member, (0, 0, 0)) == want, member
    # henry earned referral shares but never bought: no quota, so nothing paid
    assert state["henry"][0] == 0
    assert state["henry"][1] == 0
    assert state["henry"][2] > 0
    _books_balance(db, eid)
    report = verify(db, eid)
    assert report.ok, report.problems
    derived = _verify_rules(db, eid)
    assert (derived.days, derived.problems) == (DAYS, [])
    # settling again pays nothing more, also from a cold engine cache
    again = settle(db, EngineCache(), eid, _day(DAYS), _after(DAYS, 5))
    assert [s.replayed for s in again] == [True]
    assert _state(db, eid) == state


def _schedule_rules(db: Database, eid: str, static_share: str, effective: int) -> None:
    """A rule change applied at `effective` (as the service's rule changes are)."""

    def work(uow: Any) -> None:
        uow.ledger.lock_economy(eid)
        store = uow.service
        current = load_preset("cyclic-purchase")
        config = config_to_json(
            changed_config(current, {"dividend": {"static_share": static_share}})
        )
        version = store.next_config_version(eid)
        store.add_config_change(
            {"economy_id": eid, "version": version, "config": config, "effective_at": effective,
             "created_at": effective, "operator_id": "owner", "reason": "test"}
        )  # fmt: skip
        store.activate_config(eid, version, config, effective)

    db.run(work)


def test_a_catch_up_settles_each_day_under_the_rules_in_force_that_day(
    db: Database, economy_id: str
) -> None:
    eid = economy_id
    engines = cyclic(db, eid)
    order(db, engines, eid, "o1", "alice", 10_000 * YUAN, at(_day(1), 10))
    order(db, engines, eid, "o2", "bob", 90_000 * YUAN, at(_day(1), 11))
    order(db, engines, eid, "o3", "carol", 10_000 * YUAN, at(_day(2), 9))
    # the static pool drops from 30% to 20% on day 3 (before its sales); nothing is settled
    _schedule_rules(db, eid, "0.20", at(_day(3), 8))
    order(db, engines, eid, "o4", "carol", 10_000 * YUAN, at(_day(3), 9))
    settled = settle(db, engines, eid, _day(3), _after(3))
    assert [s.day for s in settled] == [_day(n).isoformat() for n in (1, 2, 3)]
    cash = _state(db, eid)["alice"][0]
    # day 2 under 30%: 300 yuan; day 3 under 20% of 10,000 with 10 of 100 shares: 200 yuan
    # (carol's 10 shares from day 2 count on day 3: alice holds 10 of 110)
    assert cash == 300 * YUAN + 2_000 * YUAN * 10 // 110
    report = verify(db, eid)
    assert report.ok, report.problems


def _verify_rules(db: Database, eid: str) -> RulesReport:
    return db.run(lambda uow: verify_rules(uow, eid))


def test_verify_rules_names_the_day_whose_payout_breaks_the_rules(
    db: Database, economy_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    eid = economy_id
    engines = golden_economy(db, eid)
    order(db, engines, eid, "o4", "dave", 5_000 * YUAN, at(_day(3), 9))
    settle(db, engines, eid, _day(2), _after(2))
    assert _verify_rules(db, eid).ok

    # day 3 (5,000 yuan of sales; alice holds 10 of 110 shares: 136.36 yuan) is paid with
    # 100 yuan moved from alice to bob: balanced, recorded, replayable
    honest = daily.payout_of

    def tampered(day: str, result: Any, ids: Any) -> PayDailyDividends:
        paid = honest(day, result, ids)
        moved = tuple(
            (m, fen - 100 * YUAN if m == "alice" else fen + 100 * YUAN if m == "bob" else fen)
            for m, fen in paid.pro_rata
        )
        return replace(paid, pro_rata=moved)

    monkeypatch.setattr(daily, "payout_of", tampered)
    settle(db, engines, eid, _day(3), _after(3))
    monkeypatch.undo()
    assert verify(db, eid).ok  # the ledger alone cannot tell: the books are consistent
    report = _verify_rules(db, eid)
    assert report.days == 3
    assert not report.ok
    assert report.problems == [
        "day 2026-03-03: pro rata payments differ:"
        " alice recorded 3636 fen, rules 13636, bob recorded 132727 fen, rules 122727"
    ]
    # and from the command line, the day is named and the exit code says so
    runner = CliRunner()
    url = db.engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["verify", eid, "--rules", "--url", url])
    assert result.exit_code == 1
    assert "day 2026-03-03: pro rata payments differ" in result.output
    fine = runner.invoke(app, ["verify", eid, "--url", url])
    assert fine.exit_code == 0, fine.output
