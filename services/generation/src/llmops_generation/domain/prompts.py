"""Prompt templates, activations and A/B choice: plain values and pure functions.

A template's name and version travel into every answer event. A change of text is a new version,
never an edit, so scores and drift can be compared per version (docs/decisions/0025).
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass

from llmops_core.errors import InvalidArgument

DEFAULT_PROMPT = "rag-answer"


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: int
    system: str
    user: str
    description: str

    @property
    def content_sha256(self) -> str:
        """Identity of the text: a file changed under an existing version number shows up here."""
        return hashlib.sha256(f"{self.system}\0{self.user}\0{self.description}".encode()).hexdigest()

    def render(self, question: str, contexts: list[str]) -> list[dict[str, str]]:
        numbered = "\n".join(f"[{i}] {text}" for i, text in enumerate(contexts, start=1)) or "(no context)"
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user.format(context=numbered, question=question)},
        ]


@dataclass(frozen=True)
class Activation:
    """Which versions of a prompt Generate uses, each with its A/B weight."""

    name: str
    weights: tuple[tuple[int, float], ...]  # (version, weight), in the order given

    def weight_of(self, version: int) -> float:
        return sum(w for v, w in self.weights if v == version)


@dataclass(frozen=True)
class ActivationChange:
    """An activation made (or restored by a rollback), with the one it replaced."""

    activation_id: str
    current: Activation
    previous: Activation | None
    actor: str
    rollback: bool


def checked_activation(name: str, weights: list[tuple[int, float]], known_versions: list[int]) -> Activation:
    """The activation, or InvalidArgument/NotFound-worthy sentences for what is wrong with it."""
    if not weights:
        raise InvalidArgument(f"name at least one version of {name!r} to activate")
    versions = [v for v, _ in weights]
    if len(set(versions)) != len(versions):
        raise InvalidArgument(f"each version may be listed once; got {versions}")
    unknown = sorted(set(versions) - set(known_versions))
    if unknown:
        raise InvalidArgument(f"prompt {name!r} has no version {unknown}; known: {sorted(known_versions)}")
    if any(not w >= 0 for _, w in weights):  # `not >=` also rejects NaN
        raise InvalidArgument(f"weights must be 0 or more; got {[w for _, w in weights]}")
    total = sum(w for _, w in weights)
    if not 0 < total < float("inf"):
        raise InvalidArgument(f"the weights must sum to more than 0; they sum to {total}")
    return Activation(name, tuple((v, float(w)) for v, w in weights))


def ab_point(name: str, session: str) -> float:
    """A stable point in [0, 1) for a session: sha256, so every replica and restart agrees."""
    digest = hashlib.sha256(f"{name}\0{session}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def choose_version(activation: Activation, session: str) -> int:
    """The A/B arm of ``session``: its point on the cumulative weights of the active versions."""
    total = sum(w for _, w in activation.weights)
    point = ab_point(activation.name, session) * total
    cumulative = 0.0
    for version, weight in activation.weights:
        cumulative += weight
        if point < cumulative:
            return version
    return next(v for v, w in reversed(activation.weights) if w > 0)  # rounding at the top end


def prompt_diff(old: PromptTemplate, new: PromptTemplate) -> str:
    def lines(p: PromptTemplate) -> list[str]:
        return [f"# note: {p.description}\n", "# system\n", *_lines(p.system), "# user\n", *_lines(p.user)]

    return "".join(
        difflib.unified_diff(
            lines(old), lines(new), fromfile=f"{old.name}/v{old.version}", tofile=f"{new.name}/v{new.version}"
        )
    )


def _lines(text: str) -> list[str]:
    return [line + "\n" for line in text.split("\n")]
