"""The caller of the current request, and the rule that the tenant comes from the caller.

The server's auth interceptor sets the principal for the duration of a call. ``authorized_tenant``
is what servicers use for the request's ``tenant_id``: an API key acts only for its own tenant (an
empty tenant_id means "mine"); a service token names the tenant it acts for, or any tenant when a
service works on events of many (the services are the platform itself and hold the secret).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from llmops_core.errors import PermissionDenied

ANY_TENANT = "*"
SCOPES = ("ask", "feedback", "ingest", "admin")
SERVICE_SCOPE = "service"


@dataclass(frozen=True)
class Principal:
    subject: str  # "key:<key id>" or "service:<name>"
    tenant_id: str  # ANY_TENANT only for services
    scopes: frozenset[str]

    @property
    def is_service(self) -> bool:
        return SERVICE_SCOPE in self.scopes


_current: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("llmops_principal", default=None)
# The tenant a service is working for outside a request (a Kafka consumer handling one tenant's event),
# so the tokens it sends to other services name that tenant.
_acting_for: contextvars.ContextVar[str | None] = contextvars.ContextVar("llmops_acting_for", default=None)


def current_principal() -> Principal | None:
    return _current.get()


def set_principal(principal: Principal | None) -> contextvars.Token[Principal | None]:
    return _current.set(principal)


def reset_principal(token: contextvars.Token[Principal | None]) -> None:
    _current.reset(token)


@contextmanager
def acting_for(tenant_id: str) -> Iterator[None]:
    token = _acting_for.set(tenant_id)
    try:
        yield
    finally:
        _acting_for.reset(token)


def tenant_in_context() -> str:
    """The tenant outgoing calls act for: the request's caller's tenant, else the consumer's, else any."""
    principal = _current.get()
    if principal is not None and principal.tenant_id != ANY_TENANT:
        return principal.tenant_id
    return _acting_for.get() or ANY_TENANT


def authorized_tenant(tenant_id: str) -> str:
    """The tenant of the request: the caller's own, checked against what the request names."""
    principal = _current.get()
    if principal is None or principal.tenant_id == ANY_TENANT:
        return tenant_id
    if not tenant_id:
        return principal.tenant_id
    if tenant_id != principal.tenant_id:
        raise PermissionDenied(f"this credential acts for tenant {principal.tenant_id!r}, not {tenant_id!r}")
    return tenant_id
