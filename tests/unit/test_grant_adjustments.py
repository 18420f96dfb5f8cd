"""An operator's grant adjustment as the writer and `verify` apply it: all or nothing."""

from __future__ import annotations

import pytest

from tests.factories import pool_rules
from zengzhi.domain.commands import command_from_payload, to_payload
from zengzhi.domain.entries import AccountKind, Asset, EntryKind, imbalance
from zengzhi.domain.errors import InvalidAmount
from zengzhi.domain.grant_adjustments import AdjustGrantPoints
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.token_errors import InsufficientBalance
from zengzhi.presets import load_preset

POINT = 1_000_000
LOCKED = (str(AccountKind.MEMBER_LOCKED_POINTS), "a", str(Asset.GRANT_POINTS))
CONFIG = load_preset("shared-purchase")


def _apply(command: AdjustGrantPoints, holdings: Holdings) -> object:
    return command.apply(PoolEngine(pool_rules()), holdings, CONFIG)


def test_an_addition_locks_new_points_from_the_supply() -> None:
    holdings = Holdings()
    add = AdjustGrantPoints("a", 5 * POINT, "lost order", "adjust:op:k", 5 * POINT, "H0")
    outcome = add.apply(PoolEngine(pool_rules()), holdings, CONFIG)
    (entry,) = outcome.entries
    assert entry.kind == EntryKind.GRANT_ADJUSTMENT
    assert imbalance(entry) == {}
    assert holdings.balance(*LOCKED) == 5 * POINT
    assert add.summary(outcome) == {
        "member": "a", "delta_micro": 5 * POINT, "reason": "lost order", "grant_id": "adjust:op:k"
    }  # fmt: skip
    assert command_from_payload(to_payload(add)) == add


def test_a_deduction_returns_points_to_the_supply_by_its_split() -> None:
    holdings = Holdings()
    _apply(AdjustGrantPoints("a", 5 * POINT, "r", "g2", 5 * POINT), holdings)
    take = AdjustGrantPoints(
        "a", -3 * POINT, "refund", from_grants=(("g1", POINT), ("g2", 2 * POINT))
    )
    outcome = take.apply(PoolEngine(pool_rules()), holdings, CONFIG)
    assert holdings.balance(*LOCKED) == 2 * POINT
    assert take.summary(outcome)["from_grants"] == [
        {"grant_id": "g1", "micro": POINT}, {"grant_id": "g2", "micro": 2 * POINT}
    ]  # fmt: skip
    assert command_from_payload(to_payload(take)) == take


def test_a_deduction_above_the_locked_points_is_refused_and_changes_nothing() -> None:
    holdings = Holdings()
    _apply(AdjustGrantPoints("a", POINT, "r", "g1", POINT), holdings)
    with pytest.raises(InsufficientBalance):
        _apply(AdjustGrantPoints("a", -2 * POINT, "r", from_grants=(("g1", 2 * POINT),)), holdings)
    assert holdings.balance(*LOCKED) == POINT


@pytest.mark.parametrize(
    "command",
    [
        AdjustGrantPoints("a", 0, "r"),
        AdjustGrantPoints("a", POINT, " "),
        AdjustGrantPoints("a", POINT, "r"),  # an addition without its grant
        AdjustGrantPoints("a", POINT, "r", "g", 0),
        AdjustGrantPoints("a", -POINT, "r"),  # a deduction without its split
        AdjustGrantPoints("a", -POINT, "r", from_grants=(("g", 2 * POINT), ("h", -POINT))),
    ],
)
def test_malformed_adjustments_are_refused(command: AdjustGrantPoints) -> None:
    holdings = Holdings()
    with pytest.raises(InvalidAmount):
        _apply(command, holdings)
    assert list(holdings.items()) == []
