"""gRPC interceptors: the server checks every call's credential; clients attach a service token.

Server: ``authorization: Bearer <credential>`` metadata is required on every method except health
checks. A service token (``svc1.…``) may call anything; an API key may call only the methods its
service opens to keys, with the scope each needs (``admin`` includes the others). The principal is
set for the call, and ``authorized_tenant`` binds the request's tenant to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import grpc

from llmops_core.auth.principal import Principal, reset_principal, set_principal, tenant_in_context
from llmops_core.auth.tokens import PREFIX, ServiceTokens
from llmops_core.errors import PermissionDenied, Unauthenticated
from llmops_core.grpc_handlers import rewrap

PUBLIC_PREFIXES = ("/grpc.health.v1.Health/",)
ADMIN = "admin"


class KeyVerifier(Protocol):
    async def verify(self, key: str) -> Principal: ...


class CallerCheck:
    """Who may call which method: service tokens everywhere, API keys where ``key_scopes`` says."""

    def __init__(self, tokens: ServiceTokens, keys: KeyVerifier | None, key_scopes: Mapping[str, str]) -> None:
        self.tokens = tokens
        self.keys = keys
        self.key_scopes = key_scopes  # full method name ("/pkg.Service/Method") -> scope

    async def principal(self, method: str, metadata: Mapping[str, str]) -> Principal:
        header = metadata.get("authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise Unauthenticated("this call needs an API key: send metadata 'authorization: Bearer <key>'")
        credential = header[7:].strip()
        if credential.startswith(PREFIX + "."):
            return self.tokens.verify(credential)
        if self.keys is None or method not in self.key_scopes:
            raise PermissionDenied(f"{method} is internal to the platform; API keys cannot call it")
        principal = await self.keys.verify(credential)
        needed = self.key_scopes[method]
        if needed not in principal.scopes and ADMIN not in principal.scopes:
            raise PermissionDenied(f"{method} needs an API key with the {needed!r} scope")
        return principal


def _metadata(context: grpc.aio.ServicerContext) -> dict[str, str]:
    return {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, check: CallerCheck) -> None:
        self.check = check

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(PUBLIC_PREFIXES):
            return handler
        check = self.check

        def unary(behaviour: Callable[..., Any]) -> Callable[..., Any]:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                token = set_principal(await check.principal(method, _metadata(context)))
                try:
                    return await behaviour(request, context)
                finally:
                    reset_principal(token)

            return call

        def streaming(behaviour: Callable[..., Any]) -> Callable[..., Any]:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                token = set_principal(await check.principal(method, _metadata(context)))
                try:
                    async for response in behaviour(request, context):
                        yield response
                finally:
                    reset_principal(token)

            return call

        return rewrap(handler, unary, streaming)


def _with_token(details: grpc.aio.ClientCallDetails, token: str) -> grpc.aio.ClientCallDetails:
    metadata = grpc.aio.Metadata(*(details.metadata or ()))
    if "authorization" not in metadata:
        metadata.add("authorization", f"Bearer {token}")
    return grpc.aio.ClientCallDetails(
        details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
    )


class ServiceTokenUnary(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, tokens: ServiceTokens, caller: str) -> None:
        self.tokens, self.caller = tokens, caller

    async def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        token = self.tokens.mint(self.caller, tenant_in_context())
        return await continuation(_with_token(client_call_details, token), request)


class ServiceTokenStream(grpc.aio.UnaryStreamClientInterceptor):
    def __init__(self, tokens: ServiceTokens, caller: str) -> None:
        self.tokens, self.caller = tokens, caller

    async def intercept_unary_stream(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        token = self.tokens.mint(self.caller, tenant_in_context())
        return await continuation(_with_token(client_call_details, token), request)
