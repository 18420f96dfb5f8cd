"""Any sequence of brand commands (§7) over Holdings: accepted ones move exactly what their
balanced entries say, refused ones change nothing, and replaying the stored payloads on
fresh state rebuilds the same entries, holdings and wallets (what `verify` relies on)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zengzhi.domain.brand_commands import (
    BrandPurchase,
    BuyBackTokens,
    ConvertCoins,
    PayTokenDividend,
    RedeemCoupon,
    TransferTokens,
)
from zengzhi.domain.commands import MechanismCommand, command_from_payload, to_payload
from zengzhi.domain.entries import AccountKind, Entry, imbalance
from zengzhi.domain.errors import DomainError
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import PoolEngine
from zengzhi.presets import load_preset

CONFIG = load_preset("brand-membership")
MEMBERS = ("amy", "ben", "cai")
member = st.sampled_from(MEMBERS)

commands = st.one_of(
    st.builds(
        BrandPurchase,
        member,
        st.integers(1, 3_000_000),
        st.sampled_from((None, "rex")),
        st.booleans(),
    ),
    st.builds(ConvertCoins, member, st.integers(0, 40_000)),
    st.builds(RedeemCoupon, member, st.sampled_from(("coffee", "tea"))),
    st.builds(PayTokenDividend, st.just("2026-10"), st.integers(0, 10_000_000)),
    st.builds(
        BuyBackTokens,
        member,
        st.integers(1, 20_000_000),
        st.one_of(st.none(), st.integers(0, 200_000)),
    ),
    st.builds(TransferTokens, member, member, st.integers(0, 20_000_000)),
)


def _state() -> tuple[PoolEngine, Holdings]:
    return PoolEngine(CONFIG.pool), Holdings()


def _run(
    sequence: list[MechanismCommand], engine: PoolEngine, holdings: Holdings
) -> list[tuple[Entry, ...] | None]:
    decided: list[tuple[Entry, ...] | None] = []
    for command in sequence:
        before = (list(holdings.items()), list(engine.members()))
        try:
            outcome = command.apply(engine, holdings, CONFIG)
        except DomainError:
            assert (list(holdings.items()), list(engine.members())) == before
            decided.append(None)
            continue
        assert all(imbalance(e) == {} for e in outcome.entries)
        decided.append(outcome.entries)
    return decided


@settings(max_examples=150, deadline=None)
@given(st.lists(commands, max_size=25))
def test_brand_commands_keep_the_books_and_replay_the_same(
    sequence: list[MechanismCommand],
) -> None:
    engine, holdings = _state()
    decided = _run(sequence, engine, holdings)

    # what the accepted entries say equals what the holdings and the wallets hold
    tracked: dict[tuple[str, str, str], int] = {}
    cash: dict[str, int] = {}
    for entries in decided:
        for entry in entries or ():
            for p in entry.postings:
                if p.account is AccountKind.MEMBER_CASH:
                    cash[p.holder or ""] = cash.get(p.holder or "", 0) + p.amount
                elif p.account.value in {"member_coins", "member_tokens", "token_dividend_pool"}:
                    key = (p.account.value, p.holder or "", p.asset.value)
                    tracked[key] = tracked.get(key, 0) + p.amount
    assert dict(holdings.items()) == {k: v for k, v in tracked.items() if v}
    assert all(v >= 0 for v in tracked.values())
    assert {m.member: m.cash_fen for m in engine.members() if m.cash_fen} == {
        k: v for k, v in cash.items() if v
    }

    # the stored payloads replayed on fresh state decide the same entries and balances
    replay_engine, replay_holdings = _state()
    stored = [command_from_payload(to_payload(c)) for c in sequence]
    assert _run(stored, replay_engine, replay_holdings) == decided
    assert list(replay_holdings.items()) == list(holdings.items())
    assert list(replay_engine.members()) == list(engine.members())
