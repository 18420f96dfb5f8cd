"""Accounts: member registration by referral, SMS codes, passwords, sessions; operators.

SMS codes live `sms_code_ttl_seconds`, are stored as keyed hashes bound to phone and
purpose, are limited per phone and per client address per hour, and a run of wrong codes
(or passwords) locks the phone for a while. Sessions are opaque random tokens; only their
SHA-256 is stored, so the same lookup serves a Bearer header and an HttpOnly cookie.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from zengzhi.app import register_member
from zengzhi.app.errors import UnknownEconomy
from zengzhi.domain.errors import DomainError
from zengzhi.security.codes import code_digest, code_matches, new_code
from zengzhi.security.passwords import WeakPassword, hash_password, verify_password
from zengzhi.service.context import MICROS, Service
from zengzhi.service.errors import (
    InvalidInput,
    Locked,
    NotFound,
    PhoneTaken,
    RateLimited,
    SmsFailed,
    Unauthenticated,
    UnknownReferral,
    WrongCode,
    WrongCredentials,
)
from zengzhi.sms import SmsError

PURPOSES = ("register", "login", "reset")
OPERATORS = ""  # the "economy" under which operators' locks are kept (they span economies)
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")
HOUR = 3600 * MICROS


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a session belongs to."""

    kind: str  # "member" or "operator"
    economy_id: str  # "" for operators
    subject: str  # member id or operator id


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    expires_at: int
    subject: str


def normalise_phone(phone: str) -> str:
    cleaned = re.sub(r"[\s-]", "", phone or "")
    if not _PHONE.match(cleaned):
        raise InvalidInput("a phone number is 6 to 15 digits, optionally starting with +")
    return cleaned


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def random_id(prefix: str, nbytes: int = 10) -> str:
    """A short random id in lower-case base32 (no padding), e.g. m_k3j5x2..."""
    text = base64.b32encode(secrets.token_bytes(nbytes)).decode().rstrip("=").lower()
    return f"{prefix}{text}"


def referral_code() -> str:
    """8 characters of base32 (40 bits): short enough to read out, hard to guess."""
    return base64.b32encode(secrets.token_bytes(5)).decode()


def referral_link(svc: Service, economy_id: str, code: str) -> str:
    base = svc.settings.public_base_url.rstrip("/")
    return f"{base}/m/join?economy={economy_id}&ref={code}"


def _password_hash(password: str) -> str:
    try:
        return hash_password(password)
    except WeakPassword as error:
        raise InvalidInput(str(error)) from None


# -- SMS codes ----------------------------------------------------------------------------


def request_code(svc: Service, economy_id: str, phone: str, purpose: str, ip: str) -> int:
    """Send a code (after the commit); the seconds it stays valid."""
    phone = normalise_phone(phone)
    if purpose not in PURPOSES:
        raise InvalidInput(f"purpose must be one of {', '.join(PURPOSES)}")
    settings = svc.settings
    ttl = settings.sms_code_ttl_seconds

    def work(uow: Any) -> None:
        store = uow.service
        now = svc.now()
        if not store.economy_exists(economy_id):
            raise UnknownEconomy(f"no economy {economy_id!r}")
        _check_not_locked(store, economy_id, phone, now)
        if store.codes_sent_to(economy_id, phone, now - HOUR) >= settings.sms_per_phone_per_hour:
            raise RateLimited("too many codes for this phone in the last hour; try again later")
        if store.codes_asked_from(ip, now - HOUR) >= settings.sms_per_ip_per_hour:
            raise RateLimited("too many codes from this address in the last hour")
        code = new_code()
        digest = code_digest(svc.secret, f"{economy_id}|{purpose}", phone, code)
        store.add_code(economy_id, phone, purpose, digest, ip, now, now + ttl * MICROS)
        uow.on_commit(lambda: svc.sms.send_code(phone, code))

    try:
        svc.run(work)
    except SmsError as error:  # the code is stored but never arrived: say so plainly
        raise SmsFailed(f"the SMS could not be sent ({error.code}); try again later") from None
    return ttl


def _check_not_locked(store: Any, economy_id: str, phone: str, now: int) -> None:
    lock = store.lock_of(economy_id, phone)
    if lock is not None and lock.locked_until > now:
        minutes = max(1, (lock.locked_until - now) // (60 * MICROS))
        raise Locked(f"too many wrong attempts: this phone is locked for {minutes} more minutes")


def _failure(svc: Service, store: Any, economy_id: str, phone: str, now: int) -> DomainError:
    """Count a wrong code or password; lock after too many. Returned, to be raised after
    the commit so that the count is kept."""
    lock = store.lock_of(economy_id, phone)
    failures = (lock.failures if lock is not None else 0) + 1
    if failures >= svc.settings.sms_wrong_codes_before_lock:
        store.set_lock(economy_id, phone, 0, now + svc.settings.sms_lock_seconds * MICROS)
        return Locked("too many wrong attempts: this phone is locked for a while")
    store.set_lock(economy_id, phone, failures, 0)
    return WrongCode("the code is wrong or has expired")


def _take_code(
    svc: Service, store: Any, economy_id: str, phone: str, purpose: str, code: str, now: int
) -> DomainError | None:
    """Consume a matching live code; otherwise the refusal to raise after the commit."""
    _check_not_locked(store, economy_id, phone, now)
    for row in store.live_codes(economy_id, phone, purpose, now):
        if code_matches(svc.secret, f"{economy_id}|{purpose}", phone, code or "", row.digest):
            store.use_code(economy_id, row.id, now)
            store.set_lock(economy_id, phone, 0, 0)
            return None
    return _failure(svc, store, economy_id, phone, now)


# -- sessions -------------------------------------------------------------------------------


def _new_session(
    svc: Service, store: Any, kind: str, economy_id: str, subject: str, now: int
) -> NewSession:
    token = secrets.token_urlsafe(32)
    expires = now + svc.settings.session_ttl_seconds * MICROS
    store.add_session(token_hash(token), kind, economy_id, subject, now, expires)
    return NewSession(token, expires, subject)


def authenticate(svc: Service, store: Any, token: str | None) -> Principal:
    if not token:
        raise Unauthenticated("log in first: send the session token as a Bearer token")
    row = store.session(token_hash(token))
    if row is None or row.revoked_at is not None or row.expires_at <= svc.now():
        raise Unauthenticated("the session is unknown or has expired: log in again")
    return Principal(row.kind, row.economy_id, row.subject_id)


def logout(svc: Service, token: str) -> None:
    svc.run(lambda uow: uow.service.revoke_session(token_hash(token), svc.now()))


# -- members ---------------------------------------------------------------------------------


def register(
    svc: Service,
    economy_id: str,
    phone: str,
    code: str,
    referral: str | None,
    password: str | None,
) -> NewSession:
    """A new member, bound for good to the member whose referral code brought them."""
    phone = normalise_phone(phone)
    password_hash = _password_hash(password) if password else None

    def work(uow: Any) -> NewSession | DomainError:
        store = uow.service
        now = svc.now()
        if not store.economy_exists(economy_id):
            raise UnknownEconomy(f"no economy {economy_id!r}")
        refused = _take_code(svc, store, economy_id, phone, "register", code, now)
        if refused is not None:
            return refused
        if store.member_by_phone(economy_id, phone) is not None:
            raise PhoneTaken("this phone already has an account here: log in instead")
        referrer = None
        if referral:
            found = store.member_by_code(economy_id, referral.strip().upper())
            if found is None:
                raise UnknownReferral(f"no member has the referral code {referral!r}")
            referrer = found.member_id
        member_id = create_member(uow, economy_id, phone, referrer, password_hash, now)
        return _new_session(svc, store, "member", economy_id, member_id, now)

    return svc.run(work)


def create_member(
    uow: Any,
    economy_id: str,
    phone: str,
    referrer: str | None,
    password_hash: str | None,
    now: int,
) -> str:
    """The member's ledger party and account; their id (random, shown instead of phones)."""
    store = uow.service
    member_id = random_id("m_")
    register_member(uow, economy_id, member_id, now, referrer=referrer)
    if not store.add_member_account(
        economy_id, member_id, phone, password_hash, referral_code(), referrer, now
    ):
        raise PhoneTaken("this phone already has an account here: log in instead")
    store.audit(
        economy_id, now, f"member:{member_id}", "member.registered", member_id,
        {"referrer": referrer},
    )  # fmt: skip
    return member_id


def login_with_code(svc: Service, economy_id: str, phone: str, code: str) -> NewSession:
    phone = normalise_phone(phone)

    def work(uow: Any) -> NewSession | DomainError:
        store = uow.service
        now = svc.now()
        refused = _take_code(svc, store, economy_id, phone, "login", code, now)
        if refused is not None:
            return refused
        member = store.member_by_phone(economy_id, phone)
        if member is None:
            raise NotFound("no account for this phone here: register with a referral code")
        return _new_session(svc, store, "member", economy_id, member.member_id, now)

    return svc.run(work)


def login_with_password(svc: Service, economy_id: str, phone: str, password: str) -> NewSession:
    phone = normalise_phone(phone)

    def work(uow: Any) -> NewSession | DomainError:
        store = uow.service
        now = svc.now()
        _check_not_locked(store, economy_id, phone, now)
        member = store.member_by_phone(economy_id, phone)
        if (
            member is None
            or member.password_hash is None
            or not verify_password(member.password_hash, password)
        ):
            refused = _failure(svc, store, economy_id, phone, now)
            if isinstance(refused, WrongCode):
                refused = WrongCredentials("the phone number or password is wrong")
            return refused
        store.set_lock(economy_id, phone, 0, 0)
        return _new_session(svc, store, "member", economy_id, member.member_id, now)

    return svc.run(work)


def reset_password(svc: Service, economy_id: str, phone: str, code: str, password: str) -> None:
    """Set a new password with an SMS code; every open session of the member ends."""
    phone = normalise_phone(phone)
    new_hash = _password_hash(password)

    def work(uow: Any) -> DomainError | None:
        store = uow.service
        now = svc.now()
        refused = _take_code(svc, store, economy_id, phone, "reset", code, now)
        if refused is not None:
            return refused
        member = store.member_by_phone(economy_id, phone)
        if member is None:
            raise NotFound("no account for this phone here")
        store.set_member_password(economy_id, member.member_id, new_hash)
        store.revoke_sessions_of(economy_id, "member", member.member_id, now)
        store.audit(
            economy_id, now, f"member:{member.member_id}", "member.password_reset",
            member.member_id, {},
        )  # fmt: skip
        return None

    svc.run(work)


# -- operators ---------------------------------------------------------------------------------


def create_operator(svc: Service, uow: Any, phone: str, name: str, password: str, now: int) -> str:
    """An operator account (global); returns its id. Its roles are granted per economy."""
    phone = normalise_phone(phone)
    store = uow.service
    if store.operator_by_phone(phone) is not None:
        raise PhoneTaken("an operator with this phone exists")
    operator_id = random_id("op_", 6)
    if not store.add_operator(
        operator_id, phone, name.strip() or phone, _password_hash(password), now
    ):
        raise PhoneTaken("an operator with this phone exists")
    return operator_id


def operator_login(svc: Service, phone: str, password: str) -> NewSession:
    phone = normalise_phone(phone)

    def work(uow: Any) -> NewSession | DomainError:
        store = uow.service
        now = svc.now()
        _check_not_locked(store, OPERATORS, phone, now)
        operator = store.operator_by_phone(phone)
        if operator is None or not verify_password(operator.password_hash, password):
            refused = _failure(svc, store, OPERATORS, phone, now)
            if isinstance(refused, WrongCode):
                refused = WrongCredentials("the phone number or password is wrong")
            return refused
        store.set_lock(OPERATORS, phone, 0, 0)
        return _new_session(svc, store, "operator", OPERATORS, operator.operator_id, now)

    return svc.run(work)
