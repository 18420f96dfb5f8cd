"""A brand membership economy's rules (mechanisms.md §7, seed 000), parsed from its preset.

Units (decided): Coffee Coins are whole coins; Bean Tokens are counted in micro-tokens
(10⁻⁶ token), so 50 coins convert to 0.05 token = 50,000 micro-tokens; cash is fen.
`coins_per_token` must divide 1,000,000 so every whole coin converts to a whole number of
micro-tokens and no coin is ever burned for nothing.

A token's cost (decided) is what its coins cost in spend: coins_per_token / coins_per_yuan
yuan (1,000 coins at 1 per yuan: 1,000 yuan), so the buyback floor at 80% of cost is
800 yuan per token.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.money import FEN_PER_YUAN
from zengzhi.domain.section_fields import micro, ratio, section, table_list, text, whole

MICRO_PER_TOKEN = 1_000_000
PERIODS = frozenset({"week", "month", "quarter", "year"})


@dataclass(frozen=True, slots=True)
class Tier:
    """A member tier reached by cumulative spend (gold, platinum)."""

    name: str
    min_spend_fen: int


@dataclass(frozen=True, slots=True)
class Coupon:
    """A coupon members buy with coins; `face_fen` is what it is worth in the shop."""

    code: str
    coins: int
    face_fen: int


@dataclass(frozen=True, slots=True)
class BrandRules:
    """[coins], [dividend], [referral], [[tiers]], [governance], [buyback], [[coupons]]."""

    coins_per_yuan: int = 1
    coins_per_token: int = 1000
    dividend_share: Fraction = Fraction(1, 5)
    dividend_period: str = "month"
    referral_coin_share: Fraction = Fraction(1, 10)
    first_purchase_token_micro: int = 100_000
    tiers: tuple[Tier, ...] = ()
    vote_min_micro: int = 10 * MICRO_PER_TOKEN
    buyback_floor_of_cost: Fraction = Fraction(4, 5)
    coupons: tuple[Coupon, ...] = ()

    def __post_init__(self) -> None:
        if self.coins_per_yuan < 1:
            raise InvalidRule("[coins] per_yuan must be at least 1")
        if self.coins_per_token < 1 or MICRO_PER_TOKEN % self.coins_per_token:
            raise InvalidRule("[coins] coins_per_token must divide 1,000,000 (micro-tokens)")
        for name, share in (
            ("[dividend] profit_share", self.dividend_share),
            ("[referral] coin_share", self.referral_coin_share),
            ("[buyback] floor_of_cost", self.buyback_floor_of_cost),
        ):
            if not 0 <= share <= 1:
                raise InvalidRule(f"{name} must be between 0 and 1")
        if self.dividend_period not in PERIODS:
            raise InvalidRule(f"[dividend] period must be one of {sorted(PERIODS)}")
        if self.first_purchase_token_micro < 0 or self.vote_min_micro < 0:
            raise InvalidRule("token amounts in [referral] and [governance] must not be negative")
        tiers = tuple(sorted(self.tiers, key=lambda t: t.min_spend_fen))
        names, spends = {t.name for t in tiers}, {t.min_spend_fen for t in tiers}
        if len(names) != len(tiers) or len(spends) != len(tiers):
            raise InvalidRule("[[tiers]] need distinct names and distinct min_spend_fen")
        object.__setattr__(self, "tiers", tiers)
        if len({c.code for c in self.coupons}) != len(self.coupons):
            raise InvalidRule("[[coupons]] need distinct codes")

    @property
    def micro_per_coin(self) -> int:
        return MICRO_PER_TOKEN // self.coins_per_token

    @property
    def token_cost_fen(self) -> Fraction:
        """What one whole token's coins cost in spend."""
        return Fraction(self.coins_per_token * FEN_PER_YUAN, self.coins_per_yuan)

    @property
    def buyback_floor_fen(self) -> Fraction:
        """The least the platform may pay for one whole token."""
        return self.buyback_floor_of_cost * self.token_cost_fen


def brand_rules_from(config: EconomyConfig) -> BrandRules:
    """Parse the brand membership sections; [[tiers]] and [[coupons]] may be absent."""
    coins = section(config, "coins", {"per_yuan", "coins_per_token"})
    dividend = section(config, "dividend", {"profit_share", "period"})
    referral = section(config, "referral", {"coin_share", "first_purchase_token"})
    governance = section(config, "governance", {"min_tokens"})
    buyback = section(config, "buyback", {"floor_of_cost"})
    tiers = tuple(
        Tier(text(t, "name", "[[tiers]]"), whole(t, "min_spend_fen", "[[tiers]]", 0))
        for t in table_list(config, "tiers", {"name", "min_spend_fen"})
    )
    coupons = tuple(
        Coupon(
            text(c, "code", "[[coupons]]"),
            whole(c, "coins", "[[coupons]]", 1),
            whole(c, "face_fen", "[[coupons]]", 0),
        )
        for c in table_list(config, "coupons", {"code", "coins", "face_fen"})
    )
    return BrandRules(
        coins_per_yuan=whole(coins, "per_yuan", "[coins]", 1),
        coins_per_token=whole(coins, "coins_per_token", "[coins]", 1),
        dividend_share=ratio(dividend, "profit_share", "[dividend]"),
        dividend_period=text(dividend, "period", "[dividend]"),
        referral_coin_share=ratio(referral, "coin_share", "[referral]"),
        first_purchase_token_micro=micro(
            ratio(referral, "first_purchase_token", "[referral]"), "[referral] first_purchase_token"
        ),
        tiers=tiers,
        vote_min_micro=micro(
            ratio(governance, "min_tokens", "[governance]"), "[governance] min_tokens"
        ),
        buyback_floor_of_cost=ratio(buyback, "floor_of_cost", "[buyback]"),
        coupons=coupons,
    )
