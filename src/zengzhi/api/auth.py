"""Logging in: SMS codes, member registration by referral, passwords, operators."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from zengzhi.api.deps import SESSION_COOKIE, EconomyId, ServiceDep, client_ip, session_token
from zengzhi.service import accounts
from zengzhi.service.accounts import NewSession

router = APIRouter(tags=["log in"])


class CodeRequest(BaseModel):
    phone: str = Field(max_length=32, examples=["13800138000"])
    purpose: Literal["register", "login", "reset"] = "login"


class CodeSent(BaseModel):
    sent: bool
    expires_in_seconds: int


class RegisterRequest(BaseModel):
    phone: str = Field(max_length=32)
    code: str = Field(max_length=12, description="The SMS code sent for purpose=register")
    referral_code: str | None = Field(None, max_length=16, description="From the referral link")
    password: str | None = Field(None, max_length=200, description="Optional: for password login")


class CodeLogin(BaseModel):
    phone: str = Field(max_length=32)
    code: str = Field(max_length=12)


class PasswordLogin(BaseModel):
    phone: str = Field(max_length=32)
    password: str = Field(max_length=200)


class PasswordReset(BaseModel):
    phone: str = Field(max_length=32)
    code: str = Field(max_length=12, description="The SMS code sent for purpose=reset")
    new_password: str = Field(max_length=200)


class SessionOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`")
    expires_at: int = Field(description="Microseconds since the Unix epoch (UTC)")
    subject: str = Field(description="The member's or operator's id")


def _session(response: Response, service: ServiceDep, new: NewSession) -> SessionOut:
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=service.settings.session_ttl_seconds,
        httponly=True,
        secure=service.settings.session_cookie_secure,
        samesite="lax",
    )
    return SessionOut(token=new.token, expires_at=new.expires_at, subject=new.subject)


@router.post(
    "/v1/economies/{economy_id}/auth/sms-code",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a one-time code by SMS (limited per phone and per address)",
)
def send_code(
    economy_id: EconomyId, body: CodeRequest, request: Request, service: ServiceDep
) -> CodeSent:
    ttl = accounts.request_code(service, economy_id, body.phone, body.purpose, client_ip(request))
    return CodeSent(sent=True, expires_in_seconds=ttl)


@router.post(
    "/v1/economies/{economy_id}/members",
    status_code=status.HTTP_201_CREATED,
    summary="Register as a member with an SMS code, through a referral code",
)
def register(
    economy_id: EconomyId, body: RegisterRequest, response: Response, service: ServiceDep
) -> SessionOut:
    new = accounts.register(
        service, economy_id, body.phone, body.code, body.referral_code, body.password
    )
    return _session(response, service, new)


@router.post("/v1/economies/{economy_id}/auth/login/sms", summary="Log in with an SMS code")
def login_sms(
    economy_id: EconomyId, body: CodeLogin, response: Response, service: ServiceDep
) -> SessionOut:
    new = accounts.login_with_code(service, economy_id, body.phone, body.code)
    return _session(response, service, new)


@router.post("/v1/economies/{economy_id}/auth/login/password", summary="Log in with a password")
def login_password(
    economy_id: EconomyId, body: PasswordLogin, response: Response, service: ServiceDep
) -> SessionOut:
    new = accounts.login_with_password(service, economy_id, body.phone, body.password)
    return _session(response, service, new)


@router.post(
    "/v1/economies/{economy_id}/auth/password-reset",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with an SMS code (ends every open session)",
)
def password_reset(economy_id: EconomyId, body: PasswordReset, service: ServiceDep) -> None:
    accounts.reset_password(service, economy_id, body.phone, body.code, body.new_password)


@router.post("/v1/operators/login", tags=["operators"], summary="Operator login")
def operator_login(body: PasswordLogin, response: Response, service: ServiceDep) -> SessionOut:
    return _session(response, service, accounts.operator_login(service, body.phone, body.password))


@router.post("/v1/auth/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End this session")
def logout(request: Request, response: Response, service: ServiceDep) -> None:
    token = session_token(request)
    if token:
        accounts.logout(service, token)
    response.delete_cookie(SESSION_COOKIE)
