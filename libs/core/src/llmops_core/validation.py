"""Request checks every service's API applies (rules written in the proto comments)."""

from __future__ import annotations

import re

from llmops_core.auth.principal import authorized_tenant
from llmops_core.errors import InvalidArgument

# \A and \Z, not ^ and $: "$" also matches before a final newline, so "acme\n" would pass.
TENANT_ID = re.compile(r"\A[a-z0-9_-]{1,64}\Z")
PAGE_TOKEN = re.compile(r"\A[0-9]{1,12}\Z")


def require_tenant(tenant_id: str) -> str:
    """The request's tenant: well formed, and the caller's own (an API key never acts for another).

    An empty tenant_id means the caller's tenant when the credential names one.
    """
    tenant_id = authorized_tenant(tenant_id)
    if not tenant_id:
        raise InvalidArgument("tenant_id is required")
    if not is_tenant_id(tenant_id):
        raise InvalidArgument(f"tenant_id {tenant_id[:80]!r} must be 1-64 characters of a-z, 0-9, '_' or '-'")
    return tenant_id


def is_tenant_id(value: str) -> bool:
    """Whether ``value`` could name a tenant (for ids that arrive in events rather than requests)."""
    return TENANT_ID.match(value) is not None


def require_text(name: str, value: str, max_chars: int, min_chars: int = 1) -> str:
    """The text trimmed; a sentence naming the field when it is too short or too long."""
    trimmed = value.strip()
    if len(trimmed) < min_chars:
        raise InvalidArgument(f"{name} is empty; send {min_chars}-{max_chars} characters")
    if len(trimmed) > max_chars:
        raise InvalidArgument(f"{name} has {len(trimmed)} characters; the limit is {max_chars}")
    return trimmed


def page_window(page_size: int, page_token: str, default_size: int = 50, max_size: int = 500) -> tuple[int, int]:
    """(offset, size) of a List* call; tokens are the offsets this server handed out."""
    size = page_size or default_size
    if size > max_size:
        raise InvalidArgument(f"page_size is {size}; the most is {max_size}")
    # ASCII digits of a sane length: str.isdigit() also accepts "²" (which int() rejects), and int()
    # refuses strings of more than 4300 digits.
    if page_token and not PAGE_TOKEN.match(page_token):
        raise InvalidArgument("page_token is not one this server returned")
    return int(page_token or 0), size


def next_page_token(offset: int, size: int, total_or_more: bool) -> str:
    """The token of the following page, or "" on the last page."""
    return str(offset + size) if total_or_more else ""
