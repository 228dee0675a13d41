"""Isolated stacks (tests, benches) take ports below the kernel's ephemeral range and apart from each other.

A port inside the range (32768-60999 here) can be taken at any moment by an outgoing connection of any
process, which made a chaos run's Triton fail to bind its metrics port. Each stack spans its port base
plus 800 (config.StackSettings.isolated: infrastructure below +500, service replicas up to +500+8+100*8).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPAN = 900
EPHEMERAL_START = 32768  # Linux's default net.ipv4.ip_local_port_range starts here
BASE = re.compile(r"port_base=(?:int\(os\.environ\.get\(\"\w+\", \")?(\d+)")


def port_bases() -> dict[int, set[str]]:
    bases: dict[int, set[str]] = {}
    for folder in ("infra/stack/src", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if "tests/unit" in path.as_posix():
                continue  # settings built to check them, never started
            for match in BASE.finditer(path.read_text()):
                bases.setdefault(int(match.group(1)), set()).add(str(path.relative_to(ROOT)))
    return bases


def test_stack_port_bases_are_below_the_ephemeral_range_and_do_not_overlap() -> None:
    bases = port_bases()
    assert len(bases) >= 10  # the regex still finds the benches and test stacks
    for base, files in bases.items():
        assert base + SPAN <= EPHEMERAL_START, f"{sorted(files)}: ports {base}-{base + SPAN} are ephemeral"
    ordered = sorted(bases)
    for low, high in itertools.pairwise(ordered):
        assert high - low >= SPAN, f"{sorted(bases[low])} and {sorted(bases[high])} overlap ({low}, {high})"
