# The assets image: what the platform reads from files but the service images do not hold.
#   /assets/model_repository  Triton's model repository (copied by Triton's init container; the
#                             ingestion service's init container takes the tokenizer from it)
#   /assets/suites            golden-question suites for the evaluation service's RunSuite
# Build after `make setup` (it exports encoder/1/model.onnx and tokenizer/1/tokenizer.json), from the root:
#   docker build -f infra/k8s/images.Dockerfile -t REGISTRY/llmops-assets:TAG .
FROM busybox:1.37
COPY infra/triton/model_repository /assets/model_repository
COPY corpus/golden.yaml /assets/suites/golden.yaml
USER 10001
