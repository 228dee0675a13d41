"""Model routes from the routes file, or the one route the ``llm_*`` settings describe."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from llmops_generation.domain.pricing import FREE
from llmops_generation.domain.routes import RouteFileError, RouteSpec, parse_routes
from llmops_generation.settings import GenerationSettings


def env_route(settings: GenerationSettings) -> RouteSpec:
    return RouteSpec(
        name=settings.llm_model,
        backend="openai",
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        provider=settings.llm_provider,
        prices=FREE,
        timeout_seconds=settings.llm_timeout_seconds,
        context_window_tokens=settings.context_window_tokens,
        default_max_output_tokens=settings.default_max_output_tokens,
        note="from the LLMOPS_GENERATION_LLM_* settings",
    )


def load_routes(settings: GenerationSettings) -> list[RouteSpec]:
    if settings.routes_file is None:
        return [env_route(settings)]
    return read_route_file(settings.routes_file, env_route(settings), settings.triton.grpc_url)


def read_route_file(
    path: Path, defaults: RouteSpec, triton_url: str = "127.0.0.1:8001", environ: Mapping[str, str] | None = None
) -> list[RouteSpec]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return parse_routes(raw, defaults, triton_url, os.environ if environ is None else environ)
    except (OSError, yaml.YAMLError, RouteFileError) as error:
        raise RouteFileError(f"routes file {path}: {error}") from error
