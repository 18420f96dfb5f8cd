"""Which runner simulates an economy: the pool engines, or a daily system's books."""

from __future__ import annotations

from collections.abc import Callable

from zengzhi.sim.brand import run_brand
from zengzhi.sim.cyclic import run_cyclic
from zengzhi.sim.daily import SystemResult
from zengzhi.sim.grants import run_locked_grants, run_shared_purchase
from zengzhi.sim.model import BRAND, CYCLIC, GRANTS, HEALTH, model_of
from zengzhi.sim.plan import Plan
from zengzhi.sim.scenario import Scenario

DAILY_RUNNERS: dict[str, Callable[[Scenario, Plan], SystemResult]] = {
    CYCLIC: run_cyclic,
    GRANTS: run_locked_grants,
    HEALTH: run_shared_purchase,
    BRAND: run_brand,
}


def is_daily(scenario: Scenario) -> bool:
    """True for the systems without an appreciating pool (§3, §4, §5, §7)."""
    return model_of(scenario.economy).runner in DAILY_RUNNERS


def run_system(scenario: Scenario, plan: Plan) -> SystemResult:
    """One seed of a daily system, on the exact domain path (there is no kernel for them)."""
    return DAILY_RUNNERS[model_of(scenario.economy).runner](scenario, plan)
