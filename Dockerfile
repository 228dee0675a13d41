# One image recipe for every service: docker compose passes SERVICE (query, ingestion, ...).
# syntax=docker/dockerfile:1
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements.lock ./
# torch is only needed to export the ONNX encoder at set-up time, never inside a service image.
RUN pip install -r requirements.lock
COPY libs ./libs
COPY services ./services
ARG SERVICE
RUN test -n "$SERVICE" && pip install --no-deps ./libs/contracts ./libs/core ./libs/grounding "./services/${SERVICE}"

FROM base AS service
ARG SERVICE
ENV LLMOPS_SERVICE=${SERVICE}
RUN useradd --system --uid 10001 llmops
USER llmops
CMD ["sh", "-c", "exec python -m llmops_${LLMOPS_SERVICE}"]
