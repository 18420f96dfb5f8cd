"""Errors of the use cases. Like domain errors, each has a stable code and a sentence."""

from __future__ import annotations

from zengzhi.domain.errors import DomainError


class IdempotencyConflict(DomainError):
    """The idempotency key was already used for a different request."""

    code = "idempotency_conflict"


class UnknownEconomy(DomainError):
    """No economy with this id."""

    code = "unknown_economy"


class EconomyExists(DomainError):
    """An economy with this id already exists."""

    code = "economy_exists"


class DuplicateParty(DomainError):
    """A member, merchant or store with this id already exists in the economy."""

    code = "duplicate_party"


class NotCheckpointed(DomainError):
    """The transaction is not covered by a checkpoint yet, so no proof exists for it."""

    code = "not_checkpointed"


class PrerequisiteRefused(DomainError):
    """A request follows another (its order) that was refused or never recorded."""

    code = "prerequisite_refused"


def _all_subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    found: list[type[DomainError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def error_from_code(code: str, message: str) -> DomainError:
    """Rebuild a recorded rejection so that a retried request fails the same way."""
    for cls in _all_subclasses(DomainError):
        if cls.code == code:
            return cls(message)
    return DomainError(message)
