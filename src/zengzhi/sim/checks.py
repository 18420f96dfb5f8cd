"""Compliance checks on an economy's rules: the warning signs regulators named.

In 2018 Chinese regulators warned the public about consumption-rebate platforms
(消费返利/消费全返) and named the signs of pyramid selling and illegal fund-raising hidden in
them. These checks look for those signs in a configuration: referral chains deeper than
three levels, positions sold for a fee, returns that can exceed what a member spent,
dividends paid as a fixed share of turnover, points that can be bought for cash, and no
risk disclosure. Each finding has a severity and a plain explanation in English and
Chinese. They are pure functions over `EconomyConfig` (no I/O): the CLI and the operator
service call the same `review_rules`. This is not legal advice.

Strict mode (the default) refuses rules with a high-severity finding unless the operator
records an explicit acknowledgement of that finding; the decision lists those
acknowledgements so that the caller writes them to its audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import DomainError
from zengzhi.domain.money import parse_ratio

NOT_LEGAL_ADVICE = (
    "These checks point at warning signs; they are not legal advice. "
    "本检查仅提示风险信号，不构成法律意见。"
)


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One warning sign: a stable `code`, where it is, and what it means in plain words."""

    code: str
    severity: Severity
    where: str
    title: str
    explanation: str
    explanation_zh: str


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """An operator's explicit acceptance of one high-severity finding, to be audited."""

    code: str
    operator: str
    reason: str


@dataclass(frozen=True, slots=True)
class RulesDecision:
    """Whether rules may be saved. `blocking`: high findings nobody acknowledged."""

    accepted: bool
    strict: bool
    findings: tuple[Finding, ...]
    blocking: tuple[Finding, ...]
    acknowledged: tuple[tuple[Finding, Acknowledgement], ...]


class RulesRefused(DomainError):
    """Strict mode refused rules with unacknowledged high-severity findings."""

    code = "rules_refused"


def review_rules(
    config: EconomyConfig,
    acknowledgements: Iterable[Acknowledgement] = (),
    strict: bool = True,
) -> RulesDecision:
    """Check `config`; in strict mode, accept it only if every high finding is acknowledged.

    An acknowledgement needs a named operator and a reason; the decision returns the pairs
    (finding, acknowledgement) the caller must write to the audit log with the rules.
    """
    findings = check_config(config)
    acks: dict[str, Acknowledgement] = {}
    for ack in acknowledgements:
        if not ack.operator.strip() or not ack.reason.strip():
            raise RulesRefused(
                f"the acknowledgement of {ack.code!r} needs the operator's name and a reason"
            )
        acks[ack.code] = ack
    high = [f for f in findings if f.severity is Severity.HIGH]
    acknowledged = tuple((f, acks[f.code]) for f in high if f.code in acks)
    blocking = tuple(f for f in high if f.code not in acks) if strict else ()
    return RulesDecision(not blocking, strict, findings, blocking, acknowledged)


def check_config(config: EconomyConfig) -> tuple[Finding, ...]:
    """Every finding for `config`, high severity first."""
    sections: Mapping[str, Any] = config.sections
    found: list[Finding] = []
    found += _referral_depth(sections)
    found += _paid_positions(sections)
    found += _returns(config, sections)
    found += _turnover_dividends(sections)
    found += _points_for_cash(sections)
    found += _disclosure(sections)
    rank = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.INFO: 2}
    return tuple(sorted(found, key=lambda f: rank[f.severity]))


# -- the checks ---------------------------------------------------------------------------

MAX_LEVELS = 3


def _referral_depth(sections: Mapping[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    team = _table(sections, "team")
    stars: list[Any] = team["stars"] if isinstance(team.get("stars"), list) else []
    depth = team.get("max_depth")
    if team and (depth == 0 or (isinstance(depth, int) and depth > MAX_LEVELS)):
        reach = "the whole upline" if depth == 0 else f"{depth} levels"
        reach_zh = "整条上线" if depth == 0 else f"{depth} 层"
        out.append(
            Finding(
                "referral_depth",
                Severity.HIGH,
                "team.max_depth",
                "Team rewards reach deeper than three levels",
                f"Team rewards walk {reach} ({len(stars)} star levels paid as a differential, "
                "级差). Rewards that depend on recruits more than three levels down are the "
                "pattern regulators named as pyramid selling; members earn from building a "
                "downline rather than from what they buy.",
                f"团队奖励沿{reach_zh}发放（{len(stars)} 个星级按级差计算）。"
                "奖励依赖三层以下的下线，是监管点名的传销特征：收益来自发展下线，而非自身消费。",
            )
        )
    referral = _table(sections, "referral")
    generations = 0
    if isinstance(referral.get("acceleration"), list):
        generations = len(referral["acceleration"])
    if isinstance(referral.get("generations"), int):
        generations = max(generations, referral["generations"])
    if generations > MAX_LEVELS:
        out.append(
            Finding(
                "referral_depth",
                Severity.HIGH,
                "referral",
                "Referral rewards reach deeper than three levels",
                f"Referral rewards are paid over {generations} generations; more than three "
                "levels is the pattern regulators named as pyramid selling.",
                f"推荐奖励跨越 {generations} 代；超过三层是监管点名的传销特征。",
            )
        )
    return out


def _paid_positions(sections: Mapping[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    for name in ("agents", "positions"):
        rows = sections.get(name)
        if not isinstance(rows, list):
            continue
        paid = [r for r in rows if isinstance(r, Mapping) and _positive(r.get("fee_fen"))]
        if not paid:
            continue
        levels = ", ".join(
            f"{r.get('level', r.get('name', '?'))} {int(r['fee_fen']) // 100:,} yuan" for r in paid
        )
        out.append(
            Finding(
                "paid_positions",
                Severity.HIGH,
                name,
                "Positions are sold for a fee",
                f"Positions that earn on other people's orders are sold for money ({levels}). "
                "Paying to buy a rank or a regional agency, then earning from the turnover "
                "below it, is an entry fee in the sense regulators warned about.",
                f"可从他人订单中获利的职位以收费方式出售（{levels}）。"
                "缴费购买级别或区域代理并从下级流水中获利，属于监管警示的“入门费”。",
            )
        )
    return out


def _returns(config: EconomyConfig, sections: Mapping[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    if config.pool_share > 0:
        multiple, fee = config.pool.exit_multiple, config.pool.sell_fee
        if multiple is None:
            out.append(
                Finding(
                    "returns_exceed_spend",
                    Severity.HIGH,
                    "pool.exit_multiple",
                    "Cash returns have no cap",
                    "There is no forced exit, so what a member can take out is not limited "
                    "by what they spent. Cash beyond a member's own spending can only come "
                    "from other members' purchases.",
                    "没有强制出局，会员可取出的现金不受其消费额限制。超出本人消费的现金只能来自其他会员的消费。",
                )
            )
        else:
            net = multiple * (1 - fee)
            text = f"{_num(multiple)} × (1 − {_num(fee)}) = {_num(net)}"
            if net > 1:
                out.append(
                    Finding(
                        "returns_exceed_spend",
                        Severity.HIGH,
                        "pool.exit_multiple",
                        "A member can get back more cash than they spent",
                        f"Forced exit pays up to exit multiple × (1 − sell fee) = {text} times "
                        "what the member spent. Cash returns above spending can only be paid "
                        "from later members' purchases, the mark of illegal fund-raising; seed "
                        "004 itself advises keeping static returns below spending (1.2×).",
                        f"强制出局时最多可得消费额的 {text} 倍现金。"
                        "高于消费额的返现只能来自后来会员的消费，"
                        "这是非法集资的特征；资料 004 本身也建议静态收益不超过消费额（1.2 倍）。",
                    )
                )
            else:
                out.append(
                    Finding(
                        "returns_exceed_spend",
                        Severity.INFO,
                        "pool.exit_multiple",
                        "Pool payouts stay at or below what a member spent",
                        f"Exit multiple × (1 − sell fee) = {text} ≤ 1: a member's cash from "
                        "the pool in one cycle does not exceed what they spent.",
                        f"出局倍数 × (1 − 手续费) = {text} ≤ 1："
                        "会员一个周期内从收益池取得的现金不超过其消费额。",
                    )
                )
    grant = _table(sections, "grant")
    levels: list[Any] = grant["levels"] if isinstance(grant.get("levels"), list) else []
    multiples = [_ratio(r.get("multiple")) for r in levels if isinstance(r, Mapping)]
    top = max((m for m in multiples if m is not None), default=None)
    if top is not None and top > 1:
        out.append(
            Finding(
                "returns_exceed_spend",
                Severity.HIGH,
                "grant.levels",
                "Grants are worth more than the purchase",
                f"A purchase is granted up to {_num(top)} × its amount in points, released "
                "back day by day (消费全返 and more). Returning more than was paid can only be "
                "financed by later members.",
                f"一次消费最多获赠 {_num(top)} 倍金额的积分并逐日释放（超过“消费全返”）。"
                "返还超过支付额，只能依靠后来会员的资金。",
            )
        )
    quota = _table(sections, "quota")
    quota_multiple = _ratio(quota.get("multiple"))
    if quota_multiple is not None and quota_multiple > 1:
        out.append(
            Finding(
                "returns_exceed_spend",
                Severity.HIGH,
                "quota.multiple",
                "Dividend quota exceeds the purchase",
                f"Buying gives {_num(quota_multiple)} × its amount in dividend quota: members "
                "are promised back more than they paid, from other members' sales.",
                f"消费获得 {_num(quota_multiple)} 倍金额的分红额度："
                "承诺返还多于所付，资金来自其他会员的消费。",
            )
        )
    issuance = _ratio(grant.get("issuance_ratio"))
    if issuance is not None and issuance >= 1 and not levels:
        out.append(
            Finding(
                "full_rebate",
                Severity.MEDIUM,
                "grant.issuance_ratio",
                "Every yuan spent is granted back in points",
                f"{_num(issuance)} point per yuan spent is released back to the member: a full "
                "rebate (消费全返) if points can be spent or cashed at one yuan.",
                f"每消费一元返还 {_num(issuance)} 积分：若积分可按一元使用或提现，即为“消费全返”。",
            )
        )
    return out


def _turnover_dividends(sections: Mapping[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    dividend = _table(sections, "dividend")
    turnover = [k for k in ("static_share", "dynamic_share") if _positive_ratio(dividend.get(k))]
    if turnover:
        shares = ", ".join(f"{k} {dividend[k]}" for k in turnover)
        out.append(
            Finding(
                "turnover_dividends",
                Severity.HIGH,
                "dividend",
                "Dividends are a fixed share of turnover",
                f"Members are paid a fixed share of each day's sales ({shares}). Dividends "
                "funded by turnover rather than profit keep paying only while new money comes "
                "in; regulators named them as a sign of disguised fund-raising.",
                f"会员按每日销售额的固定比例分红（{shares}）。以流水而非利润支付的分红，"
                "只有新资金流入时才能持续，被监管点名为变相集资的信号。",
            )
        )
    elif _positive_ratio(dividend.get("profit_share")):
        out.append(
            Finding(
                "profit_dividends",
                Severity.MEDIUM,
                "dividend.profit_share",
                "Cash dividends to token holders",
                f"Token holders are paid {dividend['profit_share']} of store profit in cash. "
                "Paid from declared profit rather than turnover, but tokens that pay cash "
                "dividends can be treated as securities; disclose how profit is declared.",
                f"通证持有人按门店利润的 {dividend['profit_share']} 获得现金分红。"
                "来源是利润而非流水，"
                "但支付现金分红的通证可能被视为证券；应公开利润的认定方式。",
            )
        )
    return out


_CASH_PURCHASE_KEYS = ("buy_with_cash", "cash_purchase", "buy_price_fen", "purchase_price_fen")


def _points_for_cash(sections: Mapping[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    for name, table in sections.items():
        if not isinstance(table, Mapping):
            continue
        for key in _CASH_PURCHASE_KEYS:
            value = table.get(key)
            if value is True or _positive(value):
                out.append(
                    Finding(
                        "points_for_cash",
                        Severity.HIGH,
                        f"{name}.{key}",
                        "Points can be bought for cash",
                        "Members can buy points with money. Points bought for cash and sold "
                        "back at a rising price are an investment product, not a loyalty "
                        "reward; the rulebook allows points only from consumption.",
                        "会员可用现金购买积分。用现金买入、再以上涨价格卖出的积分是投资产品而非消费奖励；"
                        "规则只允许通过消费获得积分。",
                    )
                )
    return out


def _disclosure(sections: Mapping[str, Any]) -> list[Finding]:
    text = _table(sections, "disclosure").get("risk_text")
    if isinstance(text, str) and text.strip():
        return []
    return [
        Finding(
            "no_risk_disclosure",
            Severity.MEDIUM,
            "disclosure.risk_text",
            "No risk disclosure",
            "The rules carry no risk disclosure for members. Say plainly that what a member "
            "gets back depends on future purchases by others and is not guaranteed (add "
            '[disclosure] risk_text = "...").',
            "规则中没有面向会员的风险提示。应明确告知：会员能取回多少取决于他人未来的消费，没有任何保证"
            '（添加 [disclosure] risk_text = "..."）。',
        )
    ]


# -- readers ------------------------------------------------------------------------------


def _table(sections: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = sections.get(name)
    return table if isinstance(table, Mapping) else {}


def _positive(value: object) -> bool:
    return type(value) is int and value > 0


def _ratio(value: object) -> Fraction | None:
    if isinstance(value, str):
        try:
            return parse_ratio(value, "value")
        except DomainError:
            return None
    if type(value) is int:
        return Fraction(value)
    return None


def _positive_ratio(value: object) -> bool:
    ratio = _ratio(value)
    return ratio is not None and ratio > 0


def _num(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4g}"


def findings_json(decision: RulesDecision) -> dict[str, Any]:
    """The decision as JSON for the CLI and the report."""
    return {
        "accepted": decision.accepted,
        "strict": decision.strict,
        "not_legal_advice": NOT_LEGAL_ADVICE,
        "findings": [_finding_json(f) for f in decision.findings],
        "blocking": [f.code for f in decision.blocking],
        "acknowledged": [
            {"code": f.code, "operator": a.operator, "reason": a.reason}
            for f, a in decision.acknowledged
        ],
    }


def _finding_json(f: Finding) -> dict[str, str]:
    return {
        "code": f.code,
        "severity": f.severity.value,
        "where": f.where,
        "title": f.title,
        "explanation": f.explanation,
        "explanation_zh": f.explanation_zh,
    }
