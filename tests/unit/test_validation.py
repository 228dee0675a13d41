"""Request rules shared by every API."""

from __future__ import annotations

import pytest

from llmops_core.errors import InvalidArgument
from llmops_core.validation import next_page_token, page_window, require_tenant, require_text


def test_page_window_and_tokens() -> None:
    assert page_window(0, "") == (0, 50)
    assert page_window(10, "20") == (20, 10)
    assert next_page_token(20, 10, True) == "30"
    assert next_page_token(20, 10, False) == ""
    with pytest.raises(InvalidArgument, match="page_size is 501"):
        page_window(501, "")
    with pytest.raises(InvalidArgument, match="page_token"):
        page_window(10, "abc")


def test_tenant_and_text() -> None:
    assert require_tenant("acme-eu_1") == "acme-eu_1"
    with pytest.raises(InvalidArgument, match="tenant_id is required"):
        require_tenant("")
    with pytest.raises(InvalidArgument, match="must be 1-64 characters"):
        require_tenant("Acme Corp")
    assert require_text("question", "  hi  ", max_chars=10) == "hi"
    with pytest.raises(InvalidArgument, match="question has 11 characters; the limit is 10"):
        require_text("question", "x" * 11, max_chars=10)


@pytest.mark.parametrize("tenant", ["acme\n", "acme\r\n", "\nacme", "acme\x00", "ac\nme", "a" * 65])
def test_a_tenant_id_is_the_whole_string(tenant: str) -> None:
    with pytest.raises(InvalidArgument, match="must be 1-64 characters"):
        require_tenant(tenant)
