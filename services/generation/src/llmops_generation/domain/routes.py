"""Model routes as declared in a routes file: name, backend, endpoint, model, prices, limits."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from llmops_generation.domain.pricing import TokenPrices

BACKENDS = ("openai", "triton")
TRITON_MODEL = "generator"  # infra/triton/model_repository/generator
ROUTE_NAME = re.compile(r"\A[a-z0-9][a-z0-9_.-]{0,63}\Z")
# A text field may name an environment variable instead of a value, LiteLLM's convention, so one
# file serves stacks whose servers listen on different ports (the local stack sets the variables).
ENV_REFERENCE = "os.environ/"


class RouteFileError(ValueError):
    """The routes file is malformed; the message names the route and the field."""


@dataclass(frozen=True)
class RouteSpec:
    name: str
    backend: str
    base_url: str
    model: str
    provider: str
    prices: TokenPrices
    timeout_seconds: float
    context_window_tokens: int
    default_max_output_tokens: int
    note: str


def parse_routes(
    raw: Any, defaults: RouteSpec, triton_url: str = "127.0.0.1:8001", environ: Mapping[str, str] | None = None
) -> list[RouteSpec]:
    """Routes in file order (the first is the default); fields a route leaves out come from ``defaults``
    (the env-based settings), so the packaged file can follow whatever server the stack started. A
    "triton" route's endpoint defaults to ``triton_url`` (host:port of Triton's gRPC API) and its model
    to the packaged ``generator``. A text value ``os.environ/NAME`` is read from ``environ``; a name
    it lacks is an error that says so, never an empty endpoint."""
    if not isinstance(raw, dict) or not isinstance(raw.get("routes"), list) or not raw["routes"]:
        raise RouteFileError("expected a mapping with a non-empty list 'routes'")
    env = environ or {}
    routes = [_route(i, entry, defaults, triton_url, env) for i, entry in enumerate(raw["routes"])]
    names = [r.name for r in routes]
    if len(set(names)) != len(names):
        raise RouteFileError(f"route names must be unique; got {names}")
    return routes


def _route(index: int, entry: Any, d: RouteSpec, triton_url: str, environ: Mapping[str, str]) -> RouteSpec:
    if not isinstance(entry, dict):
        raise RouteFileError(f"route {index} must be a mapping")
    name = entry.get("name")
    if not isinstance(name, str) or not ROUTE_NAME.match(name):
        raise RouteFileError(f"route {index} needs a 'name' of a-z, 0-9, '.', '_', '-'")

    def text(key: str, default: str) -> str:
        value = entry.get(key, default)
        if not isinstance(value, str) or not value:
            raise RouteFileError(f"route {name!r}: {key!r} must be non-empty text")
        if value.startswith(ENV_REFERENCE):
            variable = value.removeprefix(ENV_REFERENCE)
            if not environ.get(variable):
                raise RouteFileError(f"route {name!r}: {key!r} names the environment variable {variable}, unset")
            return environ[variable]
        return value

    def number(key: str, default: float, low: float, integer: bool = False) -> float:
        value = entry.get(key, default)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= low
        if not ok or (integer and value != int(value)):
            raise RouteFileError(f"route {name!r}: {key!r} must be a {'whole ' if integer else ''}number >= {low}")
        return float(value)

    backend = text("backend", "openai")
    if backend not in BACKENDS:
        raise RouteFileError(f"route {name!r}: backend {backend!r} is not one of {list(BACKENDS)}")
    if backend == "triton":
        d = replace(d, base_url=triton_url, model=TRITON_MODEL)
    prices = entry.get("price_per_million_tokens", {})
    if not isinstance(prices, dict):
        raise RouteFileError(f"route {name!r}: 'price_per_million_tokens' must be a mapping")
    price = TokenPrices(*(_price(name, key, prices.get(key, 0.0)) for key in ("input", "output", "cached_input")))
    return RouteSpec(
        name=name,
        backend=backend,
        base_url=text("base_url", d.base_url),
        model=text("model", d.model),
        provider=text("provider", d.provider),
        prices=price,
        timeout_seconds=number("timeout_seconds", d.timeout_seconds, 0.001),
        context_window_tokens=int(number("context_window_tokens", d.context_window_tokens, 256, integer=True)),
        default_max_output_tokens=int(
            number("default_max_output_tokens", d.default_max_output_tokens, 1, integer=True)
        ),
        note=str(entry.get("note", "")),
    )


def _price(route: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise RouteFileError(f"route {route!r}: price {key!r} must be a number >= 0 (USD per million tokens)")
    return float(value)
