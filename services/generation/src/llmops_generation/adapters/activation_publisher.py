"""Prompt activations onto ``prompts.activations``, keyed by the prompt name."""

from __future__ import annotations

from llmops.generation.v1.events_pb2 import PromptActivated
from llmops.generation.v1.generation_pb2 import WeightedVersion
from llmops_core.kafka import EventPublisher, new_envelope
from llmops_core.topics import PROMPT_ACTIVATIONS
from llmops_generation.domain.prompts import Activation, ActivationChange

# Prompts belong to the platform, not to one tenant; the envelope still needs a valid tenant id.
PLATFORM_TENANT = "platform"


def weighted(activation: Activation | None) -> list[WeightedVersion]:
    return [WeightedVersion(version=v, weight=w) for v, w in activation.weights] if activation else []


def activation_event(change: ActivationChange) -> PromptActivated:
    return PromptActivated(
        envelope=new_envelope(PLATFORM_TENANT, "generation"),
        name=change.current.name,
        versions=weighted(change.current),
        previous=weighted(change.previous),
        actor=change.actor,
        activation_id=change.activation_id,
        rollback=change.rollback,
    )


class KafkaActivationPublisher:
    def __init__(self, publisher: EventPublisher) -> None:
        self.publisher = publisher

    async def publish(self, change: ActivationChange) -> None:
        await self.publisher.publish(PROMPT_ACTIVATIONS, change.current.name, activation_event(change))
