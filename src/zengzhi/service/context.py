"""What every service operation needs: the database, the engines, settings, SMS, a clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from zengzhi.app import EngineCache
from zengzhi.config import Settings
from zengzhi.domain.errors import DomainError
from zengzhi.sms import SmsProvider
from zengzhi.store import Database

T = TypeVar("T")
MICROS = 1_000_000


def wall_clock() -> int:
    """Microseconds since the Unix epoch (the ledger's unit of time)."""
    return time.time_ns() // 1000


@dataclass
class Service:
    database: Database
    settings: Settings
    sms: SmsProvider
    engines: EngineCache = field(default_factory=EngineCache)
    clock: Callable[[], int] = wall_clock

    def now(self) -> int:
        return self.clock()

    def run(self, work: Callable[[Any], T | DomainError]) -> T:
        """One committed unit of work. A DomainError *returned* by the work is raised after
        the commit: that is how a refusal still records what must stay recorded (a wrong
        code counts towards the lock)."""
        result = self.database.run(work)
        if isinstance(result, DomainError):
            raise result
        return result

    @property
    def secret(self) -> str:
        return self.settings.secret_key.get_secret_value()
