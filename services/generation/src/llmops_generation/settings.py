"""Settings of the generation service: env prefix ``LLMOPS_GENERATION_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from llmops_core.settings import ServiceSettings, service_config


class GenerationSettings(ServiceSettings):
    model_config = service_config("generation")

    service_name: str = "generation"
    grpc_port: int = 50055
    # Any OpenAI-compatible endpoint: the local llama.cpp server, OpenAI, vLLM, Ollama, Triton's front end.
    llm_base_url: str = "http://127.0.0.1:8080/v1"
    llm_api_key: SecretStr = SecretStr("local")
    llm_model: str = "smollm2-135m-instruct"
    llm_provider: str = "llama.cpp"
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    default_max_output_tokens: int = Field(default=160, ge=1, le=4096)
