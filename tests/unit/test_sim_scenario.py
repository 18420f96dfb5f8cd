"""Scenario files: typed values out, and a clear message naming the key for bad input."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from zengzhi.sim.examples import make_scenario, scenario_data
from zengzhi.sim.growth import expected_arrivals
from zengzhi.sim.plan import draw_plan
from zengzhi.sim.scenario import ScenarioError, load_scenario, parse_scenario, with_values


def test_a_valid_scenario_becomes_frozen_typed_values() -> None:
    s = make_scenario(
        behaviour=[
            {"kind": "hold", "share": 0.5},
            {"kind": "take_profit", "share": 0.5, "multiple": "1.5"},
        ]
    )
    assert s.horizon_days == 60
    assert s.seeds == (0, 1)
    assert s.orders.amount_fen == 100_000
    assert s.behaviours[1].multiple == Fraction(3, 2)
    assert s.economy.pool.exit_multiple == Fraction(3)
    with pytest.raises(AttributeError):
        s.horizon_days = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("tables", "named"),
    [
        ({"growth": {"curve": "expo", "start": 1}}, "[growth] curve"),
        ({"growth": {"curve": "constant", "rate": 1, "speed": 2}}, "speed"),
        ({"growth": {"curve": "constant"}}, "[growth] needs rate"),
        ({"growth": {"curve": "constant", "rate": -3}}, "[growth] rate"),
        ({"orders": {"size": "fixed", "amount_yuan": "10.001"}}, "[orders] amount_yuan"),
        ({"orders": {"size": "lognormal", "median_yuan": "100"}}, "[orders] needs sigma"),
        ({"scenario": {"horizon_days": "365"}}, "[scenario] horizon_days"),
        ({"scenario": {"preset": "nope"}}, "preset 'nope'"),
        ({"behaviour": [{"kind": "hold", "share": 0.4}]}, "add up to 1"),
        ({"behaviour": [{"kind": "moon", "share": 1.0}]}, "[behaviour[0]] kind"),
        ({"behaviour": [{"kind": "take_profit", "share": 1.0}]}, "needs multiple"),
        ({"bank_run": {"day": 400}}, "[bank_run] day"),
        ({"repeat": {"after_exit": "maybe"}}, "[repeat] after_exit"),
        ({"config": {"pool": {"exit_multiple": "abc"}}}, "exit_multiple"),
        ({"config": {"pool": {"colour": "red"}}}, "colour"),
        ({"sweep": {"growth.rate": 5}}, "[sweep] 'growth.rate'"),
        ({"surprise": {}}, "surprise"),
        ({"points": {"value_yuan": "1"}}, "[points] applies to locked_grants"),
        ({"brand": {"profit_margin": "0.1"}}, "[brand] applies to brand_membership"),
        ({"local_life": {"stores": 3}}, "[local_life] applies to local_life"),
        (
            {"behaviour": [{"kind": "convert", "share": 1.0, "multiple": "0"}]},
            "needs stable points",
        ),
        ({"behaviour": [{"kind": "take_profit", "share": 1.0, "multiple": "0"}]}, "above zero"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_the_key(tables: dict, named: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        make_scenario(**tables)
    assert named in caught.value.message


def test_a_scenario_needs_exactly_one_economy() -> None:
    data = scenario_data()
    data["scenario"]["economy"] = "x.toml"
    with pytest.raises(ScenarioError, match="exactly one of preset"):
        parse_scenario(data, Path("."))


def test_an_economy_file_is_found_next_to_the_scenario(tmp_path: Path) -> None:
    preset = Path(__file__).resolve().parents[2] / "presets" / "local-life.toml"
    (tmp_path / "mine.toml").write_text(preset.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "s.toml").write_text(
        '[scenario]\neconomy = "mine.toml"\n[growth]\ncurve = "constant"\nrate = 2\n',
        encoding="utf-8",
    )
    assert load_scenario(tmp_path / "s.toml").economy.pool.exit_multiple == Fraction(6, 5)


def test_a_file_that_is_not_toml_is_refused_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("[scenario\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken\.toml is not valid TOML"):
        load_scenario(bad)


def test_a_sweep_point_replaces_a_dotted_key_and_validates_again() -> None:
    s = make_scenario(sweep={"config.pool.exit_multiple": ["1.2", "2"]})
    point = with_values(s, {"config.pool.exit_multiple": "1.2"})
    assert point.economy.pool.exit_multiple == Fraction(6, 5)
    assert point.sweep is None
    with pytest.raises(ScenarioError, match="sell_fee"):
        with_values(s, {"config.pool.sell_fee": "1.5"})


def test_growth_curves_have_the_documented_shapes() -> None:
    linear = make_scenario(growth={"curve": "linear", "start": 10, "slope": -1}).growth
    assert expected_arrivals(linear, 15).tolist()[:3] == [10, 9, 8]
    assert expected_arrivals(linear, 15)[12] == 0  # never negative
    exponential = make_scenario(growth={"curve": "exponential", "start": 2, "daily_growth": 0.1})
    assert expected_arrivals(exponential.growth, 3) == pytest.approx([2, 2.2, 2.42])
    logistic = make_scenario(
        growth={"curve": "logistic", "capacity": 1000, "rate": 0.1, "midpoint_day": 50}
    )
    arrivals = expected_arrivals(logistic.growth, 200)
    assert arrivals.sum() == pytest.approx(1000, rel=0.01)
    assert arrivals.argmax() in (49, 50)


def test_a_piecewise_curve_stalls_when_told() -> None:
    growth = make_scenario(
        growth={
            "curve": "piecewise",
            "segments": [
                {"from_day": 0, "curve": "constant", "rate": 7},
                {"from_day": 20, "curve": "constant", "rate": 0},
            ],
        }
    ).growth
    arrivals = expected_arrivals(growth, 40)
    assert arrivals[:20].tolist() == [7] * 20
    assert arrivals[20:].sum() == 0


def test_a_plan_is_the_same_for_the_same_seed_and_numbers_members_by_first_order() -> None:
    s = make_scenario(referral={"share_referred": 0.5})
    a, b, c = draw_plan(s, 4), draw_plan(s, 4), draw_plan(s, 5)
    assert np.array_equal(a.order_member, b.order_member)
    assert (a.n_orders, a.order_member.tolist()) != (c.n_orders, c.order_member.tolist())
    first = [int(m) for m in dict.fromkeys(a.order_member.tolist())]
    assert first == list(range(a.n_members))
    assert (a.member_referrer < np.arange(a.n_members)).all()


def test_expected_draw_places_exactly_the_curve_total() -> None:
    s = make_scenario(growth={"curve": "constant", "rate": 2.5, "draw": "expected"})
    assert draw_plan(s, 0).n_members == 150


def test_every_example_scenario_in_the_repository_is_valid() -> None:
    folder = Path(__file__).resolve().parents[2] / "scenarios"
    files = sorted(folder.glob("*.toml"))
    assert len(files) >= 9
    for path in files:
        assert load_scenario(path).horizon_days > 0, path.name


def test_the_kernel_refuses_a_run_outside_its_exact_range_instead_of_rounding() -> None:
    from zengzhi.sim.kernel import run_kernel

    huge = make_scenario(
        scenario={"horizon_days": 3},
        orders={"size": "fixed", "amount_yuan": "9000000000"},  # 9e11 fen, below 2^40
        growth={"curve": "constant", "rate": 5000, "draw": "expected"},  # pool above 2^49
    )
    with pytest.raises(ScenarioError, match="use engine = 'exact'"):
        run_kernel(huge, draw_plan(huge, 0))


def test_system_tables_read_their_stated_values_exactly() -> None:
    grants = make_scenario(
        scenario={"preset": "locked-grants"}, points={"value_yuan": "0.8", "spend_share": "0.3"}
    )
    assert (grants.points.value_fen, grants.points.spend_share) == (80, Fraction(3, 10))
    assert make_scenario(scenario={"preset": "shared-purchase"}).points.value_fen == 100
    brand = make_scenario(
        scenario={"preset": "brand-membership"},
        brand={"profit_margin": "0.125", "convert_share": 0.25},
    )
    assert (brand.brand.profit_margin, brand.brand.convert_share) == (Fraction(1, 8), 0.25)
    shop = make_scenario(
        scenario={"preset": "local-life"}, local_life={"stores": 6, "districts": 3, "agents": False}
    )
    assert (shop.stores.stores, shop.stores.districts, shop.stores.agents) == (6, 3, False)


@pytest.mark.parametrize(
    ("preset", "tables", "named"),
    [
        ("locked-grants", {"points": {"spend_share": "1.5"}}, "spend_share"),
        ("locked-grants", {"points": {"value_yuan": "0"}}, "value_yuan"),
        ("brand-membership", {"brand": {"profit_margin": "2"}}, "profit_margin"),
        ("brand-membership", {"brand": {"convert_share": 3}}, "convert_share"),
        ("local-life", {"local_life": {"provinces": 3, "cities": 2}}, "provinces ≤ cities"),
        ("local-life", {"local_life": {"agents": "yes"}}, "agents must be true or false"),
        ("two-tokens", {"config": {"pool": {"sell_fee": "0.3"}}}, "buyback_fee must equal"),
        ("locked-grants", {"config": {"grant": {"release_rate": "2"}}}, "release_rate"),
    ],
)
def test_bad_system_tables_are_refused_naming_the_key(
    preset: str, tables: dict, named: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        make_scenario(scenario={"preset": preset}, **tables)
    assert named in caught.value.message
