"""What the simulator models of an economy, and what it says plainly that it does not.

Every system of mechanisms.md has a runner: the appreciating pool (§1) with local life's
commission split, referral, promoter and agent rewards (§6) and the two tokens' buyback
and conversions (§2) on the pool engines; cyclic purchase (§3), locked grants (§4),
shared purchase (§5) and the brand membership (§7) on the daily books (`sim.daily`).
Each runner applies its system's rules through the pure domain functions. Whatever part of
a configuration it leaves out is listed in `not_modelled` with a sentence the report
prints, so nothing is silently left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from zengzhi.domain.economy import EconomyConfig

POOL, CYCLIC, GRANTS, HEALTH, BRAND = "pool", "cyclic", "grants", "health", "brand"

# system -> its runner
RUNNERS: dict[str, str] = {
    "appreciating_pool": POOL,
    "two_tokens": POOL,
    "local_life": POOL,
    "cyclic_purchase": CYCLIC,
    "locked_grants": GRANTS,
    "shared_purchase": HEALTH,
    "brand_membership": BRAND,
}

# system -> sections whose rules the simulator applies
_MODELLED_SECTIONS: dict[str, set[str]] = {
    "local_life": {"split", "agents"},
    "two_tokens": {"stable"},
    "cyclic_purchase": {"quota", "dividend", "referral"},
    "locked_grants": {"grant", "referral", "team"},
    "shared_purchase": {"grant", "health"},
    "brand_membership": {"coins", "dividend", "referral", "buyback", "coupons"},
}

# sections with no effect on anyone's money
_NO_MONEY = {"disclosure"}

_SECTION_NOTES: dict[str, str] = {
    "split": "the commission split",
    "agents": "regional agents (区代/市代/省代) and the fees paid for those positions",
    "stable": "stable points (恒定积分), conversions, merchant cash-out and buyback",
    "quota": "cyclic purchase quota (分红额度)",
    "dividend": "daily or periodic dividends (分红) and their tiers",
    "referral": "referral shares, acceleration or tokens",
    "grant": "locked grants released daily (释放)",
    "team": "team (star) acceleration paid as a differential up the referral chain (级差)",
    "health": "health value and its release speeds",
    "tipping": "merchant tipping of points (merchants are not simulated; their tips would"
    " add to what members receive)",
    "coins": "coins and their conversion to tokens",
    "tiers": "membership tiers (gold/platinum perks have no stated cash value)",
    "governance": "token governance (votes move no money)",
    "buyback": "the buyback floor",
    "coupons": "coupons bought with coins",
}

# what each runner covers, for the report (English, Chinese)
COVERAGE: dict[str, tuple[str, str]] = {
    "appreciating_pool": ("the appreciating pool (§1)", "增值积分池（§1）"),
    "local_life": (
        "the appreciating pool (§1) and local life's commission split: direct and indirect"
        " referral rewards, store promoters and regional agents with their position fees (§6)",
        "增值积分池（§1）及本地生活的佣金分配：直推、间推奖励、门店推广人和区域代理（含代理费）（§6）",
    ),
    "two_tokens": (
        "the appreciating pool (§1); members' sales are the platform's buyback (§2), and"
        " members who convert to stable points spend them in the shop; merchants cash them"
        " out from the platform's own funds (§2)",
        "增值积分池（§1）；会员卖出即平台回购（§2）；兑换为恒定积分的会员在商城消费，商家从平台自有资金提现（§2）",
    ),
    "cyclic_purchase": (
        "quota and shares from purchases and referrals, the daily pro-rata and tier"
        " dividends, each capped by quota (§3)",
        "消费与推荐所得的分红额度与股权、每日静态与分级动态分红（受额度封顶）（§3）",
    ),
    "locked_grants": (
        "locked grants by level, their daily release, referral acceleration (50%/30%),"
        " the team differential by star and the peer reward (§4)",
        "按等级锁定的积分、每日释放、推荐加速（50%/30%）、星级团队级差与平级奖（§4）",
    ),
    "shared_purchase": (
        "points granted per yuan with yearly halving, released daily at the health"
        " level's speed; health value from referred buyers (§5)",
        "按消费发放、每年减半的积分，按健康值等级速度每日释放；推荐购买者提升健康值（§5）",
    ),
    "brand_membership": (
        "coins per yuan, referral coins and tokens, conversion to tokens, coupons, the"
        " monthly dividend pool from declared store profit, and buyback at the floor (§7)",
        "按消费发放咖啡币、推荐奖励、兑换豆子通证、优惠券、按申报门店利润的每月分红池及保底回购（§7）",
    ),
}


@dataclass(frozen=True, slots=True)
class Model:
    """The simulated part of an economy: its runner and the list of what is left out."""

    system: str
    runner: str
    has_pool: bool
    pool_share: Fraction
    monthly_burn: Fraction
    not_modelled: tuple[tuple[str, str], ...]

    @property
    def complete(self) -> bool:
        return not self.not_modelled

    @property
    def simulated(self) -> bool:
        return self.runner != POOL or self.has_pool

    @property
    def coverage(self) -> tuple[str, str]:
        return COVERAGE.get(self.system, COVERAGE["appreciating_pool"])


def model_of(config: EconomyConfig) -> Model:
    """The runner for `config`, and every part of it the simulator does not apply."""
    modelled = _MODELLED_SECTIONS.get(config.system, set())
    missing = [
        (name, _SECTION_NOTES.get(name, f"the [{name}] section"))
        for name in sorted(config.sections)
        if name not in modelled and name not in _NO_MONEY
    ]
    return Model(
        system=config.system,
        runner=RUNNERS[config.system],
        has_pool=config.pool_share > 0,
        pool_share=config.pool_share,
        monthly_burn=config.monthly_burn,
        not_modelled=tuple(missing),
    )
