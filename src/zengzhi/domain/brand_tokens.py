"""Coffee Coins and Bean Tokens: earning, converting, referral, tiers, coupons, buyback (§7).

Pure functions over the balances the caller read from the books; each returns the balanced
entries to write. Design, every choice marked (decided) where the rulebook leaves room:

- Coins: floor(amount × coins_per_yuan) per purchase (35.50 yuan → 35 coins).
- Referral: the referrer earns floor(referral_coin_share × the referee's coins) on every
  purchase, and `first_purchase_token` (0.1 token) when the caller says it is the referee's
  first purchase. Both are minted, not taken from the referee. (The seed's example of
  "5×35 coins" for five friends contradicts its own 10% rule; the rulebook's 10% holds.)
- Conversion: c coins burned, c × 1,000,000 / coins_per_token micro-tokens minted (50 coins
  → 0.05 token); exact by the rules' divisibility check.
- Tiers by cumulative spend: the highest tier whose min_spend_fen is reached; none below.
- Coupons: their coins are burned; the coupon itself is a voucher the shop honours.
- Buyback: the platform pays from its own funds at a price per whole token of at least
  floor_of_cost × cost (800 yuan at the preset); an offer below it is refused. (decided)
  The tokens bought back are burned, so they take no further dividends; the payout is
  floored to the fen (the floor guarantees the price; a payee is always rounded down).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from zengzhi.domain.brand_rules import MICRO_PER_TOKEN, BrandRules, Coupon, Tier
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, Posting, transfer
from zengzhi.domain.errors import InvalidAmount
from zengzhi.domain.money import FEN_PER_YUAN, payee_floor
from zengzhi.domain.token_errors import (
    AmountTooSmall,
    BelowBuybackFloor,
    InsufficientBalance,
    InvalidReferral,
    UnknownCoupon,
)

_COIN_SUPPLY = (AccountKind.COIN_SUPPLY, None)
_TOKEN_SUPPLY = (AccountKind.TOKEN_SUPPLY, None)


@dataclass(frozen=True, slots=True)
class Purchase:
    """Coins for a purchase, the referrer's rewards, and the entries that book them."""

    coins: int
    referral_coins: int
    referral_token_micro: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Conversion:
    coins: int
    tokens_micro: int
    entry: Entry


@dataclass(frozen=True, slots=True)
class TokenBuyback:
    tokens_micro: int
    price_fen: Fraction  # per whole token
    payout_fen: int
    entry: Entry


def coins_for(rules: BrandRules, amount_fen: int) -> int:
    """Coins earned by spending `amount_fen`, rounded down."""
    return payee_floor(amount_fen * rules.coins_per_yuan, FEN_PER_YUAN)


def settle_purchase(
    rules: BrandRules,
    member: str,
    amount_fen: int,
    referrer: str | None = None,
    first_purchase: bool = False,
) -> Purchase:
    """Mint the member's coins and their referrer's share (and first-purchase token)."""
    _check_positive(amount_fen, "purchase amount")
    if referrer == member:
        raise InvalidReferral(f"member {member!r} cannot be their own referrer")
    coins = coins_for(rules, amount_fen)
    referral_coins = 0
    token = 0
    if referrer is not None:
        share = coins * rules.referral_coin_share
        referral_coins = payee_floor(share.numerator, share.denominator)
        token = rules.first_purchase_token_micro if first_purchase else 0
    postings: list[Posting] = []
    if coins:
        postings += transfer(Asset.COINS, coins, _COIN_SUPPLY, (AccountKind.MEMBER_COINS, member))
    if referral_coins:
        target = (AccountKind.MEMBER_COINS, referrer)
        postings += transfer(Asset.COINS, referral_coins, _COIN_SUPPLY, target)
    entries = [Entry(EntryKind.COINS_EARNED, member, tuple(postings))] if postings else []
    if token:
        target = (AccountKind.MEMBER_TOKENS, referrer)
        legs = transfer(Asset.TOKENS, token, _TOKEN_SUPPLY, target)
        entries.append(Entry(EntryKind.REFERRAL_TOKEN, member, legs))
    return Purchase(coins, referral_coins, token, tuple(entries))


def convert_coins(rules: BrandRules, member: str, coins: int, balance: int) -> Conversion:
    """Burn `coins` of the member's `balance`, mint the tokens they are worth."""
    _check_positive(coins, "coins to convert")
    _check_holds(member, coins, balance, "coins")
    tokens = coins * rules.micro_per_coin
    postings = (
        *transfer(Asset.COINS, coins, (AccountKind.MEMBER_COINS, member), _COIN_SUPPLY),
        *transfer(Asset.TOKENS, tokens, _TOKEN_SUPPLY, (AccountKind.MEMBER_TOKENS, member)),
    )
    return Conversion(coins, tokens, Entry(EntryKind.TOKEN_CONVERSION, member, postings))


def spend_to_next_token_fen(rules: BrandRules, coin_balance: int) -> int:
    """How much more to spend before the coins held convert to one whole token."""
    missing = max(0, rules.coins_per_token - coin_balance)
    whole_yuan = -(-missing // rules.coins_per_yuan)
    return whole_yuan * FEN_PER_YUAN


def tier_for(rules: BrandRules, spend_fen: int) -> Tier | None:
    """The highest tier the member's cumulative spend reaches, if any."""
    reached = [t for t in rules.tiers if spend_fen >= t.min_spend_fen]
    return reached[-1] if reached else None


def redeem_coupon(rules: BrandRules, member: str, code: str, balance: int) -> Entry:
    """Burn the coupon's coins from the member's `balance`."""
    coupon = _coupon(rules, code)
    _check_holds(member, coupon.coins, balance, "coins")
    postings = transfer(Asset.COINS, coupon.coins, (AccountKind.MEMBER_COINS, member), _COIN_SUPPLY)
    return Entry(EntryKind.COUPON_REDEMPTION, member, postings)


def buy_back_tokens(
    rules: BrandRules,
    member: str,
    tokens_micro: int,
    balance: int,
    price_fen: Fraction | None = None,
) -> TokenBuyback:
    """The platform buys tokens at `price_fen` per whole token (the floor when None)."""
    _check_positive(tokens_micro, "tokens to sell back")
    _check_holds(member, tokens_micro, balance, "micro-tokens")
    floor_price = rules.buyback_floor_fen
    price = floor_price if price_fen is None else Fraction(price_fen)
    if price < floor_price:
        raise BelowBuybackFloor(
            f"the buyback price must be at least {floor_price} fen per token "
            f"({rules.buyback_floor_of_cost} of its cost)"
        )
    exact = tokens_micro * price / MICRO_PER_TOKEN
    payout = payee_floor(exact.numerator, exact.denominator)
    if payout == 0:
        raise AmountTooSmall("so few tokens would be bought back for less than one fen")
    postings = (
        *transfer(Asset.TOKENS, tokens_micro, (AccountKind.MEMBER_TOKENS, member), _TOKEN_SUPPLY),
        *transfer(
            Asset.CASH,
            payout,
            (AccountKind.PLATFORM_FUNDING, None),
            (AccountKind.MEMBER_CASH, member),
        ),
    )
    entry = Entry(EntryKind.TOKEN_BUYBACK, member, postings)
    return TokenBuyback(tokens_micro, price, payout, entry)


def _coupon(rules: BrandRules, code: str) -> Coupon:
    for coupon in rules.coupons:
        if coupon.code == code:
            return coupon
    raise UnknownCoupon(f"there is no coupon {code!r} in this economy's catalogue")


def _check_positive(value: int, what: str) -> None:
    if type(value) is not int or value <= 0:
        raise InvalidAmount(f"the {what} must be a whole number above zero, not {value!r}")


def _check_holds(member: str, amount: int, balance: int, unit: str) -> None:
    if amount > balance:
        raise InsufficientBalance(f"member {member!r} holds {balance} {unit}, not {amount}")
