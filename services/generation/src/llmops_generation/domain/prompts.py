"""The prompt registry: named, versioned templates. Name and version travel into every answer event.

A template change is a new version, never an edit, so scores and drift can be compared per version.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmops_core.errors import NotFound


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: int
    system: str
    user: str
    description: str

    def render(self, question: str, contexts: list[str]) -> list[dict[str, str]]:
        numbered = "\n".join(f"[{i}] {text}" for i, text in enumerate(contexts, start=1)) or "(no context)"
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user.format(context=numbered, question=question)},
        ]


REGISTRY: tuple[PromptTemplate, ...] = (
    PromptTemplate(
        name="rag-answer",
        version=1,
        system=(
            "You are a customer-service assistant. Answer only from the context. "
            "If the context does not contain the answer, say that you do not know. "
            "Answer in the language of the question, in at most three sentences."
        ),
        user="Context:\n{context}\n\nQuestion: {question}",
        description="Grounded answer from numbered context passages.",
    ),
)


def find_prompt(name: str, version: int = 0) -> PromptTemplate:
    """The given version, or the latest when version is 0."""
    versions = sorted((p for p in REGISTRY if p.name == name), key=lambda p: p.version)
    if not versions:
        raise NotFound(f"no prompt template named {name!r}; known: {sorted({p.name for p in REGISTRY})}")
    if version == 0:
        return versions[-1]
    for prompt in versions:
        if prompt.version == version:
            return prompt
    raise NotFound(f"prompt {name!r} has no version {version}; known: {[p.version for p in versions]}")
