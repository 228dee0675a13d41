"""Prompt templates as files in the repository: ``prompts/<name>/v<N>.yaml`` with system, user, note."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from llmops_core.errors import FailedPrecondition
from llmops_generation.domain.prompts import PromptTemplate

PACKAGED_PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
VERSION_FILE = re.compile(r"\Av([1-9][0-9]*)\.yaml\Z")
NAME = re.compile(r"\A[a-z0-9][a-z0-9_-]{0,63}\Z")


def initial_versions(folder: Path = PACKAGED_PROMPTS) -> dict[str, int]:
    """``initial.yaml``: the version each prompt starts with on its first load (absent: its latest)."""
    path = folder / "initial.yaml"
    if not path.exists():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise FailedPrecondition(f"cannot read {path}: {error}") from error
    if not isinstance(raw, dict) or not all(isinstance(v, int) and v > 0 for v in raw.values()):
        raise FailedPrecondition(f"{path}: expected prompt names mapped to version numbers, e.g. 'rag-answer: 1'")
    return {str(name): int(version) for name, version in raw.items()}


def load_prompt_files(folder: Path = PACKAGED_PROMPTS) -> list[PromptTemplate]:
    """Every template under ``folder``, sorted by name and version; a malformed file stops the start."""
    templates: list[PromptTemplate] = []
    for directory in sorted(p for p in folder.iterdir() if p.is_dir()):
        if not NAME.match(directory.name):
            raise FailedPrecondition(f"prompt folder {directory} must be named like 'rag-answer' (a-z, 0-9, -, _)")
        for path in sorted(directory.iterdir()):
            match = VERSION_FILE.match(path.name)
            if match is None:
                raise FailedPrecondition(f"prompt file {path} must be named v<N>.yaml (v1.yaml, v2.yaml, ...)")
            templates.append(_template(directory.name, int(match.group(1)), path))
    return sorted(templates, key=lambda t: (t.name, t.version))


def _template(name: str, version: int, path: Path) -> PromptTemplate:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FailedPrecondition(f"cannot read prompt file {path}: {error}") from error
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ("system", "user")):
        raise FailedPrecondition(f"{path}: expected a mapping with text 'system' and 'user' (and 'note')")
    user = str(raw["user"])
    try:
        rendered = user.format(context="\0c", question="\0q")
    except (KeyError, IndexError, ValueError) as error:
        message = f"{path}: 'user' may hold only the placeholders {{context}} and {{question}}"
        raise FailedPrecondition(message) from error
    if "\0c" not in rendered or "\0q" not in rendered:
        raise FailedPrecondition(f"{path}: 'user' must contain the placeholders {{context}} and {{question}}")
    return PromptTemplate(name, version, str(raw["system"]), user, str(raw.get("note", "")))
