"""Balances the pool engine does not keep: locked grants, stable points, coins, tokens, ...

The pool engine keeps the pool, every member's appreciating points and cash. Every other
account that is not a declared source (a member's stable points or coins, the treasury,
a pending withdrawal, a dividend pool) is kept here, so that a mechanism's command can be
refused with a clear error *before* anything moves, instead of the store's balance
constraint failing at commit. The writer keeps one `Holdings` per economy beside its
engine; `verify` rebuilds one by replay and compares it with the stored balances.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from zengzhi.domain.entries import SOURCE_ACCOUNTS, AccountKind, Entry
from zengzhi.domain.token_errors import InsufficientBalance

Account = tuple[str, str, str]  # (kind, holder or "", asset), as the ledger names accounts

# accounts the pool engine keeps itself
ENGINE_KINDS = frozenset({AccountKind.POOL, AccountKind.MEMBER_CASH, AccountKind.MEMBER_POINTS})
_UNTRACKED = frozenset(k.value for k in ENGINE_KINDS | SOURCE_ACCOUNTS)


def tracked(kind: str) -> bool:
    """Whether `Holdings` keeps accounts of this kind."""
    return kind not in _UNTRACKED


class Holdings:
    """Non-negative balances of the accounts outside the pool engine, by account."""

    def __init__(self, balances: Mapping[Account, int] | None = None) -> None:
        self._balances: dict[Account, int] = {}
        for account, amount in (balances or {}).items():
            if tracked(account[0]) and amount:
                self._balances[account] = amount

    def balance(self, kind: AccountKind | str, holder: str | None, asset: str) -> int:
        return self._balances.get((str(kind), holder or "", str(asset)), 0)

    def items(self) -> Iterator[tuple[Account, int]]:
        """Every non-zero balance."""
        return iter(list(self._balances.items()))

    def apply(self, entries: Iterable[Entry]) -> None:
        """Move the entries' tracked legs; all or nothing, refused if one would go negative."""
        change: dict[Account, int] = {}
        for entry in entries:
            for p in entry.postings:
                kind = p.account.value
                if kind in _UNTRACKED:
                    continue
                account = (kind, p.holder or "", p.asset.value)
                change[account] = change.get(account, 0) + p.amount
        after: dict[Account, int] = {}
        for account, delta in change.items():
            value = self._balances.get(account, 0) + delta
            if value < 0:
                kind, holder, asset = account
                who = f"{holder!r}'s" if holder else "the economy's"
                raise InsufficientBalance(
                    f"{who} {kind.replace('_', ' ')} account holds "
                    f"{self._balances.get(account, 0)} {asset} and cannot give {-delta}"
                )
            after[account] = value
        for account, value in after.items():
            if value:
                self._balances[account] = value
            else:
                self._balances.pop(account, None)
