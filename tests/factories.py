"""Typed factories shared by tests: engines and states built in one line."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from zengzhi.config import Settings
from zengzhi.domain import MemberState, PoolEngine, PoolRules, PoolState
from zengzhi.store import Database

POINT = 1_000_000  # micro-points per point
YUAN = 100  # fen per yuan


def pool_rules(
    *,
    ratio: str = "0.7",
    fee: str = "0.2",
    exit_multiple: str | None = "3",
    cap_points: int | None = None,
) -> PoolRules:
    return PoolRules(
        points_ratio=Fraction(ratio),
        sell_fee=Fraction(fee),
        exit_multiple=None if exit_multiple is None else Fraction(exit_multiple),
        issuance_cap_micro=None if cap_points is None else cap_points * POINT,
    )


def engine_with(rules: PoolRules, pool_fen: int, holders: list[tuple[str, int, int]]) -> PoolEngine:
    """An engine mid-life: `holders` are (member, points_micro, cycle_spend_fen)."""
    members = tuple(MemberState(name, points, 0, spend, 0) for name, points, spend in holders)
    state = PoolState(
        pool_fen=pool_fen,
        points_micro=sum(points for _, points, _ in holders),
        issued_micro=sum(points for _, points, _ in holders),
        idle_price=rules.initial_price,
        members=members,
    )
    return PoolEngine.restore(rules, state)


def migrated_sqlite_settings(folder: Path) -> Settings:
    """Development settings on a fresh, migrated SQLite file in `folder` (as `serve` would)."""
    url = f"sqlite:///{folder / 'zengzhi.sqlite3'}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    return Settings(database_url=url)
