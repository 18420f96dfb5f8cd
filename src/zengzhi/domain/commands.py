"""The commands of the mechanisms beyond the pool (§2-§7), and how they are found by name.

Design: the writer, the codec and `verify` handle every mechanism command the same way,
through this protocol, so a mechanism adds its commands in its own module without
touching them. A command is a frozen value that can be stored as a replay-log event
(`payload`, `from_payload`) and applied to an economy's state (`apply`): the pool engine
(appreciating points and members' cash), the `Holdings` (every other non-source balance)
and the rules in force. `apply` decides the balanced entries from that state, checks them
against the holdings (`Holdings.apply` refuses an overdraft before anything moves) and
changes the engine only after every check has passed, so a refused command changes
nothing. Replaying the stored commands in order re-creates the same entries, which is
what `verify` checks.

A module registers its command classes with `@register`; `catalog.py` imports every such
module so that a stored event of any kind can be read back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol, Self, TypeVar

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import Outcome, PoolEngine


class MechanismCommand(Protocol):
    """A command of a mechanism beyond the pool; see the module docstring."""

    kind: ClassVar[str]  # the event kind stored in the log, unique across mechanisms

    def payload(self) -> dict[str, Any]:
        """The command's fields as JSON values (ints, strings, lists), without "kind"."""
        ...

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The inverse of `payload` (the mapping also holds "kind")."""
        ...

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        """Decide and apply the command: all of it, or nothing and a DomainError."""
        ...

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        """What the reply tells the caller beyond the economy's totals (JSON values)."""
        ...


_Reader = Callable[[Mapping[str, Any]], MechanismCommand]
_COMMANDS: dict[str, _Reader] = {}

M = TypeVar("M", bound=MechanismCommand)


def register(cls: type[M]) -> type[M]:
    """Class decorator: make a command class readable from its stored payload by kind."""
    kind = cls.kind
    reader: _Reader = cls.from_payload
    if kind in _COMMANDS and _COMMANDS[kind] != reader:
        raise InvalidRule(f"two command classes claim the event kind {kind!r}")
    _COMMANDS[kind] = reader
    return cls


def is_registered(kind: str) -> bool:
    return kind in _COMMANDS


def command_from_payload(payload: Mapping[str, Any]) -> MechanismCommand:
    """Read a stored mechanism command back; its "kind" names the class."""
    reader = _COMMANDS.get(str(payload.get("kind")))
    if reader is None:
        raise InvalidRule(f"unknown stored command kind {payload.get('kind')!r}")
    return reader(payload)


def to_payload(command: MechanismCommand) -> dict[str, Any]:
    return {"kind": command.kind, **command.payload()}
