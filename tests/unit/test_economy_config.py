"""Economy configurations and the presets every economy starts from."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from zengzhi.domain import InvalidRule
from zengzhi.domain.economy import EconomyConfig, config_from_mapping
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, imbalance, transfer
from zengzhi.presets import load_config_file, load_preset, preset_names


def _minimal(**pool: Any) -> dict[str, Any]:
    return {
        "economy": {"name": "test", "system": "appreciating_pool"},
        "pool": {"pool_share": "0.3", **pool},
    }


def test_every_system_of_the_documents_has_a_preset_that_loads() -> None:
    systems = {load_preset(name).system for name in preset_names()}
    assert systems == {
        "appreciating_pool",
        "two_tokens",
        "cyclic_purchase",
        "locked_grants",
        "shared_purchase",
        "local_life",
        "brand_membership",
    }


def test_appreciating_pool_preset_puts_30_percent_of_an_order_in_the_pool() -> None:
    config = load_preset("appreciating-pool")
    assert config.pool_contribution(100_000) == 30_000
    assert config.pool.exit_multiple == 3
    assert config.timezone == "Asia/Shanghai"


def test_local_life_preset_puts_16_percent_in_the_pool_and_exits_at_1_2x() -> None:
    config = load_preset("local-life")
    assert config.pool_contribution(100_000) == 16_000
    assert config.pool.exit_multiple == Fraction(6, 5)
    assert "agents" in config.sections


def test_pool_contribution_rounds_up_in_favour_of_the_pool() -> None:
    config = config_from_mapping(_minimal())
    assert config.pool_contribution(3333) == 1000  # 999.9 fen


def test_a_system_without_a_pool_feeds_nothing() -> None:
    config = config_from_mapping({"economy": {"name": "c", "system": "cyclic_purchase"}})
    assert config.pool_contribution(100_000) == 0
    assert config.pool.exit_multiple is None


def test_defaults_fill_what_a_configuration_leaves_out() -> None:
    config = config_from_mapping(_minimal(exit_multiple="none", issuance_cap_micro=5))
    assert config.pool.exit_multiple is None
    assert config.pool.issuance_cap_micro == 5
    assert config.monthly_burn == 0
    assert config.return_window_days == 7


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, r"needs a \[economy\] table"),
        (
            {"economy": {"name": "x", "system": "pyramid"}, "pool": {"pool_share": "0.1"}},
            "unknown system",
        ),
        ({"economy": {"system": "appreciating_pool"}, "pool": {"pool_share": "0.1"}}, "required"),
        ({"economy": {"name": "x", "system": "appreciating_pool", "colour": 1}}, "unknown key"),
        (_minimal(surprise="1"), "unknown key"),
        (_minimal(issuance_cap_micro=-1), "issuance_cap_micro"),
        (_minimal(issuance_cap_micro="lots"), "issuance_cap_micro"),
        (_minimal(monthly_burn="2"), "monthly_burn"),
        (_minimal(pool_share="1.5"), "pool_share"),
        ({"economy": {"name": "x", "system": "appreciating_pool"}, "pool": {}}, "pool_share"),
        (
            {
                "economy": {"name": "x", "system": "appreciating_pool", "return_window_days": "7"},
                "pool": {"pool_share": "0.3"},
            },
            "return_window_days",
        ),
    ],
)
def test_bad_configurations_are_refused_with_a_reason(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRule, match=message):
        config_from_mapping(data)


def test_negative_return_window_is_refused() -> None:
    with pytest.raises(InvalidRule, match="return_window_days"):
        EconomyConfig(
            name="x",
            system="appreciating_pool",
            pool=config_from_mapping(_minimal()).pool,
            pool_share=Fraction(0),
            return_window_days=-1,
        )


def test_config_files_with_bad_toml_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[economy\n", encoding="utf-8")
    with pytest.raises(InvalidRule, match=r"broken\.toml is not valid TOML"):
        load_config_file(path)


def test_unknown_preset_lists_the_available_ones() -> None:
    with pytest.raises(InvalidRule, match="appreciating-pool"):
        load_preset("does-not-exist")


def test_transfer_is_balanced_by_construction() -> None:
    legs = transfer(Asset.CASH, 5, (AccountKind.POOL, None), (AccountKind.MEMBER_CASH, "a"))
    assert imbalance(Entry(EntryKind.SALE, "a", legs)) == {}
    assert legs[0].amount == -5
