"""Proposals and one-token-one-vote ballots for token holders (mechanisms.md §7, seed 000).

Design, every choice marked (decided) where the rulebook leaves room:

- Eligibility and weight are fixed when a proposal opens: `open_proposal` snapshots the
  holders of at least the threshold (10 tokens) and gives each one vote per whole token
  held then. (decided) Fractions of a token do not vote. Tokens moved afterwards neither
  add nor remove votes, so no token can vote twice through two holders.
- (decided) A voter may change their ballot while the proposal is open; only their latest
  ballot counts. Ballots from voters outside the snapshot, or for options not offered,
  are refused by `check_ballot` and, should they reach the tally, ignored and listed.
- The tally is a pure function of the proposal and its ballots; the published result has
  every option's votes, the turnout and the winner: the option with the most votes, or
  none on a tie or when nobody voted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from zengzhi.domain.brand_rules import MICRO_PER_TOKEN
from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.token_errors import NotEligibleToVote, UnknownOption


@dataclass(frozen=True, slots=True)
class Proposal:
    """A question put to holders, with the electorate snapshotted when it opened."""

    proposal_id: str
    title: str
    options: tuple[str, ...]
    electorate: tuple[tuple[str, int], ...]  # (voter, votes), votes = whole tokens held

    def votes_of(self, voter: str) -> int:
        """The voter's weight, 0 if they were not eligible when the proposal opened."""
        return dict(self.electorate).get(voter, 0)

    @property
    def eligible_votes(self) -> int:
        return sum(votes for _, votes in self.electorate)


@dataclass(frozen=True, slots=True)
class Ballot:
    voter: str
    option: str


@dataclass(frozen=True, slots=True)
class Tally:
    """The published result of a proposal."""

    proposal_id: str
    counts: tuple[tuple[str, int], ...]  # every option in the proposal's order
    voters: int
    votes_cast: int
    eligible_votes: int
    winner: str | None
    ignored: tuple[Ballot, ...]


def open_proposal(
    proposal_id: str,
    title: str,
    options: Sequence[str],
    balances: Mapping[str, int],
    min_tokens_micro: int,
) -> Proposal:
    """Open a proposal: snapshot every holder of at least `min_tokens_micro` micro-tokens."""
    chosen = tuple(options)
    if len(chosen) < 2 or len(set(chosen)) != len(chosen) or not all(chosen):
        raise InvalidRule("a proposal needs at least two distinct, non-empty options")
    if any(type(b) is not int or b < 0 for b in balances.values()):
        raise InvalidAmount("token balances must be whole, non-negative numbers")
    electorate = tuple(
        (holder, held // MICRO_PER_TOKEN)
        for holder, held in balances.items()
        if held >= min_tokens_micro and held // MICRO_PER_TOKEN
    )
    return Proposal(proposal_id, title, chosen, electorate)


def check_ballot(proposal: Proposal, ballot: Ballot) -> None:
    """Refuse a ballot from outside the snapshot or for an option not offered."""
    if not proposal.votes_of(ballot.voter):
        raise NotEligibleToVote(
            f"{ballot.voter!r} did not hold enough tokens when proposal "
            f"{proposal.proposal_id!r} opened"
        )
    if ballot.option not in proposal.options:
        raise UnknownOption(f"proposal {proposal.proposal_id!r} has no option {ballot.option!r}")


def tally(proposal: Proposal, ballots: Iterable[Ballot]) -> Tally:
    """Count each eligible voter's latest valid ballot with their snapshotted weight."""
    weights = dict(proposal.electorate)
    latest: dict[str, str] = {}
    ignored: list[Ballot] = []
    for ballot in ballots:
        if ballot.voter in weights and ballot.option in proposal.options:
            latest[ballot.voter] = ballot.option
        else:
            ignored.append(ballot)
    counts = dict.fromkeys(proposal.options, 0)
    for voter, option in latest.items():
        counts[option] += weights[voter]
    cast = sum(counts.values())
    best = max(counts.values())
    leaders = [option for option, votes in counts.items() if votes == best]
    winner = leaders[0] if cast and len(leaders) == 1 else None
    return Tally(
        proposal.proposal_id,
        tuple(counts.items()),
        len(latest),
        cast,
        proposal.eligible_votes,
        winner,
        tuple(ignored),
    )
