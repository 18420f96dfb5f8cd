"""The §6 split as a stored command: what it books, what it refuses, what it reports."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from zengzhi.domain.commands import command_from_payload, to_payload
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, imbalance
from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.local_life_commands import SplitStoreCommission
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.token_errors import InvalidReferral
from zengzhi.presets import load_preset

YUAN = 100


@pytest.fixture
def config() -> EconomyConfig:
    return load_preset("local-life")


def _command(**changes: object) -> SplitStoreCommission:
    fields: dict[str, object] = {
        "member": "bob",
        "amount_fen": 1_000 * YUAN,
        "store_id": "noodles",
        "merchant": "noodle-co",
        "commission": Fraction(1, 5),
        "promoter": "pat",
        "referrers": ("alice", "olga"),
        "district_agent": "dan",
        "city_agent": "cat",
        "province_agent": "pia",
    }
    fields.update(changes)
    return SplitStoreCommission(**fields)  # type: ignore[arg-type]


def test_the_payload_reads_back_to_the_same_command() -> None:
    command = _command(district_agent=None)
    payload = to_payload(command)
    assert payload["commission"] == "1/5"
    assert command_from_payload(payload) == command


def test_a_stored_commission_that_is_not_a_number_is_refused() -> None:
    payload = {**to_payload(_command()), "commission": "a fifth"}
    with pytest.raises(InvalidRule):
        command_from_payload(payload)


def test_applying_pays_each_reward_into_cash_and_books_the_whole_commission(
    config: EconomyConfig,
) -> None:
    engine, holdings = PoolEngine(config.pool), Holdings()
    outcome = _command().apply(engine, holdings, config)

    [entry] = outcome.entries
    assert imbalance(entry) == {}
    cash = {m: engine.member(m).cash_fen for m in ("alice", "olga", "pat", "dan", "cat", "pia")}
    assert cash == {"alice": 300, "olga": 200, "pat": 500, "dan": 100, "cat": 100, "pia": 100}
    assert holdings.balance(AccountKind.PLATFORM_PROFIT, None, "cash") == 20 * YUAN
    assert holdings.balance(AccountKind.PLATFORM_UNPAID, None, "cash") == 7 * YUAN
    summary = _command().summary(outcome)
    assert (summary["commission_fen"], summary["pool_fen"]) == (200 * YUAN, 160 * YUAN)
    assert [r["role"] for r in summary["rewards"]] == [
        "direct_referrer", "indirect_referrer", "store_promoter",
        "district_agent", "city_agent", "province_agent",
    ]  # fmt: skip


def test_one_person_in_several_roles_is_paid_for_each(config: EconomyConfig) -> None:
    engine = PoolEngine(config.pool)
    command = _command(referrers=("pat",), district_agent="pat", city_agent=None)
    outcome = command.apply(engine, Holdings(), config)

    summary = command.summary(outcome)
    assert [(r["role"], r["fen"]) for r in summary["rewards"]] == [
        ("direct_referrer", 300), ("store_promoter", 500), ("district_agent", 100),
        ("province_agent", 200),  # the missing city level rolls up to the province
    ]  # fmt: skip
    assert engine.member("pat").cash_fen == 900


def test_a_refused_split_changes_nothing(config: EconomyConfig) -> None:
    engine, holdings = PoolEngine(config.pool), Holdings()
    for command, error in (
        (_command(referrers=("a", "b", "c")), InvalidRule),  # only two generations
        (_command(commission=Fraction(1, 10)), InvalidRule),  # below the 13% minimum
        (_command(referrers=("bob",)), InvalidReferral),  # the buyer as own referrer
    ):
        with pytest.raises(error):
            command.apply(engine, holdings, config)
    assert engine.member_count == 0
    assert list(holdings.items()) == []


def test_a_store_taking_no_commission_books_nothing_when_no_reward_is_due() -> None:
    config = load_preset("local-life")
    split = {**config.sections["split"], "direct_referrer": "0", "indirect_referrer": "0",
             "store_promoter": "0"}  # fmt: skip
    free = replace(config, sections={"split": split})
    command = _command(commission=Fraction(0), referrers=(), promoter=None)
    outcome = command.apply(PoolEngine(free.pool), Holdings(), free)
    assert command.summary(outcome)["commission_fen"] == 0
