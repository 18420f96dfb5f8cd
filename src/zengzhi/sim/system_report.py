"""Reports of the daily systems (§3, §4, §5, §7): plain words first, then tables and charts.

The same questions as the pool's report, answered for how each system pays: who got back
what they spent (and what counts as "back" is said every time: cash, or released points
at a stated value that is not cash), the last members to join, how much came from later
members, and what the platform still owes when growth stops. Never a promise of profit.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from zengzhi.sim.checks import RulesDecision
from zengzhi.sim.metrics import EARLY_SHARE, LATE_SHARE
from zengzhi.sim.model import Model
from zengzhi.sim.montecarlo import MonteCarlo
from zengzhi.sim.report import (
    DISCLAIMER,
    _assumptions_html,
    _band,
    _band_trace,
    _fig,
    _findings_html,
    _not_modelled_html,
    _page,
    _pct,
    _yuan,
    cohort_and_multiple_charts,
)
from zengzhi.sim.scenario import Scenario

POINTS_SYSTEMS = ("locked_grants", "shared_purchase")


def counted(scenario: Scenario) -> tuple[str, str]:
    """What “got back” counts in this system (English, Chinese)."""
    system = scenario.economy.system
    if system == "cyclic_purchase":
        return "cash dividends", "现金分红"
    if system in POINTS_SYSTEMS:
        value = scenario.points.value_fen / 100
        return (
            f"released points, each counted at {value:g} yuan (their shop value; not cash)",
            f"已释放的积分（每分按 {value:g} 元的商城价值计，不是现金）",
        )
    return (
        "cash (dividends and buybacks at the floor) and coupons at their face value",
        "现金（分红与保底回购）及按面值计的优惠券",
    )


def _median(band: dict[str, float] | None) -> float:
    return 0.0 if band is None else band["median"]


def headline(mc: MonteCarlo) -> str:
    """Who got back what they spent, and what is still owed, in English and Chinese."""
    s, scenario = mc.summary, mc.scenario
    everyone, early, last, cf = s["all"], s["early"], s["last"], s["cash_flow"]
    n = _median(everyone.get("members"))
    days, seeds = scenario.horizon_days, len(mc.runs)
    what_en, what_zh = counted(scenario)
    got = _pct(everyone.get("recovered_share"))
    cash_got = _pct(everyone.get("cash_recovered_share"))
    late_got = _pct(last.get("recovered_share"))
    median = f"{_median(everyone.get('multiple_median')):.2f}"
    later = _pct(early.get("received_from_later_share"))
    even = everyone.get("days_to_breakeven_median")
    even_en = "" if even is None else f" Those who did took a median {even['median']:.0f} days."
    even_zh = "" if even is None else f"收回者用时中位数为 {even['median']:.0f} 天。"
    en = (
        f"<p>By day {days}, <b>{got}</b> of the about {n:,.0f} members who joined had got "
        f"back at least what they spent, counting {html.escape(what_en)} (median over {seeds} "
        f"simulated runs); <b>{cash_got}</b> in cash alone.{even_en} The typical member got "
        f"back <b>{median}×</b> what they spent. Of the last {LATE_SHARE:.0%} of members to "
        f"join, <b>{late_got}</b> got their money back. Of what the first {EARLY_SHARE:.0%} "
        f"received, at least <b>{later}</b> was paid for by members who joined after them.</p>"
    )
    zh = (
        f"<p class='zh'>到第 {days} 天，约 {n:,.0f} 名会员中有 <b>{got}</b> "
        "收回了不少于其消费的金额"
        f"（计入{html.escape(what_zh)}；{seeds} 次模拟的中位数），仅计现金为 <b>{cash_got}</b>。"
        f"{even_zh}典型会员收回了消费额的 <b>{median} 倍</b>。"
        f"最后加入的 {LATE_SHARE:.0%} 会员中，<b>{late_got}</b> 收回了本金。"
        f"最早加入的 {EARLY_SHARE:.0%} 会员所得中，至少 <b>{later}</b> 来自后来者的消费。</p>"
    )
    en_more, zh_more = _obligations_text(scenario, cf)
    return en + f"<p>{en_more}</p>" + zh + f"<p class='zh'>{zh_more}</p>"


def _obligations_text(scenario: Scenario, cf: dict[str, Any]) -> tuple[str, str]:
    system = scenario.economy.system
    made, left = _yuan(_median(cf.get("promised_made_fen"))), _pct(cf.get("promised_left_share"))
    at_stop = _pct(cf.get("promised_left_at_last_arrival_share"))
    if system == "cyclic_purchase":
        bound = _payable_bound(scenario)
        return (
            f"Members were granted {made} yuan of quota in all. <b>{left}</b> of it is still "
            f"owed at the end ({at_stop} on the day the last member joined). Quota is paid only "
            "out of future sales, never from a fund: each day's dividends are a fixed share of "
            f"that day's sales, so at most <b>{bound}</b> of all quota granted can ever be paid, "
            "and when sales stop nothing more is paid.",
            f"会员共获得 {made} 元分红额度，期末仍有 <b>{left}</b> 未兑付"
            f"（最后一名会员加入当天为 {at_stop}）。额度只能由今后的销售支付，没有任何资金池："
            f"每日分红是当日销售额的固定比例，因此所有额度中最多只有 <b>{bound}</b> 能被兑付，"
            "销售停止后不再支付。",
        )
    if system in POINTS_SYSTEMS:
        held = _yuan(_median(cf.get("held_micro_end")) * scenario.points.value_fen / 1e6)
        forfeited = _median(cf.get("forfeited_micro")) / 1e6
        extra_en = extra_zh = ""
        if forfeited:
            extra_en = (
                f" Acceleration owed to uplines with nothing left locked was forfeited: "
                f"{forfeited:,.0f} points."
            )
            extra_zh = f"上级已无锁定积分而作废的加速释放：{forfeited:,.0f} 分。"
        paid = _yuan(_median(cf.get("cash_in_fen")))
        return (
            f"Members paid {paid} yuan and were granted points worth {made} yuan at the stated "
            f"value. <b>{left}</b> "
            f"of that is still locked at the end ({at_stop} on the day the last member joined), "
            f"and points worth {held} yuan are released but not yet spent: the platform owes "
            "goods for both, out of its takings, and no rule lets a member turn a point into "
            f"cash.{extra_en}",
            f"会员共支付 {paid} 元，获得的积分按设定价值共值 {made} 元，"
            f"期末仍有 <b>{left}</b> 处于锁定"
            f"（最后一名会员加入当天为 {at_stop}），另有价值 {held} 元的积分已释放但尚未消费："
            f"平台须以其收入提供相应商品，且没有任何规则允许会员把积分换成现金。{extra_zh}",
        )
    tokens = _yuan(_median(cf.get("promised_left_fen")))
    dividends = _yuan(_median(cf.get("dividend_paid_fen")))
    buybacks = _yuan(_median(cf.get("buyback_paid_fen")))
    profit = _yuan(_median(cf.get("profit_declared_fen")))
    return (
        f"Token holders were paid {dividends} yuan of dividends (from {profit} yuan of declared "
        f"store profit, an assumption of the scenario) and {buybacks} yuan for tokens bought "
        "back at the floor, from the platform's own funds. For the tokens still held, the "
        f"platform has promised to pay <b>{tokens} yuan</b> at the floor on demand.",
        f"通证持有人共获分红 {dividends} 元（来自申报门店利润 {profit} 元，这是情景假设），"
        f"另以保底价回购通证 {buybacks} 元，由平台自有资金支付。对仍被持有的通证，"
        f"平台承诺按保底价随时回购，共 <b>{tokens} 元</b>。",
    )


def _payable_bound(scenario: Scenario) -> str:
    """At most (static + dynamic share) / quota multiple of the quota can ever be paid."""
    sections = scenario.economy.sections
    dividend, quota = sections.get("dividend", {}), sections.get("quota", {})
    try:
        pools = Fraction(str(dividend.get("static_share", "0"))) + Fraction(
            str(dividend.get("dynamic_share", "0"))
        )
        multiple = Fraction(str(quota.get("multiple", "0")))
    except ValueError:
        return "—"
    return "—" if not multiple else f"{float(min(Fraction(1), pools / multiple)):.0%}"


def _notes(scenario: Scenario) -> str:
    system = scenario.economy.system
    out = ""
    if system in POINTS_SYSTEMS:
        p = scenario.points
        out += (
            "<div class='note'><p><b>How a released point becomes money.</b> No rule of this "
            "economy lets a member sell or cash out points: a released point buys goods in the "
            f"shop. This report counts each released point at {p.value_fen / 100:g} yuan "
            "(<code>[points] value_yuan</code>, the shop value), whether spent or held, and "
            f"assumes members spend {float(p.spend_share):.0%} of each day's release at once "
            "(<code>spend_share</code>). A point's worth to a member may well be lower: the "
            "shop's prices and the share of a price payable in points are the operator's.</p>"
            "<p class='zh'><b>已释放积分如何变成钱：</b>"
            "本经济体没有任何规则允许会员卖出积分或提现，"
            f"已释放积分只能在商城购物。本报告将每一分已释放积分按 {p.value_fen / 100:g} 元"
            "（商城价值）计入，无论是否已消费；"
            f"并假设会员当日消费其释放量的 {float(p.spend_share):.0%}。"
            "积分对会员的实际价值可能更低：商城定价及积分可抵扣的比例由运营方决定。</p></div>"
        )
    if system != "brand_membership":
        out += (
            "<p>Members cannot sell anything back in this system, so the scenario's selling "
            "behaviours and bank run change nothing here. "
            "本机制中会员没有可卖出的资产，情景中的卖出行为与挤兑不影响结果。</p>"
        )
    return out


def groups_table(s: dict[str, Any], scenario: Scenario) -> str:
    if_label = (
        "≥ spent if sold back now (not cash)"
        if scenario.economy.system == "brand_membership"
        else "≥ spent if every promise were kept"
    )
    if_key = (
        "recovered_if_sold_share"
        if scenario.economy.system == "brand_membership"
        else "recovered_if_promised_share"
    )
    head = (
        "<tr><th class='l'>members</th><th>got back ≥ spent</th><th>in cash alone</th>"
        "<th>return multiple (median)</th><th>multiple p10–p90</th><th>days to break even"
        "</th><th>fully paid out</th><th>days to exit</th><th>still owed something</th>"
        f"<th>{if_label}</th><th>paid by later members (at least)</th></tr>"
    )
    rows = []
    for label, part in (
        ("everyone · 全部", s["all"]),
        (f"first {EARLY_SHARE:.0%} to join · 最早", s["early"]),
        (f"last {LATE_SHARE:.0%} to join · 最后", s["last"]),
    ):
        m10, m90 = part.get("multiple_p10"), part.get("multiple_p90")
        spread = "—" if not (m10 and m90) else f"{m10['median']:.2f}–{m90['median']:.2f}"
        rows.append(
            f"<tr><td class='l'>{label}</td><td>{_band(part.get('recovered_share'))}</td>"
            f"<td>{_band(part.get('cash_recovered_share'))}</td>"
            f"<td>{_band(part.get('multiple_median'), '{:.2f}')}</td><td>{spread}</td>"
            f"<td>{_band(part.get('days_to_breakeven_median'), '{:.0f}')}</td>"
            f"<td>{_band(part.get('sold_out_share'))}</td>"
            f"<td>{_band(part.get('days_to_exit_median'), '{:.0f}')}</td>"
            f"<td>{_band(part.get('still_holding_share'))}</td>"
            f"<td>{_band(part.get(if_key))}</td>"
            f"<td>{_band(part.get('received_from_later_share'))}</td></tr>"
        )
    what_en, what_zh = counted(scenario)
    exit_word = {
        "cyclic_purchase": "quota used up (出局)",
        "locked_grants": "every grant released",
        "shared_purchase": "every grant released",
        "brand_membership": "all tokens sold back",
    }[scenario.economy.system]
    note = (
        "<p>Median over seeds, with the 10th–90th percentile across seeds in brackets. "
        f"“Got back” counts {html.escape(what_en)}. “Fully paid out”: {exit_word}. "
        f"“收回”计入{html.escape(what_zh)}。</p>"
    )
    return f"<table>{head}{''.join(rows)}</table>{note}"


def cohort_table(s: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{c['from_day']}</td><td>{_band(c.get('members'), '{:,.0f}')}</td>"
        f"<td>{_band(c.get('recovered_share'))}</td>"
        f"<td>{_band(c.get('cash_recovered_share'))}</td>"
        f"<td>{_band(c.get('multiple_median'), '{:.2f}')}</td>"
        f"<td>{_band(c.get('days_to_breakeven_median'), '{:.0f}')}</td>"
        f"<td>{_band(c.get('still_holding_share'))}</td></tr>"
        for c in s["cohorts"]
    )
    return (
        "<h2>By join cohort · 按加入批次</h2><table><tr><th>joined from day</th><th>members"
        "</th><th>got back ≥ spent</th><th>in cash alone</th><th>median multiple</th>"
        f"<th>days to break even</th><th>still owed something</th></tr>{rows}</table>"
    )


_ROWS: dict[str, list[tuple[str, str, str]]] = {
    "common": [
        ("members paid for orders · 会员消费", "cash_in_fen", "fen"),
        ("cash paid to members · 付给会员的现金", "cash_paid_fen", "fen"),
        (
            "value credited to members (stated value, not cash) · 计入的非现金价值",
            "value_credited_fen",
            "fen",
        ),
        (
            "kept by the platform before the cost of goods · 平台留存（未扣商品成本）",
            "kept_by_platform_fen",
            "fen",
        ),
        ("promised to members in all (stated value) · 累计承诺", "promised_made_fen", "fen"),
        ("still promised at the end · 期末仍未兑付", "promised_left_fen", "fen"),
        (
            "still promised when the last member joined · 最后一名会员加入时未兑付",
            "promised_left_at_last_arrival_fen",
            "fen",
        ),
    ],
    "cyclic_purchase": [
        ("pro-rata dividends paid · 静态分红", "pro_rata_paid_fen", "fen"),
        ("tier dividends paid · 分级动态分红", "tier_paid_fen", "fen"),
        (
            "dividend pools kept by the platform (caps, empty tiers) · 退回平台",
            "returned_fen",
            "fen",
        ),
    ],
    "locked_grants": [
        ("points granted · 发放积分", "granted_micro", "points"),
        ("own daily release · 自身释放", "own_release_micro", "points"),
        ("referral acceleration (50%/30%) · 推荐加速", "referral_micro", "points"),
        ("team differential · 团队级差", "team_micro", "points"),
        ("peer reward · 平级奖", "peer_micro", "points"),
        ("acceleration forfeited (nothing left locked) · 作废的加速", "forfeited_micro", "points"),
        ("released points spent in the shop · 已消费", "shop_spent_micro", "points"),
        ("released points held at the end · 期末持有", "held_micro_end", "points"),
        ("points still locked at the end · 期末锁定", "locked_micro_end", "points"),
    ],
    "shared_purchase": [
        ("points granted · 发放积分", "granted_micro", "points"),
        ("points released · 释放积分", "released_micro", "points"),
        ("released points spent in the shop · 已消费", "shop_spent_micro", "points"),
        ("released points held at the end · 期末持有", "held_micro_end", "points"),
        ("points still locked at the end · 期末锁定", "locked_micro_end", "points"),
    ],
    "brand_membership": [
        ("declared store profit (scenario) · 申报门店利润", "profit_declared_fen", "fen"),
        ("dividend pool funded · 分红池注入", "dividend_funded_fen", "fen"),
        ("dividends paid · 已付分红", "dividend_paid_fen", "fen"),
        ("tokens bought back at the floor · 保底回购", "buyback_paid_fen", "fen"),
        ("coupons redeemed (face value) · 优惠券面值", "coupon_face_fen", "fen"),
        ("tokens still held at the end · 期末通证", "tokens_micro_end", "points"),
    ],
}


def cash_table(s: dict[str, Any], system: str) -> str:
    cf = s["cash_flow"]

    def v(key: str, unit: str) -> str:
        band = cf.get(key)
        if not band:
            return "—"
        if unit == "fen":
            return _yuan(band["median"])
        return f"{band['median'] / 1e6:,.2f}"

    body = "".join(
        f"<tr><td class='l'>{label}</td><td>{v(key, unit)}</td><td class='l'>"
        f"{'yuan' if unit == 'fen' else 'points' if 'micro' in key else ''}</td></tr>"
        for label, key, unit in _ROWS["common"] + _ROWS.get(system, [])
    )
    return (
        "<h2>Cash flow and obligations (median over seeds) · 资金流与平台承诺</h2>"
        f"<table>{body}</table><p>“Promised” is what the rules still owe members and "
        "nothing funds yet: quota left, points still locked (at the stated value), or tokens "
        "at the buyback floor. “承诺”指规则仍欠会员、尚无资金对应的部分。</p>"
    )


def _columns(mc: MonteCarlo) -> tuple[str, ...]:
    return mc.runs[0].columns


def charts(mc: MonteCarlo) -> str:
    daily = np.stack([r.daily for r in mc.runs]).astype(np.float64)  # seeds × days × cols
    columns = _columns(mc)
    x = np.arange(1, daily.shape[1] + 1)
    mid = np.median(daily, axis=0)

    def col(name: str) -> NDArray[np.float64]:
        out: NDArray[np.float64] = daily[:, :, columns.index(name)]
        return out

    out = []
    fig = go.Figure()
    for name, label in (
        ("cash_in_fen", "paid by members"),
        ("cash_out_fen", "cash paid to members"),
        ("value_out_fen", "value credited (not cash)"),
    ):
        fig.add_trace(go.Scatter(x=x, y=mid[:, columns.index(name)] / 100, name=label))
    fig.update_layout(title="Per day, yuan (median) · 每日资金与价值", xaxis_title="day")
    out.append(_fig(fig))

    fig = go.Figure()
    _band_trace(fig, x, np.cumsum(col("cash_in_fen"), axis=1) / 100, "paid by members")
    paid = np.cumsum(col("cash_out_fen") + col("value_out_fen"), axis=1) / 100
    _band_trace(fig, x, paid, "paid back (cash + stated value)")
    _band_trace(fig, x, col("promised_fen") / 100, "still promised")
    fig.update_layout(title="Cumulative, yuan · 累计与未兑付承诺", xaxis_title="day")
    out.append(_fig(fig))

    fig = go.Figure()
    system = mc.scenario.economy.system
    if system == "cyclic_purchase":
        for name, label in (("eligible", "members holding quota"), ("arrivals", "new members")):
            fig.add_trace(go.Scatter(x=x, y=mid[:, columns.index(name)], name=label))
        fig.update_layout(title="Members per day (median) · 每日人数")
    elif system == "brand_membership":
        _band_trace(fig, x, col("tokens_micro") / 1e6, "tokens outstanding")
        fig.update_layout(title="Tokens outstanding · 流通通证")
    else:
        names = ["released_micro", "locked_micro"]
        for name in names:
            fig.add_trace(go.Scatter(x=x, y=mid[:, columns.index(name)] / 1e6, name=name[:-6]))
        fig.update_layout(title="Points released per day and still locked (median) · 积分")
    fig.update_layout(xaxis_title="day")
    out.append(_fig(fig))

    out += cohort_and_multiple_charts(
        mc,
        got="got back what they spent",
        received="got back",
        potential="if every promise were kept (not paid)",
    )
    return "<h2>Charts · 图表</h2>" + "".join(out)


def _section(mc: MonteCarlo) -> str:
    return (
        f"{headline(mc)}{_notes(mc.scenario)}{groups_table(mc.summary, mc.scenario)}"
        f"{cohort_table(mc.summary)}{cash_table(mc.summary, mc.scenario.economy.system)}"
        f"{charts(mc)}{_assumptions_html(mc.scenario)}"
    )


def system_report(mc: MonteCarlo, model: Model, decision: RulesDecision) -> str:
    """The HTML report of one Monte Carlo run of a daily system."""
    title = f"Zengzhi simulation · {mc.scenario.name}"
    body = (
        f"<h1>{html.escape(title)}</h1><p class='note'>{html.escape(DISCLAIMER)}</p>"
        "<h2>Who got their money back · 谁收回了本金</h2>"
        f"{_not_modelled_html(model)}{_section(mc)}{_findings_html(decision)}"
    )
    return _page(title, body)


def system_stress_report(
    preset: str, runs: Sequence[MonteCarlo], model: Model, decision: RulesDecision
) -> str:
    """One daily-system preset under every stress scenario."""
    title = f"Zengzhi stress report · {preset}"
    sections = "".join(f"<h2>{html.escape(mc.scenario.name)}</h2>{_section(mc)}" for mc in runs)
    body = (
        f"<h1>{html.escape(title)}</h1><p class='note'>{html.escape(DISCLAIMER)}</p>"
        f"{_not_modelled_html(model)}{sections}{_findings_html(decision)}"
    )
    return _page(title, body)
