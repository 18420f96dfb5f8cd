"""§7 governance: opening a proposal, refusing ballots, ties and changes of mind."""

from __future__ import annotations

import pytest

from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.governance import Ballot, check_ballot, open_proposal, tally
from zengzhi.domain.token_errors import NotEligibleToVote, UnknownOption

TOKEN = 1_000_000
BALANCES = {"ann": 12 * TOKEN, "bo": 12 * TOKEN, "cy": 3 * TOKEN}
PROPOSAL = open_proposal("p1", "Limited flavour", ("mango", "yuzu"), BALANCES, 10 * TOKEN)


@pytest.mark.parametrize("options", [("mango",), ("mango", "mango"), ("mango", "")])
def test_a_proposal_needs_two_distinct_options(options: tuple[str, ...]) -> None:
    with pytest.raises(InvalidRule):
        open_proposal("p", "t", options, BALANCES, 10 * TOKEN)


def test_negative_balances_are_refused() -> None:
    with pytest.raises(InvalidAmount):
        open_proposal("p", "t", ("a", "b"), {"x": -1}, 0)


def test_ballots_from_outside_the_snapshot_or_for_unknown_options_are_refused() -> None:
    check_ballot(PROPOSAL, Ballot("ann", "mango"))
    with pytest.raises(NotEligibleToVote):
        check_ballot(PROPOSAL, Ballot("cy", "mango"))
    with pytest.raises(UnknownOption):
        check_ballot(PROPOSAL, Ballot("ann", "durian"))
    assert PROPOSAL.votes_of("cy") == 0


def test_a_voter_may_change_their_mind_and_only_the_latest_ballot_counts() -> None:
    result = tally(PROPOSAL, [Ballot("ann", "mango"), Ballot("bo", "yuzu"), Ballot("ann", "yuzu")])
    assert dict(result.counts) == {"mango": 0, "yuzu": 24}
    assert (result.voters, result.votes_cast, result.eligible_votes) == (2, 24, 24)
    assert result.winner == "yuzu"


def test_a_tie_or_an_empty_tally_has_no_winner() -> None:
    tie = tally(PROPOSAL, [Ballot("ann", "mango"), Ballot("bo", "yuzu")])
    assert tie.winner is None
    assert tally(PROPOSAL, []).winner is None
