"""Prompt registry use cases: load the files, look versions up, activate, roll back, choose an A/B arm.

The gRPC servicer (admin RPCs and Generate) calls these; the store and the event publisher are ports.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from llmops_core.errors import NotFound
from llmops_generation.domain.prompts import (
    Activation,
    ActivationChange,
    PromptTemplate,
    checked_activation,
    choose_version,
    prompt_diff,
)

log = logging.getLogger(__name__)


class PromptStore(Protocol):
    async def load(self, templates: Sequence[PromptTemplate]) -> list[PromptTemplate]:
        """Stores new versions and activates the latest of a name that has no activation yet; returns
        the versions it added. A version stored with other content raises FailedPrecondition."""

    async def templates(self) -> list[PromptTemplate]:
        """Every stored version, sorted by name and version."""

    async def active(self, name: str) -> Activation | None: ...

    async def activate(self, activation: Activation, actor: str) -> ActivationChange: ...

    async def rollback(self, name: str, actor: str) -> ActivationChange:
        """Restores the activation before the current one; FailedPrecondition when there is none."""


class ActivationPublisher(Protocol):
    async def publish(self, change: ActivationChange) -> None: ...


class PromptRegistry:
    """Versions are immutable, so they are cached for good; activations are re-read after
    ``active_ttl_seconds``, the longest another replica keeps serving an activation made elsewhere."""

    def __init__(
        self,
        store: PromptStore,
        publisher: ActivationPublisher,
        active_ttl_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.publisher = publisher
        self.active_ttl_seconds = active_ttl_seconds
        self.clock = clock
        self._versions: dict[str, dict[int, PromptTemplate]] = {}
        self._active: dict[str, tuple[float, Activation | None]] = {}

    async def load(self, templates: Sequence[PromptTemplate]) -> None:
        added = await self.store.load(templates)
        for template in added:
            log.info("prompt %s v%d registered", template.name, template.version)
        await self._refresh_versions()

    async def _refresh_versions(self) -> None:
        versions: dict[str, dict[int, PromptTemplate]] = {}
        for template in await self.store.templates():
            versions.setdefault(template.name, {})[template.version] = template
        self._versions = versions

    async def _named(self, name: str) -> dict[int, PromptTemplate]:
        if name not in self._versions:
            await self._refresh_versions()  # another replica may have loaded newer files
        if name not in self._versions:
            raise NotFound(f"no prompt template named {name!r}; known: {sorted(self._versions)}")
        return self._versions[name]

    async def _active_of(self, name: str) -> Activation | None:
        cached = self._active.get(name)
        if cached is None or self.clock() - cached[0] > self.active_ttl_seconds:
            cached = (self.clock(), await self.store.active(name))
            self._active[name] = cached
        return cached[1]

    async def listing(self) -> list[tuple[PromptTemplate, float]]:
        """Every version with its weight in the current activation (0 when inactive)."""
        await self._refresh_versions()
        rows: list[tuple[PromptTemplate, float]] = []
        for name in sorted(self._versions):
            active = await self._active_of(name)
            for version in sorted(self._versions[name]):
                rows.append((self._versions[name][version], active.weight_of(version) if active else 0.0))
        return rows

    async def get(self, name: str, version: int = 0) -> tuple[PromptTemplate, float]:
        """The version (the latest when 0) with its active weight."""
        versions = await self._named(name)
        number = version or max(versions)
        if number not in versions:
            raise NotFound(f"prompt {name!r} has no version {version}; known: {sorted(versions)}")
        active = await self._active_of(name)
        return versions[number], active.weight_of(number) if active else 0.0

    async def diff(self, name: str, from_version: int, to_version: int) -> str:
        old, _ = await self.get(name, from_version)
        new, _ = await self.get(name, to_version)
        return prompt_diff(old, new)

    async def activate(self, name: str, weights: list[tuple[int, float]], actor: str) -> ActivationChange:
        activation = checked_activation(name, weights, list(await self._named(name)))
        return await self._changed(await self.store.activate(activation, actor))

    async def rollback(self, name: str, actor: str) -> ActivationChange:
        await self._named(name)
        return await self._changed(await self.store.rollback(name, actor))

    async def _changed(self, change: ActivationChange) -> ActivationChange:
        self._active[change.current.name] = (self.clock(), change.current)
        await self.publisher.publish(change)
        return change

    async def resolve(self, name: str, version: int, session: str) -> PromptTemplate:
        """What Generate renders: the version asked for, else the A/B arm of ``session``."""
        versions = await self._named(name)
        if version:
            if version not in versions:
                raise NotFound(f"prompt {name!r} has no version {version}; known: {sorted(versions)}")
            return versions[version]
        active = await self._active_of(name)
        if active is None:  # a name loaded by a replica whose files are newer, not yet activated
            return versions[max(versions)]
        return versions[choose_version(active, session)]
