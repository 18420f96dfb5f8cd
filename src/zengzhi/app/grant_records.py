"""The stored records of locked grants and shared purchase, as the store hands them over."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GrantRow:
    grant_id: str
    member_id: str
    event_seq: int
    created_at: int
    level: str
    points_micro: int
    base_micro: int
    remaining_micro: int


@dataclass(frozen=True, slots=True)
class MemberStanding:
    member_id: str
    day: str
    level: str
    star: int
    team_fen: int
    team_size: int
    health: int
    base_micro: int
    referral_micro: int
    team_micro: int
    peer_micro: int


@dataclass(frozen=True, slots=True)
class DayTotals:
    day: str
    event_seq: int
    sales_fen: int
    base_micro: int
    referral_micro: int
    team_micro: int
    peer_micro: int
    forfeited_micro: int
    members: int
