"""The gate on every API route: a bearer token of an active user whose role is allowed.

Put ``@requires("action")`` (or ``@require_roles(...)``) directly under ``@blp.route`` so
the token is checked before any argument parsing: an anonymous caller learns nothing
about the request shape. The factory refuses to start if an ``/api/v1`` view lacks it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from service.auth.operations import authenticate
from service.auth.policy import roles_for
from service.context import db_session
from service.errors import Forbidden, Unauthorized
from service.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

#: attribute set on guarded views; the factory checks every API view carries it
GUARD_ATTRIBUTE = "_mapdocs_roles"


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_user() -> User:
    """The caller's user, or ``Unauthorized`` (no token, unknown, revoked or disabled)."""
    user = g.get("user")
    if user is not None:
        return user  # type: ignore[no-any-return]
    token = bearer_token()
    user = authenticate(db_session(), token) if token else None
    if user is None:
        raise Unauthorized()
    g.user = user
    return user


def require_roles(*roles: Role | str) -> Callable[[F], F]:
    allowed = frozenset(Role(role) for role in roles)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if Role(user.role) not in allowed:
                raise Forbidden()
            return view(*args, **kwargs)

        setattr(guarded, GUARD_ATTRIBUTE, allowed)
        return guarded  # type: ignore[return-value]

    return decorator


def requires(action: str) -> Callable[[F], F]:
    """``require_roles`` with the roles :data:`service.auth.policy.POLICY` gives ``action``."""
    return require_roles(*roles_for(action))
