"""Domain errors: each has a stable code and a sentence a person understands.

The edges (HTTP, CLI) map these once; nothing inside catches them to change their meaning.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A request the rules refuse. `code` is stable; `message` is for people."""

    code: ClassVar[str] = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidAmount(DomainError):
    """An amount that is negative, not an integer, or otherwise impossible."""

    code = "invalid_amount"


class InvalidRule(DomainError):
    """An economy parameter outside what the mechanism allows."""

    code = "invalid_rule"


class InsufficientPoints(DomainError):
    """A member tried to sell or spend more points than they hold."""

    code = "insufficient_points"


class UnknownMember(DomainError):
    """The member is not part of this economy."""

    code = "unknown_member"


class InsufficientCash(DomainError):
    """A member tried to withdraw or lose more cash than their wallet holds."""

    code = "insufficient_cash"
