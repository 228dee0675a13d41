"""Settings of the generation service: env prefix ``LLMOPS_GENERATION_`` (see llmops_core.settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from llmops_core.settings import PostgresSettings, ServiceSettings, TritonSettings, service_config

# The routes of the local stack (two limits on its one llama.cpp model); `llmops up` points at it.
PACKAGED_ROUTES = Path(__file__).resolve().parent / "routes.yaml"


class GenerationSettings(ServiceSettings):
    model_config = service_config("generation")

    service_name: str = "generation"
    grpc_port: int = 50055
    # The prompt registry's tables (decision 0025).
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    schema_name: str = "generation"
    # How long a replica serves an activation made on another replica before it reads the new one.
    active_prompt_ttl_seconds: float = Field(default=5.0, ge=0)
    # Model routes with prices (YAML, see routes.yaml). None: one route from the llm_* settings below,
    # named after llm_model and priced at 0. The llm_* settings also fill what a route file leaves out.
    routes_file: Path | None = None
    # Where routes with backend "triton" find Triton's gRPC API when they name no base_url.
    triton: TritonSettings = Field(default_factory=TritonSettings)
    # Any OpenAI-compatible endpoint: the local llama.cpp server, OpenAI, vLLM, Ollama, Triton's front end.
    llm_base_url: str = "http://127.0.0.1:8080/v1"
    llm_api_key: SecretStr = SecretStr("local")
    llm_model: str = "smollm2-135m-instruct"
    llm_provider: str = "llama.cpp"
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    # The answer's reserve inside the window, when a request names none.
    default_max_output_tokens: int = Field(default=160, ge=1, le=4096)
    # The route's context window: the local stack starts llama.cpp with --n_ctx 4096 (see
    # llmops_stack.components); set it to the served model's window elsewhere.
    context_window_tokens: int = Field(default=4096, ge=256)
    # Kept free beyond the counted prompt and the answer's reserve, for what no count sees: a chat
    # template that adds its own text, or a server whose tokenizer differs a little from the count.
    context_safety_margin_tokens: int = Field(default=32, ge=0)
