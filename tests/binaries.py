"""Programs the tests run that `make setup` installs from Debian (as root)."""

from __future__ import annotations

import os
import shutil

import pytest


def required_binary(*names: str, missing: str) -> str:
    """The first of ``names`` on PATH; absent, the test is skipped locally and fails in CI, where
    `make setup` installs it. ``missing`` says what was not checked."""
    for name in names:
        binary = shutil.which(name)
        if binary is not None:
            return binary
    if os.environ.get("CI"):
        pytest.fail(missing)
    pytest.skip(missing)
