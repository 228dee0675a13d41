"""The guardrail use cases: CheckInput, CheckOutput, ScreenDocument.

Each takes plain arguments, measures what the domain cannot (the classifier score, embedding
similarities) through small ports, and hands the numbers to the pure decision in
``domain.verdicts``. The gRPC servicer and the evaluation harness both call these, so what is
measured is what is served.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Protocol

from llmops_core.errors import Unavailable
from llmops_guardrails.domain import scope, verdicts
from llmops_guardrails.domain.calibration import Calibration
from llmops_guardrails.domain.policy import Action, Policy, select_policy
from llmops_guardrails.domain.scope import Embedder
from llmops_guardrails.domain.verdicts import InputSignals, Verdict


class InjectionClassifier(Protocol):
    def score(self, text: str) -> float: ...


class RecentScores:
    """The last scores and vectors of texts this replica measured, keyed by a digest of the text (no text is
    kept). The query service checks a question a second time, with its corpus similarity, when only the scope
    blocked it: the classifier and the embedding then cost nothing the second time."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._entries: OrderedDict[bytes, object] = OrderedDict()

    @staticmethod
    def key(kind: str, text: str) -> bytes:
        return hashlib.blake2b(f"{kind}\x00{text}".encode(), digest_size=16).digest()

    def get(self, key: bytes) -> object | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: bytes, value: object) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


class Guardrails:
    def __init__(
        self,
        policies: Mapping[str, Policy],
        calibration: Calibration,
        classifier: InjectionClassifier | None = None,
        embedder: Embedder | None = None,
        multilingual: Embedder | None = None,
    ) -> None:
        self.policies = policies
        self.calibration = calibration
        self.classifier = classifier
        self.embedder = embedder  # English MiniLM, for mostly-Latin questions
        self.multilingual = multilingual  # for the rest (Chinese); None leaves them unjudged
        self._topics: dict[tuple[str, bool], list[list[float]]] = {}
        self.recent = RecentScores()

    def policy(self, tenant_id: str, requested: str = "") -> Policy:
        return select_policy(self.policies, tenant_id, requested)

    async def classifier_score(self, text: str, policy: Policy) -> float | None:
        if self.classifier is None or not policy.enabled("injection") or not verdicts.mostly_latin(text):
            return None
        key = RecentScores.key("classifier", text)
        known = self.recent.get(key)
        if isinstance(known, float):
            return known
        # Blocking native code (~25-30 ms on this CPU, whatever the length): off the event loop.
        score = await asyncio.to_thread(self.classifier.score, text)
        self.recent.put(key, score)
        return score

    async def purpose_similarity(self, text: str, policy: Policy) -> float | None:
        """Best cosine of the question against the purpose topics, by MiniLM for mostly-Latin text and
        by the multilingual model (against the purpose and its translations) for the rest."""
        latin = verdicts.mostly_latin(text)
        embedder = self.embedder if latin else self.multilingual
        if embedder is None or not policy.enabled("scope"):
            return None
        purposes = [policy.purpose] if latin else [policy.purpose, *policy.purpose_translations]
        try:
            if (policy.name, latin) not in self._topics:
                topics = [t for p in purposes for t in scope.purpose_topics(p)]
                self._topics[policy.name, latin] = await embedder.embed(topics)
            # Only the opening words: the cost of a mean-pooled encoder grows with the length.
            head = scope.question_head(text, scope.SCOPE_CHARS if latin else scope.SCOPE_CJK_CHARS)
            key = RecentScores.key(f"question-{latin}", head)
            known = self.recent.get(key)
            if isinstance(known, list):
                question: list[float] = known
            else:
                [question] = await embedder.embed([head])
                self.recent.put(key, question)
        except Unavailable:
            # The scope check is a courtesy, not a safety check: without embeddings the question
            # goes on to retrieval, whose own support bar still refuses what the corpus lacks.
            return None
        return scope.purpose_similarity(question, self._topics[policy.name, latin])

    async def check_input(
        self, tenant_id: str, text: str, requested_policy: str = "", corpus_similarity: float | None = None
    ) -> Verdict:
        """Cheapest first, stopping at the first block: rules (about 2 ms), then the classifier, then
        the scope embedding. One after the other rather than together: on this 2-core CPU the two
        encoders running at once (in process, or Triton on the same host) contend for the cores and
        took longer than in turn, and a block by either skips the rest."""
        policy = self.policy(tenant_id, requested_policy)
        rules = verdicts.rule_findings(text, policy)
        classifier_score = purpose_sim = None
        if not verdicts.blocks(rules):
            classifier_score = await self.classifier_score(text, policy)
            flagged = classifier_score is not None and verdicts.classifier_blocks(
                classifier_score, policy, self.calibration
            )
            # A question close to the tenant's corpus is in scope whatever its purpose similarity,
            # so the embedding is skipped (MiniLM's corpus similarity only counts for Latin text).
            near_corpus = (
                corpus_similarity is not None
                and verdicts.mostly_latin(text)
                and corpus_similarity >= (policy.corpus_min_similarity or self.calibration.min_corpus_similarity)
            )
            if not (flagged and policy.actions["injection"] is Action.BLOCK) and not near_corpus:
                purpose_sim = await self.purpose_similarity(text, policy)
        signals = InputSignals(classifier_score, purpose_sim, corpus_similarity, not verdicts.mostly_latin(text))
        return verdicts.check_input(text, policy, signals, self.calibration, rules)

    async def check_output(self, tenant_id: str, text: str, requested_policy: str = "") -> Verdict:
        return verdicts.check_output(text, self.policy(tenant_id, requested_policy))

    async def screen_document(self, tenant_id: str, texts: list[str], requested_policy: str = "") -> list[Verdict]:
        return verdicts.screen_document(texts, self.policy(tenant_id, requested_policy))
