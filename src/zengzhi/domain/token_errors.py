"""Errors of the token mechanisms (mechanisms.md §2, §6, §7), each with a stable code."""

from __future__ import annotations

from zengzhi.domain.errors import DomainError


class InsufficientBalance(DomainError):
    """A holder tried to move more stable points, coins or tokens than they hold."""

    code = "insufficient_balance"


class TreasuryShortfall(DomainError):
    """The platform treasury holds too few appreciating points for a merchant's exchange."""

    code = "treasury_shortfall"


class AmountTooSmall(DomainError):
    """The request would round down to nothing for the person making it."""

    code = "amount_too_small"


class InvalidReferral(DomainError):
    """A referral chain that names the member themselves or repeats a referrer."""

    code = "invalid_referral"


class UnknownCoupon(DomainError):
    """The coupon is not in the economy's catalogue."""

    code = "unknown_coupon"


class BelowBuybackFloor(DomainError):
    """A token buyback offered less than the guaranteed floor price."""

    code = "below_buyback_floor"


class NotEligibleToVote(DomainError):
    """The voter held fewer tokens than the threshold when the proposal opened."""

    code = "not_eligible_to_vote"


class UnknownOption(DomainError):
    """A ballot chose an option the proposal does not offer."""

    code = "unknown_option"
