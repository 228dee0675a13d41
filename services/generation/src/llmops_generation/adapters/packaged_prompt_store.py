"""The prompt files alone as a read-only PromptStore, for a server started without the registry database
(tests, a quick local run): the latest version of each prompt is active; activations are refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from llmops_core.errors import FailedPrecondition
from llmops_generation.domain.prompts import Activation, ActivationChange, PromptTemplate

NO_DATABASE = "this generation server runs without the prompt registry database: activations need PostgreSQL"


class PackagedPromptStore:
    def __init__(self, templates: Sequence[PromptTemplate], initial: Mapping[str, int] | None = None) -> None:
        self._templates = sorted(templates, key=lambda t: (t.name, t.version))
        self.initial = dict(initial or {})  # the version each prompt serves (initial.yaml); else its latest

    async def load(self, templates: Sequence[PromptTemplate]) -> list[PromptTemplate]:
        self._templates = sorted(templates, key=lambda t: (t.name, t.version))
        return list(self._templates)

    async def templates(self) -> list[PromptTemplate]:
        return list(self._templates)

    async def active(self, name: str) -> Activation | None:
        versions = [t.version for t in self._templates if t.name == name]
        if not versions:
            return None
        start = self.initial.get(name)
        return Activation(name, ((start if start in versions else max(versions), 1.0),))

    async def activate(self, activation: Activation, actor: str) -> ActivationChange:
        raise FailedPrecondition(NO_DATABASE)

    async def rollback(self, name: str, actor: str) -> ActivationChange:
        raise FailedPrecondition(NO_DATABASE)


class NoActivations:
    """The publisher beside PackagedPromptStore: it refuses every activation, so none reaches here."""

    async def publish(self, change: ActivationChange) -> None:
        raise FailedPrecondition(NO_DATABASE)
