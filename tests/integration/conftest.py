from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from llmops_core.settings import TelemetrySettings
from llmops_core.telemetry import setup_telemetry


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def spans() -> Iterator[InMemorySpanExporter]:
    """Finished spans of this process; the global tracer provider can be installed only once."""
    exporter = InMemorySpanExporter()
    telemetry = setup_telemetry("tests", TelemetrySettings(), span_processors=[SimpleSpanProcessor(exporter)])
    yield exporter
    telemetry.shutdown()
