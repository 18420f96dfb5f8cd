"""Periodic jobs in the service (issue 5): due daily dividends, run by `serve` and cron.

`serve`'s housekeeping calls `settle_due_days` every cycle; `zengzhi settle` calls
`settle_economy_day` for one economy and date. Both go through `settle_day`, which is
exactly-once per economy and day, so the two may overlap without paying twice.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import partial
from typing import Any

from zengzhi.app.daily import SettledDay, due_day, settle_day
from zengzhi.domain.errors import DomainError
from zengzhi.service.context import Service
from zengzhi.store.service_repository import reading

log = logging.getLogger(__name__)


def settle_economy_day(svc: Service, economy_id: str, day: date) -> list[SettledDay]:
    """Settle `day` (and the unsettled days before it) in one economy."""
    return svc.run(lambda uow: settle_day(uow, svc.engines, economy_id, day, svc.now()))


def settle_due_days(svc: Service) -> list[tuple[str, SettledDay]]:
    """Every cyclic-purchase economy's finished, unsettled days, oldest first."""
    with reading(svc.database) as store:
        economies = store.economy_ids()
    done: list[tuple[str, SettledDay]] = []
    for economy_id in economies:
        try:
            done += [(economy_id, s) for s in _settle_due(svc, economy_id)]
        except DomainError as error:  # one misconfigured economy must not stop the others
            log.error("economy %s: daily settlement refused: %s", economy_id, error.message)
    return done


def _settle_due(svc: Service, economy_id: str) -> list[SettledDay]:
    day = svc.run(partial(_due, economy_id=economy_id, now=svc.now()))
    if day is None:
        return []
    settled = settle_economy_day(svc, economy_id, day)
    for one in settled:
        log.info("economy %s: day %s settled, %d fen paid", economy_id, one.day, one.paid_fen)
    return settled


def _due(uow: Any, *, economy_id: str, now: int) -> date | None:
    return due_day(uow, economy_id, now)
