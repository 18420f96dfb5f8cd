"""Scenarios: who arrives, what they buy and how they sell, parsed into frozen typed values.

A scenario file is TOML. It names the economy (`[scenario] preset = ...` or
`economy = "path.toml"`, optionally patched by a `[config]` table merged over it), a
horizon and seeds, and the population: `[growth]`, `[orders]`, `[repeat]`, `[referral]`,
`[[behaviour]]`, `[bank_run]`; `[points]`, `[brand]` and `[local_life]` state what the rules
leave open for a system (what a released point is worth to a member, the stores' profit
margin, who holds agent positions); `[sweep]` turns it into a grid. Every problem is reported
as a `ScenarioError` naming the key, never as a traceback. Population parameters are
floats (they shape random draws); anything that touches money is exact (fen, Fractions).
See scenarios/README.md for the full format.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from zengzhi.domain.brand_rules import brand_rules_from
from zengzhi.domain.daily_dividends import DividendRules
from zengzhi.domain.economy import EconomyConfig, config_from_mapping
from zengzhi.domain.errors import DomainError
from zengzhi.domain.health import SharedPurchaseRules
from zengzhi.domain.local_life import local_life_rules_from
from zengzhi.domain.locked_grants import LockedGrantRules
from zengzhi.domain.quota import QuotaRules
from zengzhi.domain.stable_points import stable_rules_from
from zengzhi.domain.team import TeamRules
from zengzhi.presets import preset_names, presets_dir


class ScenarioError(DomainError):
    """A scenario that cannot be run as written; the message names the key."""

    code = "invalid_scenario"


# Growth curves ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Constant:
    """`rate` arrivals a day."""

    rate: float


@dataclass(frozen=True, slots=True)
class Linear:
    """`start + slope × t` arrivals a day (never below zero); a negative slope declines."""

    start: float
    slope: float


@dataclass(frozen=True, slots=True)
class Exponential:
    """`start × (1 + daily_growth)^t` arrivals a day."""

    start: float
    daily_growth: float


@dataclass(frozen=True, slots=True)
class Logistic:
    """Members so far follow K / (1 + e^(−rate·(t − midpoint_day))); arrivals are its steps."""

    capacity: float
    rate: float
    midpoint_day: float


Curve = Constant | Linear | Exponential | Logistic


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a piecewise curve: from `from_day` on, `curve` with t counted from there."""

    from_day: int
    curve: Curve


@dataclass(frozen=True, slots=True)
class Growth:
    """Arrivals per day. `draw`: "poisson" around the curve, or "expected" (rounded)."""

    segments: tuple[Segment, ...]
    draw: str = "poisson"


# Orders and behaviour ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderSizes:
    """Order amounts in fen: "fixed", "lognormal" (median, sigma, clipped) or "empirical"."""

    kind: str
    amount_fen: int = 100_000
    sigma: float = 0.0
    min_fen: int = 100
    max_fen: int = 100_000_000
    table_fen: tuple[int, ...] = ()
    weights: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Repeat:
    """A `share` of members buy again every `mean_interval_days` on average (exponential).

    `after_exit`: "continue" (they keep buying after selling out) or "stop" (a member whose
    points were all sold, forced or not, buys nothing more).
    """

    share: float = 0.0
    mean_interval_days: float = 30.0
    after_exit: str = "continue"


@dataclass(frozen=True, slots=True)
class Referral:
    """A `share_referred` of newcomers arrive through an earlier member, chosen uniformly."""

    share_referred: float = 0.0


BEHAVIOURS = ("hold", "take_profit", "panic", "convert")


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How a `share` of members sell, checked at the end of every day.

    - hold: never sell; only forced exits take points away.
    - take_profit: sell everything once points are worth `multiple` × cycle spend.
    - panic: sell everything on a day when the price rose by less than `threshold`
      (e.g. 0.01 = 1%) over the last `window_days` days.
    - convert (two tokens, §2): convert every point to stable points once they are worth
      `multiple` × cycle spend (0: at the end of every day they hold any), and spend them
      in the shop.
    The brand membership (§7) reads them for its tokens (sell back at the floor); the
    daily systems (§3-§5) have nothing to sell: see scenarios/README.md.
    """

    kind: str
    share: float
    multiple: Fraction | None = None
    threshold: Fraction | None = None
    window_days: int = 7


@dataclass(frozen=True, slots=True)
class BankRun:
    """On `day`, a `share` of members (drawn at random) sell all their points."""

    day: int
    share: float


@dataclass(frozen=True, slots=True)
class PointsUse:
    """What a released point (§4, §5) is worth to a member, stated because no rule says.

    `value_fen`: the shop value of one released point (1 yuan by default). `spend_share`:
    the part of each day's release members spend in the shop at once (floored); the rest
    they hold, and the platform still owes it in goods.
    """

    value_fen: int = 100
    spend_share: Fraction = Fraction(1)


DEFAULT_MARGIN = Fraction(1, 10)


@dataclass(frozen=True, slots=True)
class BrandUse:
    """The brand membership's open parameters (§7).

    `profit_margin`: the stores' declared profit as a share of their sales (the dividend
    pool is the rules' profit_share of it). `convert_share`: members who convert all their
    coins to tokens at the end of each day; the others redeem coupons with them.
    """

    profit_margin: Fraction = DEFAULT_MARGIN
    convert_share: float = 0.5


@dataclass(frozen=True, slots=True)
class StoreLayout:
    """Local life's stores and regions (§6), and who holds the paid positions.

    Orders go to a store drawn uniformly; stores are spread evenly over `districts`,
    districts over `cities`, cities over `provinces`. With `agents`, the first members to
    join buy the agent positions (provinces, then cities, then districts; each pays its
    `fee_fen`); with `promoters`, the next members to join signed up one store each.
    """

    stores: int = 20
    districts: int = 4
    cities: int = 2
    provinces: int = 1
    agents: bool = True
    promoters: bool = True


@dataclass(frozen=True, slots=True)
class SweepAxis:
    key: str
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Sweep:
    """A grid over dotted keys of the scenario (e.g. "config.pool.exit_multiple")."""

    axes: tuple[SweepAxis, ...]
    metric: str = "recovered_share"


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything one simulation needs, validated. `raw` keeps the parsed TOML for sweeps."""

    name: str
    economy: EconomyConfig
    economy_source: str
    horizon_days: int
    seeds: tuple[int, ...]
    engine: str
    cohort_days: int
    growth: Growth
    orders: OrderSizes
    repeat: Repeat
    referral: Referral
    behaviours: tuple[Behaviour, ...]
    bank_run: BankRun | None
    sweep: Sweep | None
    raw: Mapping[str, Any]
    base_dir: str
    points: PointsUse = PointsUse()
    brand: BrandUse = BrandUse()
    stores: StoreLayout = StoreLayout()


ENGINES = ("auto", "exact", "kernel")
SWEEP_METRICS = (
    "recovered_share",
    "median_multiple",
    "last_cohort_recovered_share",
    "early_received_from_later_share",
)
_TOP = {
    "scenario",
    "config",
    "growth",
    "orders",
    "repeat",
    "referral",
    "behaviour",
    "bank_run",
    "sweep",
    "points",
    "brand",
    "local_life",
}
# tables that only mean something for some systems: refused elsewhere, not ignored
_SYSTEM_TABLES = {
    "points": ("locked_grants", "shared_purchase"),
    "brand": ("brand_membership",),
    "local_life": ("local_life",),
}


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScenarioError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path.name} is not valid TOML: {error}") from None
    return parse_scenario(data, path.resolve().parent)


def parse_scenario(data: Mapping[str, Any], base_dir: Path) -> Scenario:
    """Validate a parsed scenario; `base_dir` resolves a relative `economy` path."""
    _only(data, _TOP, "the scenario file")
    head = _table(data, "scenario", required=True)
    _only(
        head,
        {
            "name",
            "preset",
            "economy",
            "horizon_days",
            "seeds",
            "first_seed",
            "engine",
            "cohort_days",
        },
        "scenario",
    )
    economy, source = _economy(head, _table(data, "config"), base_dir)
    horizon = _int(head, "horizon_days", "scenario", 365, low=1, high=20_000)
    n_seeds = _int(head, "seeds", "scenario", 1, low=1, high=100_000)
    first = _int(head, "first_seed", "scenario", 0, low=0, high=2**32 - 1)
    engine = _choice(head, "engine", "scenario", ENGINES, "auto")
    behaviours = _behaviours(data)
    for table, systems in _SYSTEM_TABLES.items():
        if table in data and economy.system not in systems:
            raise ScenarioError(
                f"[{table}] applies to {' and '.join(systems)} economies, not {economy.system}"
            )
    check_system_rules(economy)
    if any(b.kind == "convert" for b in behaviours) and "stable" not in economy.sections:
        raise ScenarioError(
            "a 'convert' behaviour needs stable points: only a two-tokens economy ([stable]) has"
            " them"
        )
    return Scenario(
        name=_str(head, "name", "scenario", source),
        economy=economy,
        economy_source=source,
        horizon_days=horizon,
        seeds=tuple(range(first, first + n_seeds)),
        engine=engine,
        cohort_days=_int(head, "cohort_days", "scenario", 30, low=1, high=horizon),
        growth=_growth(_table(data, "growth", required=True)),
        orders=_orders(_table(data, "orders")),
        repeat=_repeat(_table(data, "repeat")),
        referral=_referral(_table(data, "referral")),
        behaviours=behaviours,
        bank_run=_bank_run(data, horizon),
        sweep=_sweep(data),
        raw=copy.deepcopy(dict(data)),
        base_dir=str(base_dir),
        points=_points(_table(data, "points")),
        brand=_brand(_table(data, "brand")),
        stores=_stores(_table(data, "local_life")),
    )


def check_system_rules(economy: EconomyConfig) -> None:
    """Parse the economy's own sections with the domain's readers, before any run.

    A patched configuration that the system's rules refuse (e.g. a buyback fee that is no
    longer the sell fee) is reported here, naming the key, not halfway through a run.
    """
    sections = economy.sections
    try:
        if economy.system == "two_tokens" and "stable" in sections:
            stable_rules_from(economy)
        elif economy.system == "local_life":
            local_life_rules_from(economy)
        elif economy.system == "cyclic_purchase":
            QuotaRules.from_sections(sections)
            DividendRules.from_sections(sections)
        elif economy.system == "locked_grants":
            LockedGrantRules.from_sections(sections)
            if "team" in sections:
                TeamRules.from_sections(sections)
        elif economy.system == "shared_purchase":
            SharedPurchaseRules.from_sections(sections)
        elif economy.system == "brand_membership":
            brand_rules_from(economy)
    except DomainError as error:
        raise ScenarioError(f"the economy's {economy.system} rules: {error.message}") from None


def with_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """The scenario with dotted keys replaced (one sweep point), validated again."""
    data = copy.deepcopy(dict(scenario.raw))
    data.pop("sweep", None)
    for key, value in values.items():
        node: dict[str, Any] = data
        *parents, last = key.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ScenarioError(f"sweep key {key!r}: {part!r} is not a table")
            node = child
        node[last] = value
    return parse_scenario(data, Path(scenario.base_dir))


# -- sections -----------------------------------------------------------------------


def _economy(
    head: Mapping[str, Any], patch: Mapping[str, Any], base_dir: Path
) -> tuple[EconomyConfig, str]:
    preset, path = head.get("preset"), head.get("economy")
    if (preset is None) == (path is None):
        raise ScenarioError("[scenario] needs exactly one of preset = NAME or economy = PATH")
    if preset is not None:
        if not isinstance(preset, str) or preset not in preset_names():
            raise ScenarioError(
                f"[scenario] preset {preset!r} is unknown; available: {', '.join(preset_names())}"
            )
        file, source = presets_dir() / f"{preset}.toml", preset
    else:
        if not isinstance(path, str):
            raise ScenarioError("[scenario] economy must be a path to a TOML configuration")
        file, source = base_dir / path, path
    try:
        base = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScenarioError(f"[scenario] economy {source!r}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"[scenario] economy {source!r} is not valid TOML: {error}") from None
    merged = _merge(base, patch)
    try:
        return config_from_mapping(merged), source
    except DomainError as error:
        raise ScenarioError(f"the economy configuration ({source}): {error.message}") from None


def _merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


_CURVE_KEYS: dict[str, set[str]] = {
    "constant": {"rate"},
    "linear": {"start", "slope"},
    "exponential": {"start", "daily_growth"},
    "logistic": {"capacity", "rate", "midpoint_day"},
}


def _curve(table: Mapping[str, Any], where: str) -> Curve:
    kind = _choice(table, "curve", where, (*_CURVE_KEYS, "piecewise"), None)
    if kind == "piecewise":
        raise ScenarioError(f"[{where}] a piecewise segment cannot itself be piecewise")
    _only(table, _CURVE_KEYS[kind] | {"curve", "from_day", "draw"}, where)
    if kind == "constant":
        return Constant(_float(table, "rate", where, None, low=0))
    if kind == "linear":
        return Linear(_float(table, "start", where, None, low=0), _float(table, "slope", where, 0))
    if kind == "exponential":
        return Exponential(
            _float(table, "start", where, None, low=0),
            _float(table, "daily_growth", where, None, low=-1, high=1),
        )
    return Logistic(
        _float(table, "capacity", where, None, low=0),
        _float(table, "rate", where, None, low=1e-6, high=10),
        _float(table, "midpoint_day", where, None),
    )


def _growth(table: Mapping[str, Any]) -> Growth:
    draw = _choice(table, "draw", "growth", ("poisson", "expected"), "poisson")
    if table.get("curve") != "piecewise":
        return Growth((Segment(0, _curve(table, "growth")),), draw)
    _only(table, {"curve", "draw", "segments"}, "growth")
    raw = table.get("segments")
    if not isinstance(raw, list) or not raw:
        raise ScenarioError("[growth] a piecewise curve needs [[growth.segments]] tables")
    segments: list[Segment] = []
    for i, seg in enumerate(raw):
        where = f"growth.segments[{i}]"
        if not isinstance(seg, Mapping):
            raise ScenarioError(f"[{where}] must be a table")
        start = _int(seg, "from_day", where, None, low=0)
        if i == 0 and start != 0:
            raise ScenarioError("[growth.segments[0]] from_day must be 0")
        if segments and start <= segments[-1].from_day:
            raise ScenarioError(f"[{where}] from_day must be after the previous segment's")
        segments.append(Segment(start, _curve(seg, where)))
    return Growth(tuple(segments), draw)


def _orders(table: Mapping[str, Any]) -> OrderSizes:
    kind = _choice(table, "size", "orders", ("fixed", "lognormal", "empirical"), "fixed")
    if kind == "fixed":
        _only(table, {"size", "amount_yuan"}, "orders")
        return OrderSizes("fixed", amount_fen=_yuan(table, "amount_yuan", "orders", "1000"))
    if kind == "lognormal":
        _only(table, {"size", "median_yuan", "sigma", "min_yuan", "max_yuan"}, "orders")
        low = _yuan(table, "min_yuan", "orders", "1")
        high = _yuan(table, "max_yuan", "orders", "1000000")
        if low > high:
            raise ScenarioError("[orders] min_yuan must not exceed max_yuan")
        return OrderSizes(
            "lognormal",
            amount_fen=_yuan(table, "median_yuan", "orders", None),
            sigma=_float(table, "sigma", "orders", None, low=0, high=5),
            min_fen=low,
            max_fen=high,
        )
    _only(table, {"size", "table"}, "orders")
    rows = table.get("table")
    if not isinstance(rows, list) or not rows:
        raise ScenarioError(
            '[orders] an empirical size needs table = [{amount_yuan = "100", weight = 3}, ...]'
        )
    amounts, weights = [], []
    for i, row in enumerate(rows):
        where = f"orders.table[{i}]"
        if not isinstance(row, Mapping):
            raise ScenarioError(f"[{where}] must be a table")
        _only(row, {"amount_yuan", "weight"}, where)
        amounts.append(_yuan(row, "amount_yuan", where, None))
        weights.append(_float(row, "weight", where, None, low=0))
    if sum(weights) <= 0:
        raise ScenarioError("[orders] the table's weights must not all be zero")
    return OrderSizes("empirical", table_fen=tuple(amounts), weights=tuple(weights))


def _repeat(table: Mapping[str, Any]) -> Repeat:
    _only(table, {"share", "mean_interval_days", "after_exit"}, "repeat")
    return Repeat(
        share=_float(table, "share", "repeat", 0.0, low=0, high=1),
        mean_interval_days=_float(table, "mean_interval_days", "repeat", 30.0, low=1),
        after_exit=_choice(table, "after_exit", "repeat", ("continue", "stop"), "continue"),
    )


def _referral(table: Mapping[str, Any]) -> Referral:
    _only(table, {"share_referred"}, "referral")
    return Referral(_float(table, "share_referred", "referral", 0.0, low=0, high=1))


def _behaviours(data: Mapping[str, Any]) -> tuple[Behaviour, ...]:
    raw = data.get("behaviour", [{"kind": "hold", "share": 1.0}])
    if not isinstance(raw, list) or not raw:
        raise ScenarioError("[[behaviour]] must be a list of tables, e.g. kind = 'hold'")
    out = []
    for i, table in enumerate(raw):
        where = f"behaviour[{i}]"
        if not isinstance(table, Mapping):
            raise ScenarioError(f"[{where}] must be a table")
        kind = _choice(table, "kind", where, BEHAVIOURS, None)
        keys = {
            "hold": set(),
            "take_profit": {"multiple"},
            "convert": {"multiple"},
            "panic": {"threshold", "window_days"},
        }
        _only(table, keys[kind] | {"kind", "share"}, where)
        share = _float(table, "share", where, None, low=0, high=1)
        if kind in ("take_profit", "convert"):
            multiple = _ratio(table, "multiple", where)
            if multiple < 0 or (multiple == 0 and kind == "take_profit"):
                raise ScenarioError(
                    f"[{where}] multiple must be above zero (convert: 0 means at once)"
                )
            out.append(Behaviour(kind, share, multiple=multiple))
        elif kind == "panic":
            threshold = _ratio(table, "threshold", where)
            if threshold <= -1:
                raise ScenarioError(f"[{where}] threshold must be above -1")
            window = _int(table, "window_days", where, 7, low=1, high=3650)
            out.append(Behaviour(kind, share, threshold=threshold, window_days=window))
        else:
            out.append(Behaviour(kind, share))
    total = math.fsum(b.share for b in out)
    if abs(total - 1) > 1e-9:
        raise ScenarioError(f"the [[behaviour]] shares must add up to 1, not {total:g}")
    return tuple(out)


def _bank_run(data: Mapping[str, Any], horizon: int) -> BankRun | None:
    table = _table(data, "bank_run")
    if not table:
        return None
    _only(table, {"day", "share"}, "bank_run")
    return BankRun(
        day=_int(table, "day", "bank_run", None, low=0, high=horizon - 1),
        share=_float(table, "share", "bank_run", 1.0, low=0, high=1),
    )


def _points(table: Mapping[str, Any]) -> PointsUse:
    _only(table, {"value_yuan", "spend_share"}, "points")
    spend = _ratio(table, "spend_share", "points") if "spend_share" in table else Fraction(1)
    if not 0 <= spend <= 1:
        raise ScenarioError("[points] spend_share must be between 0 and 1")
    return PointsUse(value_fen=_yuan(table, "value_yuan", "points", "1"), spend_share=spend)


def _brand(table: Mapping[str, Any]) -> BrandUse:
    _only(table, {"profit_margin", "convert_share"}, "brand")
    margin = _ratio(table, "profit_margin", "brand") if "profit_margin" in table else DEFAULT_MARGIN
    if not 0 <= margin <= 1:
        raise ScenarioError("[brand] profit_margin must be between 0 and 1")
    return BrandUse(
        profit_margin=margin,
        convert_share=_float(table, "convert_share", "brand", 0.5, low=0, high=1),
    )


def _stores(table: Mapping[str, Any]) -> StoreLayout:
    where = "local_life"
    _only(table, {"stores", "districts", "cities", "provinces", "agents", "promoters"}, where)
    layout = StoreLayout(
        stores=_int(table, "stores", where, 20, low=1, high=100_000),
        districts=_int(table, "districts", where, 4, low=1, high=100_000),
        cities=_int(table, "cities", where, 2, low=1, high=100_000),
        provinces=_int(table, "provinces", where, 1, low=1, high=100_000),
        agents=_bool(table, "agents", where, True),
        promoters=_bool(table, "promoters", where, True),
    )
    if not layout.provinces <= layout.cities <= layout.districts <= layout.stores:
        raise ScenarioError(
            "[local_life] needs provinces ≤ cities ≤ districts ≤ stores (each region holds"
            " at least one of the smaller ones)"
        )
    return layout


def _sweep(data: Mapping[str, Any]) -> Sweep | None:
    table = _table(data, "sweep")
    if not table:
        return None
    metric = _choice(table, "metric", "sweep", SWEEP_METRICS, "recovered_share")
    axes = []
    for key, values in table.items():
        if key == "metric":
            continue
        if not isinstance(values, list) or not values:
            raise ScenarioError(f"[sweep] {key!r} must be a non-empty list of values")
        if key.split(".")[0] not in _TOP - {"sweep", "behaviour"}:
            raise ScenarioError(
                f"[sweep] {key!r} must start with a scenario table, e.g. 'config.pool.'"
                " or 'growth.'"
            )
        axes.append(SweepAxis(key, tuple(values)))
    if not axes or len(axes) > 2:
        raise ScenarioError("[sweep] needs one or two keys to vary (a line or a heat map)")
    return Sweep(tuple(axes), metric)


# -- readers ------------------------------------------------------------------------


def _table(data: Mapping[str, Any], name: str, required: bool = False) -> Mapping[str, Any]:
    if name not in data:
        if required:
            raise ScenarioError(f"the scenario needs a [{name}] table")
        return {}
    table = data[name]
    if not isinstance(table, Mapping):
        raise ScenarioError(f"[{name}] must be a table")
    return table


def _only(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ScenarioError(
            f"unknown key(s) in [{where}]: {', '.join(unknown)}"
            f" (allowed: {', '.join(sorted(allowed))})"
        )


def _missing(where: str, key: str) -> ScenarioError:
    return ScenarioError(f"[{where}] needs {key}")


def _float(
    table: Mapping[str, Any],
    key: str,
    where: str,
    default: float | None,
    low: float | None = None,
    high: float | None = None,
) -> float:
    if key not in table:
        if default is None:
            raise _missing(where, key)
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"[{where}] {key} must be a number, not {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ScenarioError(f"[{where}] {key} must be finite")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ScenarioError(f"[{where}] {key} = {value:g} is outside [{low}, {high}]")
    return value


def _int(
    table: Mapping[str, Any],
    key: str,
    where: str,
    default: int | None,
    low: int | None = None,
    high: int | None = None,
) -> int:
    if key not in table:
        if default is None:
            raise _missing(where, key)
        return default
    value = table[key]
    if type(value) is not int:
        raise ScenarioError(f"[{where}] {key} must be a whole number, not {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ScenarioError(f"[{where}] {key} = {value} is outside [{low}, {high}]")
    return value


def _bool(table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ScenarioError(f"[{where}] {key} must be true or false, not {value!r}")
    return value


def _str(table: Mapping[str, Any], key: str, where: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ScenarioError(f"[{where}] {key} must be a string")
    return value


def _choice(
    table: Mapping[str, Any], key: str, where: str, options: tuple[str, ...], default: str | None
) -> str:
    if key not in table:
        if default is None:
            raise ScenarioError(f"[{where}] needs {key} (one of {', '.join(options)})")
        return default
    value = table[key]
    if value not in options:
        raise ScenarioError(f"[{where}] {key} must be one of {', '.join(options)}; got {value!r}")
    return str(value)


def _decimal(table: Mapping[str, Any], key: str, where: str) -> Decimal:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ScenarioError(f'[{where}] {key} must be a decimal such as "1.5", not {value!r}')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ScenarioError(f"[{where}] {key} is not a decimal number: {value!r}") from None
    if not number.is_finite():
        raise ScenarioError(f"[{where}] {key} must be finite")
    return number


def _ratio(table: Mapping[str, Any], key: str, where: str) -> Fraction:
    if key not in table:
        raise _missing(where, key)
    return Fraction(_decimal(table, key, where))


def _yuan(table: Mapping[str, Any], key: str, where: str, default: str | None) -> int:
    if key not in table:
        if default is None:
            raise _missing(where, key)
        table = {key: default}
    fen = _decimal(table, key, where) * 100
    if fen != fen.to_integral_value() or fen <= 0:
        raise ScenarioError(
            f"[{where}] {key} must be a positive amount in yuan with at most 2 decimals"
        )
    return int(fen)
