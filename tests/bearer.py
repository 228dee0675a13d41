"""A sync gRPC client interceptor that sends ``authorization: Bearer <credential>`` on every call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc


class Bearer(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor, grpc.StreamStreamClientInterceptor):  # type: ignore[misc]
    """``credential`` is called per call, so tokens that expire are minted fresh."""

    def __init__(self, credential: Callable[[], str]) -> None:
        self.credential = credential

    def _details(self, details: Any) -> Any:
        return details._replace(metadata=[*(details.metadata or []), ("authorization", f"Bearer {self.credential()}")])

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_stream(self, continuation: Any, details: Any, requests: Any) -> Any:
        return continuation(self._details(details), requests)
