"""Grant releases in the service (§4, §5): due days run by `serve` and by cron.

`serve`'s housekeeping calls `release_due_days` every cycle; `zengzhi settle` calls
`release_economy_day` for a grant economy. Both go through `settle_release_day`, which is
exactly once per economy and day, so the two may overlap without releasing twice.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from zengzhi.app.releases import SettledRelease, due_release_day, settle_release_day
from zengzhi.domain.errors import DomainError
from zengzhi.service.context import Service
from zengzhi.store.service_repository import reading

log = logging.getLogger(__name__)


def release_economy_day(svc: Service, economy_id: str, day: date) -> list[SettledRelease]:
    """Release `day` (and the unreleased days before it) in one grant economy."""
    return svc.run(lambda uow: settle_release_day(uow, svc.engines, economy_id, day, svc.now()))


def release_due_days(svc: Service) -> list[tuple[str, SettledRelease]]:
    """Every grant economy's finished, unreleased days, oldest first."""
    with reading(svc.database) as store:
        economies = store.economy_ids()
    done: list[tuple[str, SettledRelease]] = []
    for economy_id in economies:
        try:
            done += [(economy_id, s) for s in _release_due(svc, economy_id)]
        except DomainError as error:  # one misconfigured economy must not stop the others
            log.error("economy %s: grant release refused: %s", economy_id, error.message)
    return done


def _release_due(svc: Service, economy_id: str) -> list[SettledRelease]:
    now = svc.now()
    day = svc.run(lambda uow: _due(uow, economy_id, now))
    if day is None:
        return []
    released = release_economy_day(svc, economy_id, day)
    for one in released:
        log.info(
            "economy %s: day %s released, %d micro-points", economy_id, one.day, one.released_micro
        )
    return released


def _due(uow: Any, economy_id: str, now: int) -> date | None:
    return due_release_day(uow, economy_id, now)
