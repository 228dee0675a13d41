"""Wrapping a gRPC method handler's behaviour whatever its kind (the server interceptors share this)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

Behaviour = Callable[..., Any]


def rewrap(handler: grpc.RpcMethodHandler, unary: Callable[[Behaviour], Behaviour],
           streaming: Callable[[Behaviour], Behaviour]) -> grpc.RpcMethodHandler:  # fmt: skip
    """The same handler with its behaviour wrapped: ``unary`` for single responses, ``streaming`` for streams."""
    args = (handler.request_deserializer, handler.response_serializer)
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary), *args)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(streaming(handler.unary_stream), *args)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(unary(handler.stream_unary), *args)
    return grpc.stream_stream_rpc_method_handler(streaming(handler.stream_stream), *args)
