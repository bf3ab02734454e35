"""Who is calling (bearer token → Principal) and the one dependency that checks permissions.

Every route declares ``Depends(require(resource, action))``; the check itself is
``registry.accounts.permissions.authorize`` against the permission table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from api import csrf
from registry.accounts import tokens
from registry.accounts.permissions import ANONYMOUS, Action, Grant, Principal, authorize, rule
from registry.audit import context
from registry.errors import NotAuthenticated

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
# The pages are opened by a browser, which cannot add an Authorization header to a link: signing in on
# /maps/sign-in also stores the token in this cookie (HttpOnly, SameSite=Strict). The cookie is
# honoured for reading (GET, HEAD) and for signing out; a change made with it (the back office's
# forms) must also come from this site and carry the session's CSRF token (api.csrf).
COOKIE = "tttt_token"
# Signing in and out need no CSRF token: SameSite=Strict keeps other sites from sending the cookie at all,
# and neither request changes the registry.
_CSRF_EXEMPT = frozenset({"/api/auth/token", "/api/auth/logout"})


def _lookup(request: Request, token: str) -> Principal | None:
    # A short transaction of its own, finished before the route's own session starts.
    with request.app.state.sessionmaker() as session:
        row = tokens.resolve(session, token, secret=request.app.state.settings.secret())
        if row is None:
            return None
        return Principal(row.user.username, frozenset(row.user.roles), row.user.id, row.id)


async def get_principal(request: Request, token: Annotated[str | None, Depends(bearer)] = None) -> Principal:
    """The signed-in user for a valid bearer token, the public for none; 401 for a bad token."""
    from_cookie = (request.cookies.get(COOKIE) or None) if token is None else None
    # An Authorization header that was sent is checked even when empty ("Bearer "): never the public.
    credential = token if token is not None else from_cookie
    principal = ANONYMOUS if credential is None else await run_in_threadpool(_lookup, request, credential)
    if principal is None and from_cookie is not None:
        principal = ANONYMOUS  # an expired cookie leaves a public page public
    if principal is None:
        raise NotAuthenticated("Token không hợp lệ, đã hết hạn hoặc đã đăng xuất; đăng nhập lại")
    unsafe = request.method not in csrf.SAFE_METHODS and request.url.path not in _CSRF_EXEMPT
    if from_cookie is not None and principal.authenticated and unsafe:
        assert principal.token_id is not None
        await csrf.check(request, request.app.state.settings.secret(), principal.token_id)
    # Set in the request's own context (an async dependency), so the route, run later in a worker
    # thread with a copy of that context, records its changes as made by this user.
    context.actor.set(principal.actor)
    request.state.actor = principal.actor
    request.state.principal = principal  # the error pages say who is signed in
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(resource: str, action: Action | str) -> Callable[..., Grant]:
    """A dependency that lets the request through only if the permission table allows it."""
    rule(resource, action)  # an undeclared pair fails at import, not at request time

    async def check(principal: PrincipalDep) -> Grant:
        return authorize(principal, resource, action)

    check.__permission__ = (resource, Action(action))  # type: ignore[attr-defined]
    check.__name__ = f"require_{resource}_{Action(action).value}"
    return check


def declared_permission(dependency: object) -> tuple[str, Action] | None:
    return getattr(dependency, "__permission__", None)
