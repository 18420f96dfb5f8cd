"""Accounts, transactions and postings as the ledger stores them, and the balance rules.

An account is (kind, holder, asset) inside one economy: kinds and assets are plain strings
(the values of the domain enums) so that later mechanisms add new ones without new columns.
A transaction is one engine `Entry` with its place in the economy's history: its sequence
number, the event (command) that caused it and the time it was recorded. Its legs sum to
zero per asset; only accounts of a declared source kind may go below zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass

from zengzhi.domain.entries import SOURCE_ACCOUNTS, Entry
from zengzhi.domain.errors import DomainError

# Kinds whose balance may go below zero: money or points that arrive from outside the books.
SOURCE_KINDS: frozenset[str] = frozenset(kind.value for kind in SOURCE_ACCOUNTS)

AccountKey = tuple[str, str, str]  # (kind, holder or "", asset)


class UnbalancedTransaction(DomainError):
    """A transaction whose legs do not sum to zero for some asset."""

    code = "unbalanced_transaction"


class NegativeBalance(DomainError):
    """A posting would take an account that is not a source below zero."""

    code = "negative_balance"


@dataclass(frozen=True, slots=True)
class Leg:
    """One posting: `amount` of `asset` into (positive) or out of (negative) an account."""

    kind: str
    holder: str  # "" for the economy's own accounts
    asset: str
    amount: int

    @property
    def account(self) -> AccountKey:
        return (self.kind, self.holder, self.asset)


@dataclass(frozen=True, slots=True)
class Transaction:
    """One balanced ledger transaction, numbered in the economy's commit order."""

    economy_id: str
    seq: int
    event_seq: int
    kind: str
    member: str | None
    recorded_at: int  # microseconds since the Unix epoch, UTC
    legs: tuple[Leg, ...]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The Merkle root over the hashes of transactions first_seq..last_seq (one block)."""

    economy_id: str
    number: int
    first_seq: int
    last_seq: int
    root: bytes
    head_hash: bytes  # the chain hash of transaction last_seq


def legs_of(entry: Entry) -> tuple[Leg, ...]:
    """The legs of an engine entry, in the engine's order."""
    return tuple(
        Leg(p.account.value, p.holder or "", p.asset.value, p.amount) for p in entry.postings
    )


def is_source(kind: str) -> bool:
    return kind in SOURCE_KINDS


def check_balanced(legs: Iterable[Leg]) -> None:
    """Raise UnbalancedTransaction unless the legs sum to zero for every asset."""
    sums: dict[str, int] = defaultdict(int)
    for leg in legs:
        sums[leg.asset] += leg.amount
    off = {asset: total for asset, total in sums.items() if total}
    if off:
        shown = ", ".join(f"{asset} {total:+d}" for asset, total in sorted(off.items()))
        raise UnbalancedTransaction(f"the postings do not sum to zero: {shown}")


def apply_legs(
    balances: MutableMapping[AccountKey, int],
    legs: Iterable[Leg],
    sources: frozenset[str] = SOURCE_KINDS,
) -> None:
    """Add the legs to running balances; refuse to take a non-source account below zero."""
    for leg in legs:
        key = leg.account
        after = balances.get(key, 0) + leg.amount
        if after < 0 and leg.kind not in sources:
            raise NegativeBalance(
                f"account {leg.kind}/{leg.holder or '-'} would hold {after} {leg.asset}"
            )
        balances[key] = after


def balance_deltas(legs: Iterable[Leg]) -> Mapping[AccountKey, int]:
    """Net change per account."""
    deltas: dict[AccountKey, int] = defaultdict(int)
    for leg in legs:
        deltas[leg.account] += leg.amount
    return deltas
