"""Self-contained HTML reports: plain words first (Chinese and English), then the charts.

Plotly's JavaScript is embedded once in the page (no CDN: deployments are offline). The
text says who got their money back and never phrases anything as a promise of profit.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from zengzhi.sim.checks import NOT_LEGAL_ADVICE, RulesDecision
from zengzhi.sim.metrics import EARLY_SHARE, LATE_SHARE
from zengzhi.sim.model import POOL, Model, model_of
from zengzhi.sim.montecarlo import MonteCarlo
from zengzhi.sim.result import D
from zengzhi.sim.scenario import Scenario
from zengzhi.sim.sweep import SweepResult, metric_value

DISCLAIMER = (
    "This is a simulation under the assumptions listed below, not a forecast and not a "
    "promise of any return. What members get back depends on what future members buy. "
    "本报告是基于下列假设的模拟，不是预测，更不是任何收益承诺。会员能取回多少，取决于未来会员的消费。"
)

_CSS = """
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}
.note{background:#fff6e0;border-left:4px solid #e0a000;padding:.6em 1em}
.bad{background:#fdecea;border-left:4px solid #c62828;padding:.6em 1em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;
text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}
.high{color:#b71c1c;font-weight:bold}.medium{color:#e65100}.info{color:#2e7d32}
p.zh{color:#333}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head>"
        f"<body>{body}</body></html>"
    )


def _fig(fig: go.Figure) -> str:
    fig.update_layout(margin={"l": 60, "r": 20, "t": 50, "b": 40}, height=380)
    return str(fig.to_html(full_html=False, include_plotlyjs=False))


def _pct(band: dict[str, float] | None) -> str:
    if band is None:
        return "—"
    value = band["median"]
    # small shares keep a decimal: 0.4% of members is not "0%"
    return f"{value:.1%}" if 0 < value < 0.1 else f"{value:.0%}"


def _band(band: dict[str, float] | None, fmt: str = "{:.0%}") -> str:
    if band is None:
        return "—"
    return f"{fmt.format(band['median'])} ({fmt.format(band['p10'])}–{fmt.format(band['p90'])})"


def _yuan(fen: float | None) -> str:
    return "—" if fen is None else f"{fen / 100:,.0f}"


def _findings_html(decision: RulesDecision) -> str:
    rows = "".join(
        f"<tr><td class='l {f.severity.value}'>{f.severity.value}</td>"
        f"<td class='l'>{html.escape(f.where)}</td><td class='l'><b>{html.escape(f.title)}</b>"
        f"<br>{html.escape(f.explanation)}<br><span class='zh'>{html.escape(f.explanation_zh)}"
        "</span></td></tr>"
        for f in decision.findings
    )
    verdict = (
        "Strict mode would accept these rules as they are."
        if decision.accepted
        else "Strict mode refuses these rules until an operator acknowledges each high "
        "finding (the acknowledgement is audited). "
        "严格模式下，须由运营者逐条确认高风险项（确认会被审计）后方可保存。"
    )
    return (
        f"<h2>Compliance checks · 合规检查</h2><p>{html.escape(verdict)}</p>"
        "<table><tr><th class='l'>severity</th><th class='l'>where</th>"
        f"<th class='l'>finding</th></tr>{rows}</table>"
        f"<p class='note'>{html.escape(NOT_LEGAL_ADVICE)}</p>"
    )


def _not_modelled_html(model: Model) -> str:
    en, zh = model.coverage
    if model.complete:
        return (
            f"<p>Modelled: {html.escape(en)}. Every money section of this economy is in the"
            f" figures.</p><p class='zh'>已模拟：{html.escape(zh)}。</p>"
        )
    items = "".join(
        f"<li><code>[{html.escape(name)}]</code>: {html.escape(note)}</li>"
        for name, note in model.not_modelled
    )
    return (
        f"<h2>Not modelled · 未模拟的机制</h2><div class='note'><p>The simulator models "
        f"{html.escape(en)}. It does not model the following parts of this economy; their "
        "effects are <b>not</b> in any figure of this report:</p>"
        f"<ul>{items}</ul><p class='zh'>模拟器模拟的是：{html.escape(zh)}。"
        "上列机制未计入本报告的任何数字。</p></div>"
    )


def scenario_rows(s: Scenario) -> list[tuple[str, str]]:
    """The assumptions a system adds to the scenario (stated, never implied)."""
    system = s.economy.system
    rows: list[tuple[str, str]] = []
    if model_of(s.economy).runner == POOL:
        rows += [("pool rules", str(s.economy.pool))]
        rows += [("pool share of orders", str(s.economy.pool_share))]
    if system == "local_life":
        rows.append(("stores and positions (§6)", str(s.stores)))
    if system in ("locked_grants", "shared_purchase"):
        p = s.points
        rows.append(
            (
                "released points (§4/§5)",
                f"worth {p.value_fen / 100:g} yuan each to a member (their shop value; no "
                f"rule lets them be cashed); {float(p.spend_share):.0%} of each day's "
                "release spent in the shop at once, the rest held",
            )
        )
    if system == "brand_membership":
        rows.append(
            (
                "brand (§7)",
                f"declared store profit = {float(s.brand.profit_margin):.1%} of sales; "
                f"{s.brand.convert_share:.0%} of members convert coins to tokens, the others"
                " redeem coupons",
            )
        )
    return rows


def _assumptions_html(scenario: Scenario) -> str:
    s = scenario
    rows = [
        ("economy", f"{s.economy.name} ({s.economy_source})"),
        ("horizon", f"{s.horizon_days} days"),
        ("seeds", f"{len(s.seeds)} (first {s.seeds[0]})"),
        ("engine", s.engine),
        ("growth", "; ".join(f"from day {g.from_day}: {g.curve}" for g in s.growth.segments)),
        ("arrivals drawn", s.growth.draw),
        ("order sizes", str(s.orders)),
        ("repeat purchases", str(s.repeat)),
        ("referral", str(s.referral)),
        ("behaviours", "; ".join(str(b) for b in s.behaviours)),
        ("bank run", str(s.bank_run) if s.bank_run else "none"),
    ]
    rows += scenario_rows(s)
    body = "".join(
        f"<tr><th class='l'>{html.escape(k)}</th><td class='l'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<h2>Assumptions · 假设</h2><table>{body}</table>"


def _headline(mc: MonteCarlo) -> str:
    s = mc.summary
    everyone, early, last = s["all"], s["early"], s["last"]
    n = everyone["members"]["median"] if everyone.get("members") else 0
    days = mc.scenario.horizon_days
    seeds = len(mc.runs)
    got, late_got = _pct(everyone.get("recovered_share")), _pct(last.get("recovered_share"))
    median = everyone.get("multiple_median")
    median_text = "—" if median is None else f"{median['median']:.2f}"
    later = early.get("received_from_later_share")
    later_text = _pct(later)
    if_sold = _pct(everyone.get("recovered_if_sold_share"))
    how_en, how_zh = "in cash", "以现金"
    if _median(s["cash_flow"].get("conversions")):
        how_en, how_zh = (
            "in cash and in goods bought with stable points (at the peg)",
            ("以现金及用恒定积分（按面值）换得的商品"),
        )
    en = (
        f"<p>By day {days}, <b>{got}</b> of the about {n:,.0f} members who joined had received "
        f"{how_en} at least what they spent (median over "
        f"{seeds} simulated runs; the 10–90% range is in the table). The typical member got back "
        f"<b>{median_text}×</b> what they spent. Of the last {LATE_SHARE:.0%} of members to "
        f"join, <b>{late_got}</b> got their money back. Of what the first "
        f"{EARLY_SHARE:.0%} of members received, at least <b>{later_text}</b> was paid with "
        "the money of members who joined after them.</p>"
        f"<p>Points still held are not cash. If each holder alone sold today at the current "
        f"price after the fee, <b>{if_sold}</b> would reach what they spent; that value is paid "
        "only when sold and moves with future orders.</p>"
        f"{_extras_en(s)}"
    )
    zh = (
        f"<p class='zh'>到第 {days} 天，约 {n:,.0f} 名会员中有 <b>{got}</b> "
        f"{how_zh}收回了不少于其消费的金额"
        f"（{seeds} 次模拟的中位数；10%–90% 区间见下表）。"
        f"典型会员取回了消费额的 <b>{median_text} 倍</b>。"
        f"最后加入的 {LATE_SHARE:.0%} 会员中，<b>{late_got}</b> 收回了本金。"
        f"最早加入的 {EARLY_SHARE:.0%} 会员所得中，至少 <b>{later_text}</b> 来自后来者的资金。"
        f"仍持有的积分不是现金：若每位持有人单独按今日价格扣除手续费卖出，<b>{if_sold}</b> "
        "可达到其消费额；这一价值只有卖出时才兑现，并随未来订单变化。</p>"
        f"{_extras_zh(s)}"
    )
    return en + zh


def _median(band: dict[str, float] | None) -> float:
    return 0.0 if band is None else band["median"]


def _extras_en(s: dict[str, Any]) -> str:
    """Agents and promoters (§6), conversions (§2): said in words when they happened."""
    out = ""
    positions, cf = s.get("positions"), s["cash_flow"]
    if positions:
        out += (
            "<p>The members holding paid positions (regional agents, who paid "
            f"{_yuan(_median(cf.get('position_fees_fen')))} yuan in position fees in all, and "
            f"store promoters): <b>{_pct(positions.get('recovered_share'))}</b> of them got "
            "back at least what they paid, fees included. Agents earned "
            f"{_yuan(_median(cf.get('agent_paid_fen')))} yuan and promoters "
            f"{_yuan(_median(cf.get('promoter_paid_fen')))} yuan, out of the stores' "
            "commissions, that is out of what members paid.</p>"
        )
    if _median(cf.get("conversions")):
        out += (
            "<p>Members converted their points to stable points "
            f"{_median(cf.get('conversions')):,.0f} times and spent them in the shop; those "
            "goods count at the peg "
            f"({_yuan(_median(cf.get('stable_spent_fen')))} yuan) in “got back” although they "
            "are not cash. The shop cashed the stable points out from the platform's own funds "
            f"({_yuan(_median(cf.get('stable_cashed_out_fen')))} yuan), while the cash behind "
            "the converted points stays in the pool.</p>"
        )
    return out


def _extras_zh(s: dict[str, Any]) -> str:
    out = ""
    positions, cf = s.get("positions"), s["cash_flow"]
    if positions:
        out += (
            "<p class='zh'>持有付费职位的会员（区域代理共缴纳代理费 "
            f"{_yuan(_median(cf.get('position_fees_fen')))} 元，以及门店推广人）中，"
            f"<b>{_pct(positions.get('recovered_share'))}</b> 收回了含代理费在内的全部支出。"
            f"代理共得 {_yuan(_median(cf.get('agent_paid_fen')))} 元，推广人共得 "
            f"{_yuan(_median(cf.get('promoter_paid_fen')))} 元，均来自门店佣金，即会员的付款。</p>"
        )
    if _median(cf.get("conversions")):
        out += (
            f"<p class='zh'>会员共 {_median(cf.get('conversions')):,.0f} 次"
            "把积分兑换为恒定积分并在商城消费；"
            f"这些商品按面值（{_yuan(_median(cf.get('stable_spent_fen')))} 元）"
            "计入“收回”，但不是现金。"
            f"商家提现由平台自有资金支付（{_yuan(_median(cf.get('stable_cashed_out_fen')))} 元），"
            "而被兑换积分背后的现金仍留在收益池中。</p>"
        )
    return out


def _groups_table(s: dict[str, Any]) -> str:
    head = (
        "<tr><th class='l'>members</th><th>got back ≥ spent</th><th>return multiple "
        "(median)</th><th>multiple p10–p90</th><th>sold out</th><th>days to exit</th>"
        "<th>still holding</th><th>≥ spent if sold now (not cash)</th>"
        "<th>paid by later members (at least)</th></tr>"
    )
    rows = []
    groups = [
        ("everyone · 全部", s["all"]),
        (f"first {EARLY_SHARE:.0%} to join · 最早", s["early"]),
        (f"last {LATE_SHARE:.0%} to join · 最后", s["last"]),
    ]
    if s.get("positions"):
        groups.append(("agents and promoters · 代理与推广人", s["positions"]))
    for label, part in groups:
        m50, m10, m90 = (
            part.get("multiple_median"),
            part.get("multiple_p10"),
            part.get("multiple_p90"),
        )
        spread = "—" if not (m10 and m90) else f"{m10['median']:.2f}–{m90['median']:.2f}"
        rows.append(
            f"<tr><td class='l'>{label}</td><td>{_band(part.get('recovered_share'))}</td>"
            f"<td>{_band(m50, '{:.2f}')}</td>"
            f"<td>{spread}</td>"
            f"<td>{_band(part.get('sold_out_share'))}</td>"
            f"<td>{_band(part.get('days_to_exit_median'), '{:.0f}')}</td>"
            f"<td>{_band(part.get('still_holding_share'))}</td>"
            f"<td>{_band(part.get('recovered_if_sold_share'))}</td>"
            f"<td>{_band(part.get('received_from_later_share'))}</td></tr>"
        )
    note = (
        "<p>Median over seeds, with the 10th–90th percentile across seeds in brackets. "
        "“Got back” counts cash (pool payouts; referral, promoter and agent rewards) and, "
        "in a two-tokens economy, goods bought with stable points at the peg; “spent” "
        "includes agent position fees. Points still held are not cash. "
        "“收回”计现金（收益池支付与推荐、推广、代理奖励）及双通证中以恒定积分按面值换得的商品；"
        "“支出”含代理费；仍持有的积分不计入。</p>"
    )
    return f"<table>{head}{''.join(rows)}</table>{note}"


def _cohort_table(s: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{c['from_day']}</td><td>{_band(c.get('members'), '{:,.0f}')}</td>"
        f"<td>{_band(c.get('recovered_share'))}</td>"
        f"<td>{_band(c.get('multiple_median'), '{:.2f}')}</td>"
        f"<td>{_band(c.get('days_to_exit_median'), '{:.0f}')}</td>"
        f"<td>{_band(c.get('still_holding_share'))}</td></tr>"
        for c in s["cohorts"]
    )
    return (
        "<h2>By join cohort · 按加入批次</h2><table><tr><th>joined from day</th><th>members"
        "</th><th>got back ≥ spent</th><th>median multiple</th><th>days to exit</th>"
        f"<th>still holding</th></tr>{rows}</table>"
    )


def _cash_table(s: dict[str, Any]) -> str:
    cf = s["cash_flow"]

    def v(key: str) -> str:
        band = cf.get(key)
        return _yuan(band["median"]) if band else "—"

    rows = [
        ("members paid for orders · 会员消费", "cash_in_fen"),
        ("of which into the pool · 注入收益池", "pool_in_fen"),
        ("paid out of the pool to members · 收益池支付", "paid_from_pool_fen"),
        ("referral rewards paid · 推荐奖励", "referral_paid_fen"),
        ("left in the pool at the end · 期末池内资金", "pool_end_fen"),
        (
            "kept by merchants and the platform (goods, costs, profit) · 商家与平台留存",
            "kept_outside_pool_fen",
        ),
        ("of the rewards: to store promoters · 其中推广人", "promoter_paid_fen"),
        ("of the rewards: to regional agents · 其中区域代理", "agent_paid_fen"),
        ("agent position fees paid to the platform · 代理费", "position_fees_fen"),
        ("goods bought with stable points, at the peg · 恒定积分消费", "stable_spent_fen"),
        (
            "stable points cashed out from the platform's funds · 平台支付恒定积分提现",
            "stable_cashed_out_fen",
        ),
    ]
    rows = rows[:6] + [r for r in rows[6:] if _median(cf.get(r[1]))]
    body = "".join(f"<tr><td class='l'>{k}</td><td>{v(key)}</td></tr>" for k, key in rows)
    return (
        "<h2>Cash flow (yuan, median over seeds) · 资金流（元）</h2>"
        f"<table>{body}</table><p>The pool can never pay out more than was put into it; "
        "what it keeps at the end backs the points still held. "
        "收益池支付的现金不可能超过注入的现金；"
        "期末余额对应仍被持有的积分。</p>"
    )


def _bands(series: NDArray[np.float64]) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    p10, p50, p90 = np.quantile(series, (0.1, 0.5, 0.9), axis=0)
    return p10, p50, p90


def _band_trace(
    fig: go.Figure, x: NDArray[Any], series: NDArray[np.float64], name: str, row: int | None = None
) -> None:
    """Median line with a shaded 10th–90th percentile band across seeds."""
    low, mid, high = _bands(series)
    kw = {} if row is None else {"row": row, "col": 1}
    fig.add_trace(go.Scatter(x=x, y=high, line={"width": 0}, showlegend=False), **kw)
    fig.add_trace(
        go.Scatter(
            x=x, y=low, fill="tonexty", line={"width": 0}, name=f"{name} p10–p90", opacity=0.3
        ),
        **kw,
    )
    fig.add_trace(go.Scatter(x=x, y=mid, name=f"{name} (median)"), **kw)


def _charts(mc: MonteCarlo) -> str:
    daily = np.stack([r.daily for r in mc.runs]).astype(np.float64)  # seeds × days × cols
    x = np.arange(1, daily.shape[1] + 1)
    out = []

    def col(name: str) -> NDArray[np.float64]:
        return daily[:, :, D[name]]

    fig = go.Figure()
    _band_trace(fig, x, col("price_micro_yuan") / 1e6, "price")
    fig.update_layout(title="Point price (yuan) · 积分价格（元）", xaxis_title="day")
    out.append(_fig(fig))

    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, subplot_titles=("pool (yuan)", "points outstanding")
    )
    _band_trace(fig, x, col("pool_fen") / 100, "pool", row=1)
    _band_trace(fig, x, col("points_micro") / 1e6, "points", row=2)
    fig.update_layout(title="Pool and points outstanding · 收益池与流通积分")
    out.append(_fig(fig))

    mid = np.median(daily, axis=0)
    fig = go.Figure()
    for name, label in (("arrivals", "new members"), ("exits", "forced exits"), ("sales", "sales")):
        fig.add_trace(go.Scatter(x=x, y=mid[:, D[name]], name=label))
    fig.update_layout(title="Members per day (median) · 每日人数", xaxis_title="day")
    out.append(_fig(fig))

    fig = go.Figure()
    for name, label in (
        ("cash_in_fen", "paid by members"),
        ("pool_in_fen", "into the pool"),
        ("exit_payout_fen", "paid at forced exits"),
        ("sale_payout_fen", "paid for sales"),
    ):
        fig.add_trace(go.Scatter(x=x, y=mid[:, D[name]] / 100, name=label))
    fig.update_layout(
        title="Cash in and out per day, yuan (median) · 每日资金进出", xaxis_title="day"
    )
    out.append(_fig(fig))

    fig = go.Figure()
    paid_out = np.cumsum(col("exit_payout_fen") + col("sale_payout_fen"), axis=1) / 100
    _band_trace(fig, x, np.cumsum(col("cash_in_fen"), axis=1) / 100, "paid by members")
    _band_trace(fig, x, paid_out, "paid back to members")
    fig.update_layout(title="Cumulative cash, yuan · 累计资金", xaxis_title="day")
    out.append(_fig(fig))

    out += cohort_and_multiple_charts(
        mc,
        got="got their money back",
        received="cash received",
        potential="cash + points if sold now (not cash)",
    )
    return "<h2>Charts · 图表</h2>" + "".join(out)


def _up(band: dict[str, float] | None) -> float:
    return 0.0 if band is None else band["p90"] - band["median"]


def _down(band: dict[str, float] | None) -> float:
    return 0.0 if band is None else band["median"] - band["p10"]


def simulation_report(mc: MonteCarlo, model: Model, decision: RulesDecision) -> str:
    """The HTML report of one Monte Carlo run."""
    s = mc.scenario
    title = f"Zengzhi simulation · {s.name}"
    body = (
        f"<h1>{html.escape(title)}</h1><p class='note'>{html.escape(DISCLAIMER)}</p>"
        "<h2>Who got their money back · 谁收回了本金</h2>"
        f"{_headline(mc)}{_groups_table(mc.summary)}{_not_modelled_html(model)}"
        f"{_cohort_table(mc.summary)}{_cash_table(mc.summary)}{_charts(mc)}"
        f"{_findings_html(decision)}{_assumptions_html(s)}"
    )
    return _page(title, body)


def unmodelled_report(scenario: Scenario, model: Model, decision: RulesDecision) -> str:
    """For an economy without an appreciating pool: say so, show the checks, no numbers."""
    title = f"Zengzhi simulation · {scenario.name}"
    body = (
        f"<h1>{html.escape(title)}</h1><div class='bad'><p><b>Not simulated.</b> This economy "
        f"({html.escape(scenario.economy.system)}) has no appreciating pool, and the "
        "simulator does not model its mechanisms yet. Rather than show figures that would "
        "leave out how members are actually paid, this report shows none.</p>"
        f"<p class='zh'>未模拟：该经济体（{html.escape(scenario.economy.system)}）没有增值积分池，"
        "模拟器尚未支持其机制。为免给出遗漏实际支付方式的数字，本报告不展示任何模拟数字。</p></div>"
        f"{_not_modelled_html(model)}{_findings_html(decision)}"
    )
    return _page(title, body)


def sweep_report(result: SweepResult) -> str:
    """A heat map (two keys) or a line (one key) of the sweep metric's median over seeds."""
    title = f"Zengzhi sweep · {result.scenario.name}"
    values = {p.index: metric_value(p.summary, result.metric) for p in result.points}
    if len(result.keys) == 2:
        z = [
            [values[(i, j)] for j in range(len(result.axes[1]))] for i in range(len(result.axes[0]))
        ]
        fig = go.Figure(
            go.Heatmap(
                z=z,
                x=[str(v) for v in result.axes[1]],
                y=[str(v) for v in result.axes[0]],
                colorbar={"title": result.metric},
                texttemplate="%{z:.2f}",
            )
        )
        fig.update_layout(xaxis_title=result.keys[1], yaxis_title=result.keys[0])
    else:
        fig = go.Figure(
            go.Scatter(
                x=[str(v) for v in result.axes[0]],
                y=[values[(i,)] for i in range(len(result.axes[0]))],
                mode="lines+markers",
            )
        )
        fig.update_layout(xaxis_title=result.keys[0], yaxis_title=result.metric)
    fig.update_layout(title=f"{result.metric} (median over seeds)")
    body = (
        f"<h1>{html.escape(title)}</h1><p class='note'>{html.escape(DISCLAIMER)}</p>"
        f"<p>Each cell is the median over {len(result.scenario.seeds)} seeds of "
        f"<code>{html.escape(result.metric)}</code>. recovered_share is the share of members "
        "whose cash received reached what they spent. 每格为多次模拟的中位数。</p>"
        f"{_fig(fig)}{_assumptions_html(result.scenario)}"
    )
    return _page(title, body)


def stress_report(
    preset: str, runs: Sequence[MonteCarlo], model: Model, decision: RulesDecision
) -> str:
    """One preset under every stress scenario: a section per scenario, then the checks."""
    title = f"Zengzhi stress report · {preset}"
    sections = []
    for mc in runs:
        sections.append(
            f"<h2>{html.escape(mc.scenario.name)}</h2>{_headline(mc)}"
            f"{_groups_table(mc.summary)}{_cohort_table(mc.summary)}"
            f"{_cash_table(mc.summary)}{_charts(mc)}{_assumptions_html(mc.scenario)}"
        )
    body = (
        f"<h1>{html.escape(title)}</h1><p class='note'>{html.escape(DISCLAIMER)}</p>"
        f"{_not_modelled_html(model)}{''.join(sections)}{_findings_html(decision)}"
    )
    return _page(title, body)


def cohort_and_multiple_charts(
    mc: MonteCarlo, *, got: str, received: str, potential: str
) -> list[str]:
    """Who got back what they spent, by join cohort, and the return multiples.

    Shared by the pool report and the daily systems' report, which word them differently.
    """
    out: list[str] = []
    cohorts = mc.summary["cohorts"]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[c["from_day"] for c in cohorts],
            y=[(c.get("recovered_share") or {}).get("median") for c in cohorts],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [_up(c.get("recovered_share")) for c in cohorts],
                "arrayminus": [_down(c.get("recovered_share")) for c in cohorts],
            },
            name="share who got back ≥ spent",
        )
    )
    fig.update_layout(
        title=f"Share of each join cohort who {got} · 各批次收回本金的比例",
        xaxis_title="joined from day",
        yaxis={"tickformat": ".0%", "range": [0, 1]},
    )
    out.append(_fig(fig))

    multiples = np.concatenate([r.multiples for r in mc.runs], axis=1)
    fig = go.Figure()
    for row, label in ((0, received), (1, potential)):
        fig.add_trace(
            go.Histogram(x=np.minimum(multiples[row], 5.0), nbinsx=50, name=label, opacity=0.6)
        )
    fig.update_layout(barmode="overlay")
    fig.add_vline(x=1.0, line_dash="dash", annotation_text="got back what they spent")
    fig.update_layout(
        title=f"Return multiple: {received} ÷ spent (capped at 5 for the chart) · 回报倍数分布",
        xaxis_title="multiple",
    )
    out.append(_fig(fig))
    return out
