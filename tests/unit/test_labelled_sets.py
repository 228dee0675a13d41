"""The labelled sets that quality is measured on stay consistent: their own checkers pass."""

from __future__ import annotations

import subprocess
import sys

import pytest

from llmops_stack.config import REPO_ROOT


@pytest.mark.parametrize("checker", ["corpus/field/check.py", "tests/data/check_scorer_set.py"])
def test_labelled_set_is_consistent(checker: str) -> None:
    result = subprocess.run([sys.executable, str(REPO_ROOT / checker)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
