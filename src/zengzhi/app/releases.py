"""Locked grants (§4) and shared purchase (§5) through the ledger: grants and daily releases.

Design and decided choices:
- A settled order's effect (`order_effects`) is its grant, decided here from the rules and
  recorded in a `LockGrant` command keyed by the order id: §4 by the level its single
  amount reaches, §5 at the issuance ratio of its day (halved per full 365 days since the
  economy was created, in the economy's time zone). Below the lowest §4 level, nothing.
- A day's release runs once per economy and local day (`daily_jobs` kind "release",
  idempotency key `grant_release_day:<day>`), under the economy's writer lock; settling D
  first settles every earlier unsettled day, in order. Grants settled on a day release on
  that day (grant_release.py).
- The decision needs state the engine does not keep (each grant's locked rest, the tree,
  order totals): it is read in a few statements, decided by the domain's bulk functions,
  and recorded in one `ReleaseGrantsDay` command per day, which `verify` replays.
- Stars (§4) are of the team performance of orders settled up to the end of the day being
  settled; health values (§5) count direct referees whose first order settled by then.
- `grants` is synced from the ledger's `locked_grant` events by the job itself, so a
  grant can never be missed or counted twice whatever happened between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from zengzhi.app.codec import config_from_json
from zengzhi.app.daily import (
    DayNotOver,
    day_bounds,
    days_to_settle,
    last_finished_day,
    local_day,
    yesterday_if_due,
    zone,
)
from zengzhi.app.engines import EngineCache
from zengzhi.app.grant_records import DayTotals, GrantRow, MemberStanding
from zengzhi.app.order_effects import EffectContext, register_order_effects
from zengzhi.app.ports import LedgerStore
from zengzhi.app.requests import CommandRequest, SettleOrderRequest
from zengzhi.app.writer import Reply, apply_batch
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import DomainError
from zengzhi.domain.grant_commands import (
    LockGrant,
    PayWithPoints,
    ReleaseGrantsDay,
    TipPoints,
    release_amounts,
)
from zengzhi.domain.grant_release import ReleaseDay, settle_locked_day
from zengzhi.domain.health import (
    SharedPurchaseRules,
    TippingDisabled,
    health_after_first_purchases,
    settle_health_day,
)
from zengzhi.domain.locked_grants import GrantBook, LockedGrantRules
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.domain.team import TeamRules

KIND = "release"
LOCKED = "locked_grants"
SHARED = "shared_purchase"
SYSTEMS = (LOCKED, SHARED)


class NotAGrantSystem(DomainError):
    """Grant releases belong to locked-grants and shared-purchase economies only."""

    code = "not_a_grant_system"


class GrantStore(Protocol):
    def job_done(self, economy_id: str, kind: str, period: str) -> int | None: ...
    def last_period(self, economy_id: str, kind: str) -> str | None: ...
    def add_job(
        self, economy_id: str, kind: str, period: str, event_seq: int, sales_fen: int, now: int
    ) -> None: ...
    def launched_at(self, economy_id: str) -> int: ...
    def first_grant_at(self, economy_id: str) -> int | None: ...
    def sales_between(self, economy_id: str, start: int, end: int) -> int: ...
    def order_totals(self, economy_id: str, before: int) -> dict[str, tuple[int, int, int]]: ...
    def referrers(self, economy_id: str) -> dict[str, str | None]: ...
    def sync_grants(self, economy_id: str) -> int: ...
    def open_grants(self, economy_id: str, before: int) -> list[GrantRow]: ...
    def set_remaining(self, economy_id: str, changed: list[tuple[str, int]]) -> None: ...
    def replace_standings(self, economy_id: str, rows: list[MemberStanding]) -> None: ...
    def add_day(self, economy_id: str, totals: DayTotals) -> None: ...
    def day(self, economy_id: str, day: str) -> DayTotals | None: ...


class GrantUnitOfWork(Protocol):
    @property
    def ledger(self) -> LedgerStore: ...

    @property
    def grants(self) -> GrantStore: ...

    def on_commit(self, callback: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class SettledRelease:
    """One day's release: its totals; `replayed` if it had been settled before."""

    totals: DayTotals
    replayed: bool = False

    @property
    def day(self) -> str:
        return self.totals.day

    @property
    def released_micro(self) -> int:
        t = self.totals
        return t.base_micro + t.referral_micro + t.team_micro + t.peer_micro


# -- order effects: the grant ------------------------------------------------------------


def _locked_grant_effect(context: EffectContext, order: SettleOrderRequest) -> list[CommandRequest]:
    rules = LockedGrantRules.from_sections(context.config.sections)
    if type(order.amount_fen) is not int or order.amount_fen < 0:
        return []  # the order itself is refused with a clear error; nothing follows it
    grant = rules.grant_for(order.amount_fen)
    if grant is None or grant.points_micro <= 0:
        return []
    command = LockGrant(
        order.member, order.order_id, grant.points_micro, grant.base_micro, grant.level.name
    )
    return [CommandRequest(order.order_id, command, after=order.key)]


def _shared_purchase_effect(
    context: EffectContext, order: SettleOrderRequest
) -> list[CommandRequest]:
    rules = SharedPurchaseRules.from_sections(context.config.sections)
    if type(order.amount_fen) is not int or order.amount_fen < 0:
        return []
    tz = zone(context.config)
    if "launch_day" not in context.scratch:
        launched = _grants(context.uow).launched_at(context.economy_id)
        context.scratch["launch_day"] = local_day(launched, tz)
    day = (local_day(context.now, tz) - context.scratch["launch_day"]).days
    points = rules.grant_for(order.amount_fen, max(day, 0))
    if points <= 0:
        return []
    # §5: the grant is its own release base (health.py)
    command = LockGrant(order.member, order.order_id, points, points, "")
    return [CommandRequest(order.order_id, command, after=order.key)]


register_order_effects(LOCKED, _locked_grant_effect)
register_order_effects(SHARED, _shared_purchase_effect)


def _grants(uow: Any) -> GrantStore:
    store: GrantStore = uow.grants
    return store


# -- the daily release ------------------------------------------------------------------


def settle_release_day(
    uow: GrantUnitOfWork, engines: EngineCache, economy_id: str, day: date, now: int
) -> list[SettledRelease]:
    """Release `day` and every unreleased day before it, in order (nothing if all done)."""
    ledger, store = uow.ledger, uow.grants
    ledger.lock_economy(economy_id)  # the writer lock: one settlement at a time
    config = grant_config(ledger, economy_id)
    tz = zone(config)
    if day > last_finished_day(now, tz):
        raise DayNotOver(f"{day.isoformat()} is not over yet in {config.timezone}")
    if store.job_done(economy_id, KIND, day.isoformat()) is not None:
        done = store.day(economy_id, day.isoformat())
        assert done is not None  # written with the job, in the same transaction
        return [SettledRelease(done, replayed=True)]
    days = _due_days(store, economy_id, day, tz)
    if not days:
        return []  # a day before the first one released: nothing was granted by then
    store.sync_grants(economy_id)
    parents = store.referrers(economy_id)
    ids = tuple(parents)
    tree = ReferralTree.from_parent_map(
        {m: (r if r in parents and r != m else None) for m, r in parents.items()}
    )
    index = {m: i for i, m in enumerate(ids)}
    _, last_end = day_bounds(days[-1], tz)
    grants = store.open_grants(economy_id, last_end)
    remaining = {row.grant_id: row.remaining_micro for row in grants}
    decide = _Decider(config, tree, ids, index)
    requests: list[CommandRequest] = []
    decided: list[tuple[str, int, ReleaseDay]] = []
    standings: list[MemberStanding] = []
    for current in days:
        start, end = day_bounds(current, tz)
        todays = [r for r in grants if r.created_at < end and remaining[r.grant_id] > 0]
        todays.sort(key=lambda r: (index[r.member_id], r.event_seq))
        book = GrantBook(
            tuple(index[r.member_id] for r in todays),
            tuple(r.base_micro for r in todays),
            tuple(remaining[r.grant_id] for r in todays),
            len(ids),
        )
        orders = store.order_totals(economy_id, end)
        result, standings = decide.day(current.isoformat(), book, orders)
        for row, left in zip(todays, result.remaining, strict=True):
            remaining[row.grant_id] = left
        command = ReleaseGrantsDay(
            current.isoformat(),
            release_amounts(ids, result.base),
            release_amounts(ids, result.referral.paid),
            release_amounts(ids, result.team.paid),
            release_amounts(ids, result.peer.paid),
        )
        requests.append(CommandRequest(current.isoformat(), command))
        decided.append((current.isoformat(), store.sales_between(economy_id, start, end), result))
    replies = apply_batch(uow, engines, economy_id, requests, now)
    settled = []
    for (name, sales, result), reply in zip(decided, replies, strict=True):
        reply.result()  # a refusal is a bug in the decision above: fail the whole run
        assert reply.event_seq is not None
        day_totals = _totals(name, reply.event_seq, sales, result)
        store.add_job(economy_id, KIND, name, reply.event_seq, sales, now)
        store.add_day(economy_id, day_totals)
        settled.append(SettledRelease(day_totals, reply.replayed))
    store.set_remaining(
        economy_id,
        [
            (r.grant_id, remaining[r.grant_id])
            for r in grants
            if remaining[r.grant_id] != r.remaining_micro
        ],
    )
    store.replace_standings(economy_id, standings)
    return settled


def _totals(day: str, event_seq: int, sales: int, result: ReleaseDay) -> DayTotals:
    released = result.released()
    forfeited = result.referral.forfeited + result.team.forfeited + result.peer.forfeited
    return DayTotals(
        day,
        event_seq,
        sales,
        sum(result.base),
        sum(result.referral.paid),
        sum(result.team.paid),
        sum(result.peer.paid),
        forfeited,
        sum(1 for r in released if r),
    )


class _Decider:
    """Decides one day of either system from the grant book and the order totals."""

    def __init__(
        self, config: EconomyConfig, tree: ReferralTree, ids: tuple[str, ...], index: dict[str, int]
    ) -> None:
        self.config = config
        self.tree = tree
        self.ids = ids
        self.index = index
        # team sizes from the same arrays: no per-member recursive query for the reports
        self.team_sizes = tree.team_totals([1] * len(ids), False)
        sections = config.sections
        if config.system == LOCKED:
            self.locked: LockedGrantRules | None = LockedGrantRules.from_sections(sections)
            self.team = TeamRules.from_sections(sections) if "team" in sections else None
            self.shared: SharedPurchaseRules | None = None
        else:
            self.locked, self.team = None, None
            self.shared = SharedPurchaseRules.from_sections(sections)

    def day(
        self, name: str, book: GrantBook, totals: dict[str, tuple[int, int, int]]
    ) -> tuple[ReleaseDay, list[MemberStanding]]:
        n = len(self.ids)
        own = [0] * n
        largest = [0] * n
        for member, (total, biggest, _) in totals.items():
            i = self.index.get(member)
            if i is not None:
                own[i], largest[i] = total, biggest
        stars = [0] * n
        team = [0] * n
        health = [0] * n
        levels = [""] * n
        if self.locked is not None:
            if self.team is not None:
                team = self.tree.team_totals(own, self.team.count_own_orders)
                stars = [self.team.star_for(p) for p in team]
            result = settle_locked_day(self.locked, self.team, self.tree, book, stars)
            for i in range(n):
                level = self.locked.level_for(largest[i]) if largest[i] else None
                levels[i] = "" if level is None else level.name
        else:
            assert self.shared is not None
            buyers = [self.index[m] for m in totals if m in self.index]
            health = health_after_first_purchases(self.shared, self.tree, [0] * n, buyers)
            result = settle_health_day(self.shared, book, health)
            levels = [self.shared.levels[self.shared.level_for(h)].name for h in health]
        standings = [
            MemberStanding(
                m,
                name,
                levels[i],
                stars[i],
                team[i],
                self.team_sizes[i],
                health[i],
                result.base[i],
                result.referral.paid[i],
                result.team.paid[i],
                result.peer.paid[i],
            )
            for i, m in enumerate(self.ids)
        ]
        return result, standings


def due_release_day(uow: GrantUnitOfWork, economy_id: str, now: int) -> date | None:
    """Yesterday (local) if it still needs releasing in a grant economy, else None."""
    config = config_from_json(uow.ledger.economy(economy_id).config_json)
    if config.system not in SYSTEMS:
        return None
    store = uow.grants
    last, started = store.last_period(economy_id, KIND), store.first_grant_at(economy_id)
    return yesterday_if_due(now, zone(config), last, started)


def _due_days(store: GrantStore, economy_id: str, day: date, tz: Any) -> list[date]:
    last, started = store.last_period(economy_id, KIND), store.first_grant_at(economy_id)
    return days_to_settle(day, last, started, tz)


def grant_config(ledger: Any, economy_id: str) -> EconomyConfig:
    config = config_from_json(ledger.economy(economy_id).config_json)
    if config.system not in SYSTEMS:
        raise NotAGrantSystem(
            f"economy {economy_id!r} is {config.system}: grant releases are for locked grants "
            "and shared purchase"
        )
    return config


# -- §5 points between members and merchants ----------------------------------------------


def pay_with_points(
    uow: GrantUnitOfWork,
    engines: EngineCache,
    economy_id: str,
    request_id: str,
    member: str,
    merchant: str,
    points_micro: int,
    now: int,
) -> Reply:
    """A member pays a merchant with released points (idempotent by `request_id`)."""
    grant_config(uow.ledger, economy_id)
    command = PayWithPoints(member, merchant, points_micro)
    return apply_batch(uow, engines, economy_id, [CommandRequest(request_id, command)], now)[0]


def tip_points(
    uow: GrantUnitOfWork,
    engines: EngineCache,
    economy_id: str,
    request_id: str,
    merchant: str,
    member: str,
    points_micro: int,
    now: int,
) -> Reply:
    """A merchant tips a member from the merchant's own points (idempotent by `request_id`)."""
    config = grant_config(uow.ledger, economy_id)
    if config.system != SHARED:
        raise TippingDisabled("merchants tip points in shared-purchase economies only")
    command = TipPoints(merchant, member, points_micro)
    return apply_batch(uow, engines, economy_id, [CommandRequest(request_id, command)], now)[0]
