"""Periodic settlement (issue 5): a cyclic-purchase economy's daily dividend, exactly once.

Design and decided choices:
- A day is the economy's local calendar day (`economy.timezone`, Asia/Shanghai by
  default); its sales are the orders the ledger settled within it. A day is settled only
  once it is over.
- Exactly once: under the economy's writer lock the `daily_jobs` row for (economy,
  "dividend", day) is looked up; the day's payouts go through the writer as one request
  with the idempotency key `daily:dividend:<day>`, and the job row is inserted in the same
  database transaction (its primary key refuses a second one). Running twice, or from two
  processes at once, pays once: the second waits for the lock and finds the job done.
- Catch-up: settling D settles every earlier unsettled day first, in order, starting the
  day after the last settled one (or the day of the economy's first settled order).
- Positions (quota, shares) are as of the end of the last settled day: each day first
  pays on the positions it started with (eligibility fixed at the start of the day), then
  the day's purchases accrue (`accrue_purchases`, referrers credited). Accruing at day
  settlement rather than at each order keeps catch-up exact: a late-settled day never
  sees purchases made after it.
- Set-based: positions are read in one statement, decided in memory by the domain's
  bulk functions and written back in one bulk statement; every day of a catch-up is one
  request in one writer batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import perf_counter
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zengzhi.app.codec import config_from_json
from zengzhi.app.engines import EngineCache
from zengzhi.app.ports import LedgerStore
from zengzhi.app.requests import DailyDividendRequest
from zengzhi.app.writer import apply_batch
from zengzhi.domain.daily_dividends import DividendRules, settle_dividends
from zengzhi.domain.daily_payout import payout_of
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import DomainError, InvalidRule
from zengzhi.domain.quota import Positions, QuotaRules, accrue_purchases
from zengzhi.domain.referral_tree import ReferralTree

KIND = "dividend"
CYCLIC = "cyclic_purchase"


class DayNotOver(DomainError):
    """Only a finished day can be settled: its sales are not known before."""

    code = "day_not_over"


class NotCyclicPurchase(DomainError):
    """Daily dividends belong to cyclic-purchase economies only."""

    code = "not_cyclic_purchase"


class DailyStore(Protocol):
    def job(self, economy_id: str, kind: str, period: str) -> Any: ...

    def last_period(self, economy_id: str, kind: str) -> str | None: ...

    def add_job(
        self,
        economy_id: str,
        kind: str,
        period: str,
        event_seq: int,
        sales_fen: int,
        paid_fen: int,
        now: int,
    ) -> None: ...

    def first_settled_at(self, economy_id: str) -> int | None: ...

    def settled_between(self, economy_id: str, start: int, end: int) -> list[tuple[str, int]]: ...

    def referrers(self, economy_id: str) -> dict[str, str | None]: ...

    def referred(self, economy_id: str) -> dict[str, str]: ...

    def jobs(self, economy_id: str, kind: str, limit: int) -> list[Any]: ...

    def config_history(self, economy_id: str) -> list[tuple[int, str]]: ...

    def positions(self, economy_id: str) -> dict[str, tuple[int, int]]: ...

    def replace_positions(self, economy_id: str, rows: list[tuple[str, int, int]]) -> None: ...


class DailyUnitOfWork(Protocol):
    @property
    def ledger(self) -> LedgerStore: ...

    @property
    def daily(self) -> DailyStore: ...

    def on_commit(self, callback: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class SettledDay:
    """One day's settlement: what was sold, paid and given back; `replayed` if done before."""

    day: str
    sales_fen: int
    paid_fen: int
    event_seq: int
    replayed: bool = False


def zone(config: EconomyConfig) -> ZoneInfo:
    try:
        return ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidRule(
            f"economy.timezone {config.timezone!r} is not a known time zone"
        ) from error


def day_bounds(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """The local day as [start, end) in microseconds since the epoch."""
    start = datetime.combine(day, time(), tz)
    end = datetime.combine(day + timedelta(days=1), time(), tz)
    return _micros(start), _micros(end)


def local_day(at_micros: int, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(at_micros / 1_000_000, tz).date()


def last_finished_day(now: int, tz: ZoneInfo) -> date:
    return local_day(now, tz) - timedelta(days=1)


def settle_day(
    uow: DailyUnitOfWork,
    engines: EngineCache,
    economy_id: str,
    day: date,
    now: int,
    phases: dict[str, float] | None = None,
) -> list[SettledDay]:
    """Settle `day` and every unsettled day before it, in order (nothing if all done).

    `phases`, if given, receives the seconds spent reading, deciding, in the ledger writer
    and writing positions back (the benchmark prints them).
    """
    clock = _Clock(phases)
    ledger, store = uow.ledger, uow.daily
    ledger.lock_economy(economy_id)  # the writer lock: one settlement at a time
    config = _config(ledger, economy_id)
    tz = zone(config)
    if day > last_finished_day(now, tz):
        raise DayNotOver(f"{day.isoformat()} is not over yet in {config.timezone}")
    done = store.job(economy_id, KIND, day.isoformat())
    if done is not None:
        return [SettledDay(day.isoformat(), done.sales_fen, done.paid_fen, done.event_seq, True)]
    days = _due_days(store, economy_id, day, tz)
    history = store.config_history(economy_id)
    parents = store.referred(economy_id)
    stored = store.positions(economy_id)
    ids = list(stored)
    index = {m: i for i, m in enumerate(ids)}
    quota = [q for q, _ in stored.values()]
    shares = [sh for _, sh in stored.values()]
    del stored
    clock.lap("read")
    requests: list[DailyDividendRequest] = []
    sales: list[int] = []
    for current in days:
        start, end = day_bounds(current, tz)
        # the rules in force on the day settled, not today's: a change applies from its day
        rules = rules_on(history, end)
        dividends = DividendRules.from_sections(rules.sections)
        orders = store.settled_between(economy_id, start, end)
        clock.lap("read")
        sold = sum(amount for _, amount in orders)
        result = settle_dividends(dividends, sold, shares, quota)
        paid = payout_of(current.isoformat(), result, ids)
        requests.append(
            DailyDividendRequest(
                paid.day, paid.pro_rata_pool_fen, paid.tier_pool_fen, paid.pro_rata, paid.tier
            )
        )
        sales.append(sold)
        quota = list(result.quota_after)
        accrual = QuotaRules.from_sections(rules.sections)
        _accrue(accrual, parents, orders, ids, index, quota, shares)
        clock.lap("decide")
    replies = apply_batch(uow, engines, economy_id, requests, now)
    clock.lap("ledger")
    settled = []
    for request, sold, reply in zip(requests, sales, replies, strict=True):
        reply.result()  # a refusal is a bug in the decision above: fail the whole run
        assert reply.event_seq is not None
        paid_fen = sum(f for _, f in request.pro_rata) + sum(f for _, f in request.tier)
        store.add_job(economy_id, KIND, request.day, reply.event_seq, sold, paid_fen, now)
        settled.append(SettledDay(request.day, sold, paid_fen, reply.event_seq, reply.replayed))
    store.replace_positions(
        economy_id,
        [(m, q, s) for m, q, s in zip(ids, quota, shares, strict=True) if q or s],
    )
    clock.lap("positions")
    return settled


def rules_on(history: list[tuple[int, str]], day_end: int) -> EconomyConfig:
    """The configuration in force at the end of a day: the last one in force before it ends."""
    chosen = history[0][1]
    for since, config_json in history[1:]:
        if since < day_end:
            chosen = config_json
    return config_from_json(chosen)


def _accrue(
    rules: QuotaRules,
    parents: dict[str, str],
    orders: list[tuple[str, int]],
    ids: list[str],
    index: dict[str, int],
    quota: list[int],
    shares: list[int],
) -> None:
    """A day's purchases (and referrals) into the positions, in place, by `accrue_purchases`.

    The domain rule runs on the few members a day's orders concern (buyers and their
    referrers up to `generations`), not on every member: the rest cannot change.
    """
    if not orders:
        return
    concerned: dict[str, None] = {}
    for buyer, _ in orders:
        concerned.setdefault(buyer, None)
        above, depth = parents.get(buyer), 0
        while above is not None and depth < rules.generations:
            concerned.setdefault(above, None)
            above, depth = parents.get(above), depth + 1
    for member in concerned:
        if member not in index:  # a new member: no position yet
            index[member] = len(ids)
            ids.append(member)
            quota.append(0)
            shares.append(0)
    local = list(concerned)
    where = {m: i for i, m in enumerate(local)}
    tree = ReferralTree.from_parent_map(
        {m: (parents[m] if parents.get(m) in where else None) for m in local}
    )
    after = accrue_purchases(
        rules,
        tree,
        Positions(tuple(quota[index[m]] for m in local), tuple(shares[index[m]] for m in local)),
        [where[m] for m, _ in orders],
        [amount for _, amount in orders],
    )
    for m, q, sh in zip(local, after.quota_fen, after.shares_micro, strict=True):
        quota[index[m]] = q
        shares[index[m]] = sh


class _Clock:
    """Adds the seconds since the last lap to a named phase (when asked to measure)."""

    def __init__(self, phases: dict[str, float] | None) -> None:
        self._phases = phases
        self._last = perf_counter()

    def lap(self, phase: str) -> None:
        if self._phases is None:
            return
        moment = perf_counter()
        self._phases[phase] = self._phases.get(phase, 0.0) + moment - self._last
        self._last = moment


def due_day(uow: DailyUnitOfWork, economy_id: str, now: int) -> date | None:
    """Yesterday (local) if it still needs settling in a cyclic-purchase economy, else None."""
    config = _config(uow.ledger, economy_id, check=False)
    if config.system != CYCLIC:
        return None
    store = uow.daily
    last, started = store.last_period(economy_id, KIND), store.first_settled_at(economy_id)
    return yesterday_if_due(now, zone(config), last, started)


def yesterday_if_due(now: int, tz: ZoneInfo, last: str | None, started: int | None) -> date | None:
    """The day job's rule for every system: yesterday (local) is due unless it was done
    (`last` is the last period settled) or nothing has happened yet (`started` is None)."""
    yesterday = last_finished_day(now, tz)
    if last is not None and last >= yesterday.isoformat():
        return None
    if last is None and started is None:
        return None  # nothing happened yet: nothing to settle
    return yesterday


def days_to_settle(day: date, last: str | None, started: int | None, tz: ZoneInfo) -> list[date]:
    """The days up to `day` not settled yet, oldest first: from the day after `last`, or
    from the local day of the first activity (`started`, microseconds) if none was."""
    if last is not None:
        first = date.fromisoformat(last) + timedelta(days=1)
    else:
        first = day if started is None else min(day, local_day(started, tz))
    return [first + timedelta(days=n) for n in range((day - first).days + 1)]


def _due_days(store: DailyStore, economy_id: str, day: date, tz: ZoneInfo) -> list[date]:
    last, started = store.last_period(economy_id, KIND), store.first_settled_at(economy_id)
    return days_to_settle(day, last, started, tz)


def _config(ledger: Any, economy_id: str, check: bool = True) -> EconomyConfig:
    config = config_from_json(ledger.economy(economy_id).config_json)
    if check and config.system != CYCLIC:
        raise NotCyclicPurchase(
            f"economy {economy_id!r} is {config.system}: daily dividends are for cyclic purchase"
        )
    return config


def _micros(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
