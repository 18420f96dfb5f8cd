"""What the routes share: the service, the caller's session, the caller's address.

A session token is read from `Authorization: Bearer <token>` or from the HttpOnly cookie
`zz_session` (the web pages), with one lookup for both.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from zengzhi.service import Service
from zengzhi.service.accounts import Principal, authenticate
from zengzhi.service.errors import Forbidden
from zengzhi.store.service_repository import reading

SESSION_COOKIE = "zz_session"
EconomyId = Annotated[str, Path(min_length=1, max_length=64, description="The economy's id")]


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


def _principal(service: Service, token: str | None) -> Principal:
    with reading(service.database) as store:
        return authenticate(service, store, token)


def current_principal(request: Request, service: ServiceDep) -> Principal:
    return _principal(service, session_token(request))


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def current_member(economy_id: EconomyId, principal: PrincipalDep) -> str:
    """The logged-in member's id; a member of another economy is refused."""
    if principal.kind != "member":
        raise Forbidden("this needs a member's session")
    if principal.economy_id != economy_id:
        raise Forbidden("your session belongs to another economy")
    return principal.subject


def current_operator(principal: PrincipalDep) -> str:
    if principal.kind != "operator":
        raise Forbidden("this needs an operator's session")
    return principal.subject


MemberDep = Annotated[str, Depends(current_member)]
OperatorDep = Annotated[str, Depends(current_operator)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        description="A unique key per intended action: a retry with the same key is answered"
        " with the first result and never applied twice.",
    ),
]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
