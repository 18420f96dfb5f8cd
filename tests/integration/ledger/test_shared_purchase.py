"""Shared purchase (§5) through the whole stack, SQLite and PostgreSQL: 30 days of releases.

The preset: one point per yuan before halvings, the ratio halved every 365 days from the
economy's creation; grants release per day at the owner's health level's rate (H0 0.1%,
H1 0.2% from 10, H2 0.3% from 50); each referee's first purchase adds 10 health to the
referrer. Members pay merchants with released points; merchants tip them on.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.ledger.support import scalar, verify
from tests.integration.ledger.test_grants import POINT, Economy, at, day, released_today
from zengzhi.app import EngineCache
from zengzhi.app.releases import due_release_day, pay_with_points, tip_points
from zengzhi.app.writer import Reply
from zengzhi.domain.errors import DomainError
from zengzhi.presets import load_preset
from zengzhi.store import Database

LAUNCH = day(1) - timedelta(days=350)  # the 365th day since launch is day 16 of the run


class Shared(Economy):
    def pay(self, rid: str, member: str, merchant: str, points: int, when: int) -> Reply:
        return self.db.run(
            lambda uow: pay_with_points(
                uow, self.engines, self.eid, rid, member, merchant, points * POINT, when
            )
        )

    def tip(self, rid: str, merchant: str, member: str, points: int, when: int) -> Reply:
        return self.db.run(
            lambda uow: tip_points(
                uow, self.engines, self.eid, rid, merchant, member, points * POINT, when
            )
        )


def shared(db: Database, eid: str) -> Shared:
    economy = Shared.__new__(Shared)
    economy.db, economy.eid, economy.engines = db, eid, EngineCache()
    from zengzhi.app import create_economy

    config = load_preset("shared-purchase")
    db.run(lambda uow: create_economy(uow, eid, config, at(LAUNCH, 9), 16))
    return economy


def test_thirty_days_of_shared_purchase(db: Database, economy_id: str) -> None:
    economy = shared(db, economy_id)
    economy.member("m")
    referees = [f"r{n}" for n in range(5)]
    for r in referees:
        economy.member(r, "m")
    economy.member("t")
    # day 1: 10,000 yuan at the full ratio → 10,000 points, released at H0's 0.1%: 10 a day
    assert economy.order("m-1", "m", 10_000, at(day(1), 10))[0]["locked_micro"] == 10_000 * POINT
    economy.release(day(2))
    assert released_today(economy, "m")["base"] == 10
    # day 3: r0's first purchase raises m's health to 10 (H1): 20 a day from that day on
    economy.order("r0-1", "r0", 1_000, at(day(3), 10))
    economy.order("r0-2", "r0", 1_000, at(day(3), 11))  # a second purchase adds nothing
    economy.release(day(3))
    assert economy.standing("m").health == 10
    assert economy.standing("m").level == "H1"
    assert released_today(economy, "m")["base"] == 20
    # r0's two grants of 1,000 release 1 a day each at H0
    assert released_today(economy, "r0")["base"] == 2
    # days 4-10: four more referees buy on day 8: health 50 (H2), 30 a day
    for n in range(4, 8):
        economy.release(day(n))
    for r in referees[1:]:
        economy.order(f"{r}-1", r, 100, at(day(8), 10))
    for n in range(8, 15):
        economy.release(day(n))
        assert released_today(economy, "m")["base"] == 30
    # issuance halves on the 365th day since launch (day 16): 1,000 yuan → 500 points
    assert economy.order("t-1", "t", 1_000, at(day(15), 23))[0]["locked_micro"] == 1_000 * POINT
    economy.release(day(15))
    assert economy.order("t-2", "t", 1_000, at(day(16), 0))[0]["locked_micro"] == 500 * POINT

    # m pays merchant shop with released points; the shop tips t from them
    assert economy.pay("pay-1", "m", "shop", 100, at(day(16), 10)).ok
    with pytest.raises(DomainError) as refused:
        economy.tip("tip-0", "shop", "t", 101, at(day(16), 11)).result()
    assert refused.value.code == "insufficient_points"
    assert economy.tip("tip-1", "shop", "t", 40, at(day(16), 11)).ok
    assert economy.tip("tip-1", "shop", "t", 40, at(day(16), 12)).replayed  # applied once
    with pytest.raises(DomainError) as overdrawn:
        economy.pay("pay-2", "r1", "shop", 1_000, at(day(16), 13)).result()
    assert overdrawn.value.code == "insufficient_balance"

    for n in range(16, 28):
        economy.release(day(n))
    again = economy.release(day(27))
    assert [s.replayed for s in again] == [True]
    # a three-day outage, caught up in order
    now = at(day(31), 3)
    caught = economy.release(day(30), now)
    assert [s.day for s in caught] == ["2026-03-28", "2026-03-29", "2026-03-30"]
    assert db.run(lambda uow: due_release_day(uow, economy_id, now)) is None
    # m: 10 a day for 2 days, 20 for 5, 30 for 23
    assert economy.released("m") == (10 * 2 + 20 * 5 + 30 * 23 - 100) * POINT
    assert economy.locked("m") == (10_000 - 10 * 2 - 20 * 5 - 30 * 23) * POINT
    # t: 1,000 points at 0.1% for 16 days, 500 at 0.1% for 15, and the tip
    assert economy.released("t") == (16 * POINT + 15 * POINT // 2 + 40 * POINT)
    assert economy.grants_match_the_ledger()
    merchant = scalar(
        db,
        "SELECT balance FROM balances WHERE economy_id=:e AND kind='merchant_grant_points'",
        e=economy_id,
    )
    assert merchant == 60 * POINT
    assert verify(db, economy_id).ok
