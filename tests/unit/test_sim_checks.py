"""Compliance checks: the specific warning signs in each preset, and strict mode."""

from __future__ import annotations

import dataclasses

import pytest

from zengzhi.domain.economy import EconomyConfig
from zengzhi.presets import load_preset, preset_names
from zengzhi.sim.checks import (
    Acknowledgement,
    RulesRefused,
    Severity,
    check_config,
    findings_json,
    review_rules,
)


def _codes(config: EconomyConfig, severity: Severity) -> set[str]:
    return {f.code for f in check_config(config) if f.severity is severity}


def _with_sections(config: EconomyConfig, **sections: object) -> EconomyConfig:
    return dataclasses.replace(config, sections={**config.sections, **sections})


def test_seed_003_seven_star_team_model_is_flagged_for_its_depth() -> None:
    findings = check_config(load_preset("locked-grants"))
    depth = [f for f in findings if f.code == "referral_depth"]
    assert len(depth) == 1
    assert depth[0].severity is Severity.HIGH
    assert depth[0].where == "team.max_depth"
    assert "whole upline" in depth[0].explanation
    assert "7 star levels" in depth[0].explanation


def test_seed_003_grants_worth_four_times_the_purchase_are_flagged() -> None:
    grant = [f for f in check_config(load_preset("locked-grants")) if f.where == "grant.levels"]
    assert [f.code for f in grant] == ["returns_exceed_spend"]
    assert "4 ×" in grant[0].explanation


def test_seed_004_paid_regional_agencies_are_flagged_with_their_prices() -> None:
    paid = [f for f in check_config(load_preset("local-life")) if f.code == "paid_positions"]
    assert len(paid) == 1
    assert paid[0].severity is Severity.HIGH
    assert "district 50,000 yuan" in paid[0].explanation
    assert "province 300,000 yuan" in paid[0].explanation


def test_local_life_exit_at_1_2_with_20_percent_fee_stays_below_spend() -> None:
    config = load_preset("local-life")
    assert "returns_exceed_spend" in _codes(config, Severity.INFO)
    assert "returns_exceed_spend" not in _codes(config, Severity.HIGH)


def test_a_3x_exit_with_20_percent_fee_can_return_more_than_was_spent() -> None:
    finding = next(
        f
        for f in check_config(load_preset("appreciating-pool"))
        if f.code == "returns_exceed_spend"
    )
    assert finding.severity is Severity.HIGH
    assert "3 × (1 − 0.2) = 2.4" in finding.explanation


def test_no_forced_exit_means_uncapped_returns() -> None:
    config = load_preset("appreciating-pool")
    config = dataclasses.replace(config, pool=dataclasses.replace(config.pool, exit_multiple=None))
    assert "returns_exceed_spend" in _codes(config, Severity.HIGH)


def test_cyclic_purchase_turnover_dividends_and_double_quota_are_flagged() -> None:
    high = _codes(load_preset("cyclic-purchase"), Severity.HIGH)
    assert high == {"turnover_dividends", "returns_exceed_spend"}


def test_brand_dividends_from_profit_are_a_medium_finding() -> None:
    config = load_preset("brand-membership")
    assert "profit_dividends" in _codes(config, Severity.MEDIUM)
    assert _codes(config, Severity.HIGH) == set()


def test_points_sold_for_cash_are_flagged() -> None:
    config = _with_sections(load_preset("brand-membership"), coins={"buy_with_cash": True})
    finding = next(f for f in check_config(config) if f.code == "points_for_cash")
    assert finding.where == "coins.buy_with_cash"


def test_rules_without_a_risk_disclosure_are_flagged() -> None:
    config = _with_sections(load_preset("shared-purchase"), disclosure={})
    assert "no_risk_disclosure" in _codes(config, Severity.MEDIUM)
    disclosed = _with_sections(config, disclosure={"risk_text": "返还取决于他人未来消费，无保证。"})
    assert "no_risk_disclosure" not in _codes(disclosed, Severity.MEDIUM)


def test_every_preset_carries_a_risk_disclosure() -> None:
    for name in preset_names():
        assert "no_risk_disclosure" not in _codes(load_preset(name), Severity.MEDIUM), name


def test_deep_referral_generations_are_flagged() -> None:
    config = _with_sections(
        load_preset("appreciating-pool"), referral={"acceleration": ["0.5", "0.3", "0.2", "0.1"]}
    )
    finding = next(f for f in check_config(config) if f.code == "referral_depth")
    assert "4 generations" in finding.explanation


def test_strict_mode_refuses_unacknowledged_high_findings() -> None:
    decision = review_rules(load_preset("local-life"))
    assert not decision.accepted
    assert [f.code for f in decision.blocking] == ["paid_positions"]


def test_an_acknowledgement_lets_the_rules_through_and_is_returned_for_the_audit() -> None:
    ack = Acknowledgement("paid_positions", "operator-7", "agents are employees; fee waived")
    decision = review_rules(load_preset("local-life"), [ack])
    assert decision.accepted
    assert [(f.code, a.operator) for f, a in decision.acknowledged] == [
        ("paid_positions", "operator-7")
    ]
    assert findings_json(decision)["acknowledged"][0]["reason"].startswith("agents")


def test_an_acknowledgement_without_a_name_or_reason_is_refused() -> None:
    with pytest.raises(RulesRefused, match="operator's name and a reason"):
        review_rules(load_preset("local-life"), [Acknowledgement("paid_positions", "", "x")])


def test_without_strict_mode_findings_are_reported_but_nothing_blocks() -> None:
    decision = review_rules(load_preset("locked-grants"), strict=False)
    assert decision.accepted
    assert decision.blocking == ()
    assert {f.code for f in decision.findings} >= {"referral_depth", "returns_exceed_spend"}


def test_the_output_says_it_is_not_legal_advice() -> None:
    assert (
        "not legal advice"
        in findings_json(review_rules(load_preset("two-tokens")))["not_legal_advice"]
    )
