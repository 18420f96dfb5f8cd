"""Recompute an economy's books from its stored transactions and compare with what is stored.

Feed the transactions in sequence order with their stored hashes; the audit recomputes the
hash chain, checks every transaction balances and no non-source account goes negative,
rebuilds every balance from the postings and every checkpoint's Merkle root. Each problem
names the transaction it concerns, so the first broken one can be reported. After a hash
mismatch the chain continues from the stored hash, so independent alterations are each
found instead of the first one hiding the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from zengzhi.domain.errors import DomainError
from zengzhi.ledger.chain import GENESIS, chain_hash
from zengzhi.ledger.merkle import merkle_root
from zengzhi.ledger.model import AccountKey, Checkpoint, Transaction, apply_legs, check_balanced


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """Something stored that the recomputation does not confirm."""

    seq: int | None  # the transaction concerned, if the problem is about one
    what: str


@dataclass
class Audit:
    """A streaming verifier for one economy's transactions."""

    economy_id: str
    checkpoints: list[Checkpoint] = field(default_factory=list)
    balances: dict[AccountKey, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    _prev: bytes = GENESIS
    _next_seq: int = 1
    _block: list[bytes] = field(default_factory=list)
    _cp_index: int = 0

    def add(self, tx: Transaction, stored_hash: bytes) -> None:
        """Check one stored transaction (they must come in sequence order)."""
        self.count += 1
        if tx.economy_id != self.economy_id:
            self._flag(tx.seq, f"belongs to economy {tx.economy_id!r}")
        if tx.seq != self._next_seq:
            self._flag(
                min(tx.seq, self._next_seq),
                f"transaction {self._next_seq} expected but {tx.seq} found: "
                "a transaction was removed, inserted or renumbered",
            )
        recomputed = chain_hash(self._prev, tx)
        if recomputed != stored_hash:
            self._flag(tx.seq, "its hash does not match its contents and the chain before it")
        try:
            check_balanced(tx.legs)
            apply_legs(self.balances, tx.legs)
        except DomainError as error:
            self._flag(tx.seq, error.message)
        self._collect(tx.seq, recomputed)
        self._prev = stored_hash
        self._next_seq = tx.seq + 1

    def _collect(self, seq: int, tx_hash: bytes) -> None:
        while self._cp_index < len(self.checkpoints):
            cp = self.checkpoints[self._cp_index]
            if seq < cp.first_seq:
                return
            if seq > cp.last_seq:  # the block ended early: transactions are missing
                self._close_block(cp)
                continue
            self._block.append(tx_hash)
            if seq == cp.last_seq:
                if cp.head_hash != tx_hash:
                    self._flag(None, f"checkpoint {cp.number} records another chain head")
                self._close_block(cp)
            return

    def _close_block(self, cp: Checkpoint) -> None:
        size = cp.last_seq - cp.first_seq + 1
        if len(self._block) != size or merkle_root(self._block) != cp.root:
            # the root says the block changed, not where: the chain and the replay say where
            self._flag(
                None,
                f"checkpoint {cp.number} (transactions {cp.first_seq}-{cp.last_seq}) "
                "does not match the Merkle root of the stored transactions",
            )
        self._block = []
        self._cp_index += 1

    def finish(
        self,
        head_seq: int,
        head_hash: bytes,
        stored_balances: Mapping[AccountKey, int],
    ) -> list[Problem]:
        """Compare the end of the chain and every balance with the stored ones."""
        last = self._next_seq - 1
        if last != head_seq:
            self._flag(
                min(last, head_seq) + 1,
                f"the economy records {head_seq} transactions but {last} are stored",
            )
        elif self._prev != head_hash:
            self._flag(last or None, "the chain's last hash differs from the economy's head")
        for cp in self.checkpoints[self._cp_index :]:
            self._flag(None, f"checkpoint {cp.number} covers missing transactions")
        self._cp_index = len(self.checkpoints)
        for key in sorted(set(self.balances) | set(stored_balances)):
            computed, stored = self.balances.get(key, 0), stored_balances.get(key)
            if stored is None and computed == 0:
                continue
            if stored != computed:
                kind, holder, asset = key
                self._flag(
                    None,
                    f"balance of {kind}/{holder or '-'} ({asset}) is {stored} "
                    f"but the postings give {computed}",
                )
        return sorted(self.problems, key=_order)

    def _flag(self, seq: int | None, what: str) -> None:
        self.problems.append(Problem(seq, what))


def first_broken(problems: Iterable[Problem]) -> int | None:
    """The lowest transaction number any problem names."""
    seqs = [p.seq for p in problems if p.seq is not None]
    return min(seqs) if seqs else None


def _order(p: Problem) -> tuple[int, int, str]:
    return (0 if p.seq is not None else 1, p.seq or 0, p.what)
