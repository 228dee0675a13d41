"""The Generate use case over fake ports: what the model is sent, and the usage it reports back."""

from __future__ import annotations

from llmops_generation.adapters.prompt_files import load_prompt_files
from llmops_generation.domain.requests import Generation, generation
from llmops_generation.service_layer import Answer, ModelRoute, generate, generate_stream
from tests.unit.generation.fakes import RecordingModel, WordCounter, word_tokens

WINDOW = 600
RAG_V1 = load_prompt_files()[0]
LONG = " ".join(f"Paragraph {i} describes the opening hours of store number {i} in detail." for i in range(200))


def route(model: RecordingModel) -> ModelRoute:
    return ModelRoute(model, WordCounter(), "m", "fake", context_window_tokens=WINDOW, safety_margin_tokens=16)


def job(contexts: list[str]) -> Generation:
    return generation("acme", "How many days to return an item?", contexts, RAG_V1, 100, 100, 0.0)


async def test_generate_sends_a_prompt_that_fits_the_window() -> None:
    model = RecordingModel()
    contexts = ["Items can be returned within 30 days of delivery.", LONG, LONG]
    answer = await generate(job(contexts), route(model))
    [sent] = model.prompts
    assert sum(word_tokens(m["content"]) for m in sent) <= WINDOW - 100 - 16
    assert "[1] Items can be returned within 30 days of delivery." in sent[1]["content"]
    assert (answer.text, answer.output_tokens) == ("30 days", 2)
    assert answer.input_tokens == sum(word_tokens(m["content"]) for m in sent)  # the endpoint's own report


async def test_stream_reports_the_counted_prompt_when_the_endpoint_reports_none() -> None:
    model = RecordingModel()
    items = [item async for item in generate_stream(job([LONG]), route(model))]
    assert items[:2] == ["30", " days"]
    final = items[-1]
    assert isinstance(final, Answer)
    sent_tokens = sum(word_tokens(m["content"]) for m in model.prompts[0])
    assert sent_tokens < final.input_tokens <= WINDOW - 100  # counted, chat frame included
    assert final.output_tokens == 2
