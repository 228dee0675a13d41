"""The committed generated code must be what `make proto` produces from proto/."""

from __future__ import annotations

import shutil
from pathlib import Path

from llmops_stack.config import REPO_ROOT
from llmops_stack.protogen import stale_files

PROTO = REPO_ROOT / "proto"
GENERATED = REPO_ROOT / "libs" / "contracts" / "src"


def test_generated_code_is_up_to_date() -> None:
    assert stale_files(PROTO, GENERATED) == []


def test_an_edited_proto_is_reported_stale(tmp_path: Path) -> None:
    edited = tmp_path / "proto"
    shutil.copytree(PROTO, edited)
    embedding = edited / "llmops" / "embedding" / "v1" / "embedding.proto"
    embedding.write_text(
        embedding.read_text().replace("  uint32 dimensions = 4;", "  uint32 dimensions = 4;\n  string note = 5;")
    )
    assert stale_files(edited, GENERATED) == [
        "stale: llmops/embedding/v1/embedding_pb2.py",
        "stale: llmops/embedding/v1/embedding_pb2.pyi",
    ]
