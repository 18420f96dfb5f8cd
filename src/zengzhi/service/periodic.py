"""Periodic jobs in the service (issue 5): each system's day job, run by `serve` and cron.

A cyclic-purchase economy pays a day's dividends (§3), a locked-grants or shared-purchase
economy releases a day's grants (§4, §5). `serve`'s housekeeping calls `run_due_jobs`
every cycle; `zengzhi settle` calls `settle_economy_day`. Both go through the app
layer's settlement, which is exactly once per economy and day (a `daily_jobs` row and an
idempotency key under the writer lock), so the two may overlap without paying twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from zengzhi.app import EngineCache
from zengzhi.app.codec import config_from_json
from zengzhi.app.daily import CYCLIC, due_day, settle_day
from zengzhi.app.releases import SYSTEMS as GRANT_SYSTEMS
from zengzhi.app.releases import due_release_day, settle_release_day
from zengzhi.domain.errors import DomainError
from zengzhi.service.context import Service
from zengzhi.store.service_repository import reading

log = logging.getLogger(__name__)


class NoPeriodicJob(DomainError):
    """The economy's system settles nothing day by day."""

    code = "no_periodic_job"


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """One kind of day job: when a day is due, how it is settled, how a day reads in a log."""

    name: str
    systems: frozenset[str]
    due: Callable[[Any, str, int], date | None]  # (uow, economy, now) -> day or None
    settle: Callable[[Any, EngineCache, str, date, int], Sequence[Any]]
    describe: Callable[[Any], str]  # a settled day (it has .day and .replayed)


def _dividend_day(done: Any) -> str:
    how = "already settled" if done.replayed else "settled"
    return (
        f"{done.day}: {how} (event {done.event_seq}), sales {done.sales_fen} fen, "
        f"paid {done.paid_fen} fen"
    )


def _release_day(done: Any) -> str:
    how = "already released" if done.replayed else "released"
    return (
        f"{done.day}: {how} (event {done.totals.event_seq}), sales {done.totals.sales_fen} fen,"
        f" released {done.released_micro} micro-points"
    )


JOBS = (
    PeriodicJob("daily dividends", frozenset({CYCLIC}), due_day, settle_day, _dividend_day),
    PeriodicJob(
        "grant releases",
        frozenset(GRANT_SYSTEMS),
        due_release_day,
        settle_release_day,
        _release_day,
    ),
)


def job_for(system: str) -> PeriodicJob | None:
    return next((job for job in JOBS if system in job.systems), None)


def job_of_economy(uow: Any, economy_id: str) -> PeriodicJob:
    """The economy's day job; refused for a system without one (and unknown economies)."""
    config = config_from_json(uow.ledger.economy(economy_id).config_json)
    job = job_for(config.system)
    if job is None:
        raise NoPeriodicJob(
            f"economy {economy_id!r} is {config.system}: it has no day to settle "
            f"(daily dividends are for cyclic purchase, releases for grant systems)"
        )
    return job


def settle_in(uow: Any, engines: EngineCache, economy_id: str, day: date, now: int) -> list[str]:
    """Settle `day` (and the unsettled days before it) in one unit of work; a line each."""
    job = job_of_economy(uow, economy_id)
    return [job.describe(done) for done in job.settle(uow, engines, economy_id, day, now)]


def settle_economy_day(svc: Service, economy_id: str, day: date) -> list[Any]:
    """Settle `day` (and the unsettled days before it) in one economy, whatever its job."""

    def work(uow: Any) -> Sequence[Any]:
        job = job_of_economy(uow, economy_id)
        return job.settle(uow, svc.engines, economy_id, day, svc.now())

    return list(svc.run(work))


def run_due_jobs(svc: Service) -> list[tuple[str, Any]]:
    """Every economy's finished, unsettled days, oldest first: (economy, settled day)."""
    with reading(svc.database) as store:
        economies = store.economy_ids()
    done: list[tuple[str, Any]] = []
    for economy_id in economies:
        try:
            done += [(economy_id, s) for s in _run_due(svc, economy_id)]
        except DomainError as error:  # one misconfigured economy must not stop the others
            log.error("economy %s: day settlement refused: %s", economy_id, error.message)
    return done


def _run_due(svc: Service, economy_id: str) -> list[Any]:
    now = svc.now()

    def due(uow: Any) -> tuple[PeriodicJob, date] | None:
        config = config_from_json(uow.ledger.economy(economy_id).config_json)
        job = job_for(config.system)
        day = None if job is None else job.due(uow, economy_id, now)
        return None if job is None or day is None else (job, day)

    found = svc.run(due)
    if found is None:
        return []
    job, day = found
    settled = settle_economy_day(svc, economy_id, day)
    for one in settled:
        log.info("economy %s: %s %s", economy_id, job.name, job.describe(one))
    return settled
