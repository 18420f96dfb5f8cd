"""The service's refusals, each with a stable code (mapped to a status in api/errors.py)."""

from __future__ import annotations

from zengzhi.domain.errors import DomainError


class NotFound(DomainError):
    code = "not_found"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class RateLimited(DomainError):
    code = "rate_limited"


class Locked(DomainError):
    code = "locked"


class WrongCode(DomainError):
    """The SMS code is wrong, used or expired."""

    code = "wrong_code"


class WrongCredentials(DomainError):
    """Phone and password do not match (never says which)."""

    code = "wrong_credentials"


class PhoneTaken(DomainError):
    code = "phone_taken"


class UnknownReferral(DomainError):
    code = "unknown_referral_code"


class AlreadySettled(DomainError):
    """The order was settled: its rewards were granted, so it cannot be cancelled or refunded."""

    code = "already_settled"


class OrderClosed(DomainError):
    """The order was cancelled or refunded: it can no longer be settled."""

    code = "order_closed"


class AlreadyReviewed(DomainError):
    code = "already_reviewed"


class InvalidInput(DomainError):
    code = "invalid_request"


class Exists(DomainError):
    code = "already_exists"


class SmsFailed(DomainError):
    code = "sms_failed"
