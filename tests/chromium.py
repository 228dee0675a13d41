"""Headless Chromium (Debian's package, installed by `make setup`) for the tests that render pages."""

from __future__ import annotations

import asyncio
import tempfile

from tests.binaries import required_binary


def chromium_binary() -> str:
    """The browser; absent, the test is skipped locally and fails in CI, where `make setup` installs it."""
    return required_binary(
        "chromium", "chromium-browser",
        missing="no Chromium here (make setup installs Debian's chromium): the page was not rendered",
    )  # fmt: skip


async def chromium(binary: str, url: str, *extra: str) -> str:
    """Runs the page (its scripts included) and returns Chromium's stdout, e.g. the DOM with --dump-dom."""
    with tempfile.TemporaryDirectory() as profile:
        process = await asyncio.create_subprocess_exec(
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=8000",
            f"--user-data-dir={profile}", *extra, url,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode(errors="replace")
