"""The fast path: the same day loop as `sim.exact`, jitted by numba over integer arrays.

Parity with `PoolEngine` is to the fen and the micro-point, not approximate:
- Every floor(a·b·c / d) uses a float64 quotient only as a first guess, then corrects it
  with the exact remainder a·b·c − q·d computed in wrapping 64-bit integer arithmetic.
  The remainder is small (|r| < 64·d), so its low 64 bits are its true value whenever
  d < 2^56; numba integers wrap like C. No float ever reaches a balance.
- Every comparison (exit line, take-profit line, heap order, panic trigger) is decided by
  float64 only when the two sides differ by more than 1e-9 relatively (far above float
  error); closer calls go to an exact multi-limb product comparison (`_cmp`).
- Forced exits use a binary heap ordered exactly by threshold spend/points, then by join
  order, with lazily skipped stale entries: the same order as the engine's exit index.

Bounds relied on, checked by `check_bounds` before every run (a run outside them is
refused with a message, never computed wrongly): all orders together ≤ 2^56 fen; the pool
≤ 2^49 fen (5.6 trillion yuan; it never exceeds the sum of pool contributions); points
outstanding ≤ 2^53 micro-points (the price never falls below the initial price, so points
≤ pool ÷ initial price); every ratio's numerator and denominator ≤ 2^20; and every divisor
(points × (1 − fee) denominator, pool × points-ratio denominator) below 2^56. Then every
factor handed to `_cmp` is below 2^62 and every quotient of `_floor3` below 2^62.
"""

from __future__ import annotations

import threading
from fractions import Fraction
from typing import Any

import numpy as np
from numba import njit

from zengzhi.sim.commission import commission_for, is_local_life
from zengzhi.sim.exact import apply_commission
from zengzhi.sim.plan import Plan
from zengzhi.sim.result import DAILY_COLUMNS, MEMBER_COLUMNS, D, M, RunResult
from zengzhi.sim.scenario import Scenario, ScenarioError

POOL_LIMIT = 2**49
POINTS_LIMIT = 2**53
RATIO_LIMIT = 2**20
ORDER_LIMIT = 2**40
_MARGIN = 1e-9
_MASK = (1 << 31) - 1
_LIMBS = 10
BURN_EVERY_DAYS = 30

# column indices, read once as compile-time constants by numba
_ARR, _ORD, _CIN, _PIN = D["arrivals"], D["orders"], D["cash_in_fen"], D["pool_in_fen"]
_SAL, _SPAY, _EXI, _EPAY = D["sales"], D["sale_payout_fen"], D["exits"], D["exit_payout_fen"]
_BUR, _POOL, _PTS = D["burned_micro"], D["pool_fen"], D["points_micro"]
_PRICE, _HOLD = D["price_micro_yuan"], D["holders"]
_MJOIN, _MORD, _MSPENT, _MCONTRIB = (
    M["join_day"],
    M["orders"],
    M["spent_fen"],
    M["pool_contribution_fen"],
)
_MRECV, _MEXITS, _MSALES = M["received_fen"], M["exits"], M["sales"]
_MOUT, _MPTS, _MCYCLE = M["first_out_day"], M["points_micro"], M["cycle_spend_fen"]
_N_DAILY, _N_MEMBER = len(DAILY_COLUMNS), len(MEMBER_COLUMNS)


# -- exact arithmetic helpers -------------------------------------------------------------


@njit(cache=True, inline="always")
def _floor3(a: int, b: int, c: int, d: int) -> int:
    """floor(a·b·c / d) for non-negative a, b, c and 0 < d < 2^56, result < 2^62."""
    q = int(float(a) * float(b) * float(c) / float(d))
    r = a * b * c - q * d  # wraps; exact because the true remainder is small
    while r < 0:
        q -= 1
        r += d
    while r >= d:
        q += 1
        r -= d
    return q


@njit(cache=True)
def _mul_limbs(limbs: np.ndarray, x: int) -> None:
    """limbs *= x in place, for 0 ≤ x < 2^62 (base 2^31 limbs)."""
    lo = x & _MASK
    hi = x >> 31
    shifted = np.zeros(_LIMBS, dtype=np.int64)
    carry = 0
    for i in range(_LIMBS - 1):
        t = limbs[i] * hi + carry
        shifted[i + 1] = t & _MASK
        carry = t >> 31
    carry = 0
    for i in range(_LIMBS):
        t = limbs[i] * lo + shifted[i] + carry
        limbs[i] = t & _MASK
        carry = t >> 31


@njit(cache=True)
def _cmp(a0: int, a1: int, a2: int, a3: int, b0: int, b1: int, b2: int, b3: int) -> int:
    """Sign of a0·a1·a2·a3 − b0·b1·b2·b3, exactly (factors 0 ≤ f < 2^62)."""
    fa = float(a0) * float(a1) * float(a2) * float(a3)
    fb = float(b0) * float(b1) * float(b2) * float(b3)
    if fa > fb * (1.0 + _MARGIN):
        return 1
    if fa < fb * (1.0 - _MARGIN):
        return -1
    la = np.zeros(_LIMBS, dtype=np.int64)
    lb = np.zeros(_LIMBS, dtype=np.int64)
    la[0] = 1
    lb[0] = 1
    _mul_limbs(la, a0)
    _mul_limbs(la, a1)
    _mul_limbs(la, a2)
    _mul_limbs(la, a3)
    _mul_limbs(lb, b0)
    _mul_limbs(lb, b1)
    _mul_limbs(lb, b2)
    _mul_limbs(lb, b3)
    for i in range(_LIMBS - 1, -1, -1):
        if la[i] != lb[i]:
            return 1 if la[i] > lb[i] else -1
    return 0


# -- the exit heap: entries (spend, points, seq, version), ordered by spend/points, seq --------


@njit(cache=True, inline="always")
def _before(si: int, pi: int, qi: int, sj: int, pj: int, qj: int) -> bool:
    """Exit order of two heap entries: threshold spend/points, then join order.

    Scalars only: numba reference-counts arrays passed to a function, which would cost
    more than the comparison on the hot path. Floats decide clear cases; close calls
    (within 1e-9) go to the exact comparison.
    """
    ki = float(si) / float(pi)
    kj = float(sj) / float(pj)
    if ki < kj * (1.0 - _MARGIN):
        return True
    if ki > kj * (1.0 + _MARGIN):
        return False
    c = _cmp(si, pj, 1, 1, sj, pi, 1, 1)
    if c != 0:
        return c < 0
    return qi < qj


@njit(cache=True, inline="always")
def _less(hs: np.ndarray, hp: np.ndarray, hq: np.ndarray, i: int, j: int) -> bool:
    return _before(hs[i], hp[i], hq[i], hs[j], hp[j], hq[j])


@njit(cache=True, inline="always")
def _swap(hs: np.ndarray, hp: np.ndarray, hq: np.ndarray, hv: np.ndarray, i: int, j: int) -> None:
    hs[i], hs[j] = hs[j], hs[i]
    hp[i], hp[j] = hp[j], hp[i]
    hq[i], hq[j] = hq[j], hq[i]
    hv[i], hv[j] = hv[j], hv[i]


@njit(cache=True)
def _sift_down(
    hs: np.ndarray, hp: np.ndarray, hq: np.ndarray, hv: np.ndarray, size: int, i: int
) -> None:
    while True:
        left = 2 * i + 1
        if left >= size:
            return
        child = left
        if left + 1 < size and _less(hs, hp, hq, left + 1, left):
            child = left + 1
        if not _less(hs, hp, hq, child, i):
            return
        _swap(hs, hp, hq, hv, i, child)
        i = child


@njit(cache=True)
def _pop(hs: np.ndarray, hp: np.ndarray, hq: np.ndarray, hv: np.ndarray, size: int) -> int:
    size -= 1
    if size > 0:
        _swap(hs, hp, hq, hv, 0, size)
        _sift_down(hs, hp, hq, hv, size, 0)
    return size


@njit(cache=True)
def _rebuild(
    hs: np.ndarray,
    hp: np.ndarray,
    hq: np.ndarray,
    hv: np.ndarray,
    points: np.ndarray,
    spend: np.ndarray,
    version: np.ndarray,
    joined: int,
) -> int:
    size = 0
    for i in range(joined):
        if points[i] > 0:
            hs[size], hp[size], hq[size], hv[size] = spend[i], points[i], i, version[i]
            size += 1
    for i in range(size // 2 - 1, -1, -1):
        _sift_down(hs, hp, hq, hv, size, i)
    return size


# -- the day loop -------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _run(
    # the plan
    day_start: Any, order_member: Any, order_amount: Any, order_pool: Any, n_members: Any,
    member_group: Any, member_run: Any, watch: Any,
    # pool rules
    rn: Any, rd: Any, kn: Any, kd: Any, exits_on: Any, mn: Any, md: Any,
    idle_a0: Any, idle_b0: Any, cap: Any,
    # burn rate
    burn_n: Any, burn_d: Any,
    # behaviours
    g_kind: Any, g_num: Any, g_den: Any, g_window: Any, run_day: Any, stop_after_exit: Any,
    # reused buffers
    mem_buf: Any, member_buf: Any, heap_buf: Any,
) -> Any:  # fmt: skip
    horizon = len(day_start) - 1
    daily = np.zeros((horizon, _N_DAILY), dtype=np.int64)
    placed = np.zeros(len(order_member), dtype=np.bool_)
    # reused buffers (see Workspace): reset only the part this run uses
    mem = mem_buf[:n_members]
    mem[:, :] = 0
    for i in range(n_members):
        mem[i, _MOUT] = -1
    member_buf[:, :n_members] = 0
    points = member_buf[0, :n_members]
    spend = member_buf[1, :n_members]
    version = member_buf[2, :n_members]
    left = member_buf[3, :n_members]  # 0 or 1
    cap_heap = heap_buf.shape[1]
    hs = heap_buf[0]
    hp = heap_buf[1]
    hq = heap_buf[2]
    hv = heap_buf[3]
    size = 0
    close_a = np.zeros(horizon, dtype=np.int64)  # closing price as a pair a/b (fen per micro)
    close_b = np.zeros(horizon, dtype=np.int64)
    n_groups = len(g_kind)
    fired = np.zeros(n_groups, dtype=np.bool_)
    pool = 0
    outstanding = 0
    issued = 0
    idle_a = idle_a0
    idle_b = idle_b0
    holders = 0
    joined = 0
    for day in range(horizon):
        # 1. orders
        for k in range(day_start[day], day_start[day + 1]):
            i = order_member[k]
            if stop_after_exit and left[i] != 0:
                continue
            placed[k] = True
            amount = order_amount[k]
            c = order_pool[k]
            if i == joined:
                joined += 1
                daily[day, _ARR] += 1
                mem[i, _MJOIN] = day
            if outstanding > 0:
                minted = _floor3(rn, c, outstanding, rd * pool)
            else:
                minted = _floor3(rn, c, idle_b, rd * idle_a)
            if cap >= 0 and issued + minted >= cap:
                minted = max(0, cap - issued)
            pool += c
            outstanding += minted
            issued += minted
            if points[i] == 0 and minted > 0:
                holders += 1
            points[i] += minted
            spend[i] += amount
            version[i] += 1
            if exits_on and points[i] > 0:
                if size >= cap_heap - 1:
                    size = _rebuild(hs, hp, hq, hv, points, spend, version, joined)
                # push (inline: no array arguments on the hot path)
                pos = size
                hs[pos], hp[pos], hq[pos], hv[pos] = spend[i], points[i], i, version[i]
                while pos > 0:
                    up = (pos - 1) // 2
                    if not _before(hs[pos], hp[pos], hq[pos], hs[up], hp[up], hq[up]):
                        break
                    hs[pos], hs[up] = hs[up], hs[pos]
                    hp[pos], hp[up] = hp[up], hp[pos]
                    hq[pos], hq[up] = hq[up], hq[pos]
                    hv[pos], hv[up] = hv[up], hv[pos]
                    pos = up
                size += 1
            daily[day, _ORD] += 1
            daily[day, _CIN] += amount
            daily[day, _PIN] += c
            mem[i, _MORD] += 1
            mem[i, _MSPENT] += amount
            mem[i, _MCONTRIB] += c
            # the exact cascade runs unless the heap's top is live and clearly below the line
            if (
                exits_on
                and size > 0
                and (
                    hv[0] != version[hq[0]]
                    or float(hp[0]) * float(pool) * float(md)
                    >= float(mn) * float(hs[0]) * float(outstanding) * (1.0 - _MARGIN)
                )
            ):
                pool, outstanding, idle_a, idle_b, size, holders = _cascade(
                    day, pool, outstanding, idle_a, idle_b, size, holders, hs, hp, hq, hv,
                    points, spend, version, left, kn, kd, mn, md, daily, mem,
                )  # fmt: skip

        # 2. end of day: panic triggers on the price before anyone sells today
        now_a, now_b = (pool, outstanding) if outstanding > 0 else (idle_a, idle_b)
        for g in range(n_groups):
            fired[g] = False
            if g_kind[g] == 2 and day - g_window[g] >= 0:
                then = day - g_window[g]
                # now < (1 + θ) · then  ⇔  now_a·then_b·den < (den + num)·then_a·now_b
                fired[g] = (
                    _cmp(now_a, close_b[then], g_den[g], 1,
                         g_den[g] + g_num[g], close_a[then], now_b, 1) < 0
                )  # fmt: skip
        for w in range(len(watch)):
            i = watch[w]
            if i >= joined:
                break
            if points[i] == 0:
                continue
            g = member_group[i]
            sell = member_run[i] and day == run_day
            if not sell and g_kind[g] == 1:
                sell = _cmp(points[i], pool, g_den[g], 1, g_num[g], spend[i], outstanding, 1) >= 0
            if not sell and g_kind[g] == 2:
                sell = fired[g]
            if sell:
                pool, outstanding, idle_a, idle_b, payout = _sell_all(
                    i, pool, outstanding, idle_a, idle_b, points, kn, kd
                )
                holders -= 1
                version[i] += 1
                left[i] = 1
                daily[day, _SAL] += 1
                daily[day, _SPAY] += payout
                mem[i, _MSALES] += 1
                mem[i, _MRECV] += payout
                if mem[i, _MOUT] < 0:
                    mem[i, _MOUT] = day
                if exits_on:
                    pool, outstanding, idle_a, idle_b, size, holders = _cascade(
                        day, pool, outstanding, idle_a, idle_b, size, holders, hs, hp, hq, hv,
                        points, spend, version, left, kn, kd, mn, md, daily, mem,
                    )  # fmt: skip

        # 3. monthly burn
        if burn_n > 0 and (day + 1) % BURN_EVERY_DAYS == 0:
            burned = 0
            for i in range(joined):
                b = points[i] * burn_n // burn_d
                if b > 0:
                    points[i] -= b
                    burned += b
                    if points[i] == 0:
                        holders -= 1
            if burned > 0:
                if burned == outstanding:
                    idle_a, idle_b = pool, outstanding
                outstanding -= burned
                daily[day, _BUR] += burned
                for i in range(joined):
                    version[i] += 1
                if exits_on:
                    size = _rebuild(hs, hp, hq, hv, points, spend, version, joined)
                    pool, outstanding, idle_a, idle_b, size, holders = _cascade(
                        day, pool, outstanding, idle_a, idle_b, size, holders, hs, hp, hq, hv,
                        points, spend, version, left, kn, kd, mn, md, daily, mem,
                    )  # fmt: skip

        close_a[day], close_b[day] = (pool, outstanding) if outstanding > 0 else (idle_a, idle_b)
        daily[day, _POOL] = pool
        daily[day, _PTS] = outstanding
        daily[day, _PRICE] = _floor3(close_a[day], 10_000_000_000, 1, close_b[day])
        daily[day, _HOLD] = holders
    for i in range(n_members):
        mem[i, _MPTS] = points[i]
        mem[i, _MCYCLE] = spend[i]
    return daily, mem, placed


@njit(cache=True)
def _sell_all(
    i: Any, pool: Any, outstanding: Any, idle_a: Any, idle_b: Any, points: Any, kn: Any, kd: Any
) -> Any:
    """Sell all of member i's points: payout floor(n·F·keep / N); the fee stays in the pool."""
    n = points[i]
    if n == outstanding:
        idle_a, idle_b = pool, outstanding
    payout = _floor3(n, pool, kn, outstanding * kd)
    pool -= payout
    outstanding -= n
    points[i] = 0
    return pool, outstanding, idle_a, idle_b, payout


@njit(cache=True)
def _cascade(
    day: Any, pool: Any, outstanding: Any, idle_a: Any, idle_b: Any, size: Any, holders: Any,
    hs: Any, hp: Any, hq: Any, hv: Any, points: Any, spend: Any, version: Any, left: Any,
    kn: Any, kd: Any, mn: Any, md: Any, daily: Any, mem: Any,
) -> Any:  # fmt: skip
    """Force out every member over the line, lowest threshold first, ties by join order."""
    while outstanding > 0 and size > 0:
        i = hq[0]
        if hv[0] != version[i]:
            size = _pop(hs, hp, hq, hv, size)
            continue
        # over the line: p·F·md ≥ mn·S·N
        if _cmp(points[i], pool, md, 1, mn, spend[i], outstanding, 1) < 0:
            break
        size = _pop(hs, hp, hq, hv, size)
        pool, outstanding, idle_a, idle_b, payout = _sell_all(
            i, pool, outstanding, idle_a, idle_b, points, kn, kd
        )
        holders -= 1
        spend[i] = 0
        version[i] += 1
        left[i] = 1
        daily[day, _EXI] += 1
        daily[day, _EPAY] += payout
        mem[i, _MEXITS] += 1
        mem[i, _MRECV] += payout
        if mem[i, _MOUT] < 0:
            mem[i, _MOUT] = day
    return pool, outstanding, idle_a, idle_b, size, holders


# -- the Python face ----------------------------------------------------------------------


def check_bounds(scenario: Scenario, plan: Plan, order_pool: np.ndarray) -> None:
    """Refuse, with a reason, a run whose numbers could leave the kernel's exact range."""
    rules = scenario.economy.pool
    ratios = [
        rules.points_ratio,
        1 - rules.sell_fee,
        rules.initial_price,
        scenario.economy.monthly_burn,
    ]
    ratios += [rules.exit_multiple or Fraction(1), scenario.economy.pool_share]
    ratios += [b.multiple or Fraction(1) for b in scenario.behaviours]
    ratios += [1 + (b.threshold or Fraction(0)) for b in scenario.behaviours]
    if any(max(r.numerator, r.denominator) > RATIO_LIMIT for r in ratios):
        raise ScenarioError("a ratio has more than 6 significant digits; use engine = 'exact'")
    # sums are bounded in float first so that the exact int64 sums below cannot wrap
    if order_pool.astype(np.float64).sum() > 2.0**55:
        raise ScenarioError("the pool could exceed 2^49 fen; use engine = 'exact'")
    total_pool = int(order_pool.sum())
    total_cash = float(plan.order_amount.astype(np.float64).sum())
    # the price never falls below the initial price, so points ≤ pool / initial price
    price = rules.initial_price
    max_points = total_pool * 10_000 * price.denominator // price.numerator
    keep, ratio = 1 - rules.sell_fee, rules.points_ratio
    limits = [
        (total_cash < 2.0**56, "all orders together exceed 2^56 fen"),
        (total_pool <= POOL_LIMIT, "the pool could exceed 2^49 fen"),
        (max_points <= POINTS_LIMIT, "points outstanding could exceed 2^53 micro-points"),
        (max_points * keep.denominator < 2**56, "a sale's divisor could exceed 2^56"),
        (total_pool * ratio.denominator < 2**56, "a mint's divisor could exceed 2^56"),
        (price.numerator * ratio.denominator < 2**56, "the first mint's divisor is too large"),
    ]
    for ok, why in limits:
        if not ok:
            raise ScenarioError(f"{why}, outside the kernel's exact range; use engine = 'exact'")


def pool_parts(scenario: Scenario, plan: Plan) -> np.ndarray:
    """Each order's pool contribution, rounded up as `EconomyConfig.pool_contribution`."""
    share = scenario.economy.pool_share
    return -((-plan.order_amount * share.numerator) // share.denominator)


def kernel_refusal(scenario: Scenario) -> str | None:
    """Why the kernel cannot run this scenario (it has no rule for it), or None."""
    if any(b.kind == "convert" for b in scenario.behaviours):
        return "conversions to stable points (§2) run on the exact engine only"
    return None


def run_kernel(scenario: Scenario, plan: Plan, reuse: bool = False) -> RunResult:
    """Run one seed's plan in the jitted kernel; same columns as `run_exact`.

    With `reuse`, the members array is a view into this thread's buffers, valid until
    the thread's next kernel run: for callers that reduce it at once (Monte Carlo).
    """
    refusal = kernel_refusal(scenario)
    if refusal is not None:
        raise ScenarioError(f"{refusal}; use engine = 'exact'")
    if plan.n_orders and int(plan.order_amount.max()) > ORDER_LIMIT:
        raise ScenarioError(
            "an order above 2^40 fen is outside the kernel's range; use engine = 'exact'"
        )
    config = scenario.economy
    commission = commission_for(config, scenario.stores, plan) if is_local_life(config) else None
    order_pool = commission.pool_fen if commission is not None else pool_parts(scenario, plan)
    check_bounds(scenario, plan, order_pool)
    rules = config.pool
    keep = 1 - rules.sell_fee
    multiple = rules.exit_multiple
    burn = config.monthly_burn
    codes = {"hold": 0, "take_profit": 1, "panic": 2}
    behaviours = scenario.behaviours
    g_num = [(b.multiple or b.threshold or Fraction(0)).numerator for b in behaviours]
    g_den = [(b.multiple or b.threshold or Fraction(1)).denominator for b in behaviours]
    daily, members, placed = _run(
        plan.day_start, plan.order_member, plan.order_amount, order_pool, plan.n_members,
        plan.member_group, plan.member_bank_run, plan.watch,
        rules.points_ratio.numerator, rules.points_ratio.denominator,
        keep.numerator, keep.denominator,
        multiple is not None,
        multiple.numerator if multiple is not None else 0,
        multiple.denominator if multiple is not None else 1,
        rules.initial_price.numerator, rules.initial_price.denominator * 10_000,
        rules.issuance_cap_micro if rules.issuance_cap_micro is not None else -1,
        burn.numerator, burn.denominator,
        np.array([codes[b.kind] for b in behaviours], dtype=np.int64),
        np.array(g_num, dtype=np.int64), np.array(g_den, dtype=np.int64),
        np.array([b.window_days for b in behaviours], dtype=np.int64),
        scenario.bank_run.day if scenario.bank_run is not None else -1,
        scenario.repeat.after_exit == "stop",
        *_workspace(plan.n_members),
    )  # fmt: skip
    result = RunResult(plan.seed, "kernel", daily, members if reuse else members.copy())
    if commission is not None:
        apply_commission(result, commission, plan, placed)
    return result


_local = threading.local()


def _workspace(n_members: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """This thread's buffers, grown as needed and reused from run to run.

    Touching fresh memory (page faults) costs more than the simulation itself on large
    runs, so a Monte Carlo keeps one set of buffers per thread. The exit heap holds
    n + 1026 rows; when it fills with stale rows it is rebuilt from the live holders.
    """
    have = getattr(_local, "buffers", None)
    if have is None or have[0].shape[0] < n_members:
        size = max(n_members, 1024)
        have = (
            np.zeros((size, _N_MEMBER), dtype=np.int64),
            np.zeros((4, size), dtype=np.int64),
            np.zeros((4, size + 1026), dtype=np.int64),
        )
        _local.buffers = have
    return have
