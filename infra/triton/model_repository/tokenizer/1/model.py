"""Triton python-backend model: texts -> padded WordPiece ids for the encoder.

Every batch Triton hands us is padded to one length, rounded up to a multiple of 8, so the
encoder sees few distinct shapes (better kernel reuse, and the dynamic batcher can merge
requests with equal shapes).
"""

from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils
from tokenizers import Tokenizer

MAX_SEQUENCE_LENGTH = 256


class TritonPythonModel:
    def initialize(self, args):
        model_dir = Path(args["model_repository"]) / args["model_version"]
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_SEQUENCE_LENGTH)
        self.tokenizer.enable_padding(pad_to_multiple_of=8)

    def execute(self, requests):
        texts_per_request = []
        for request in requests:
            raw = pb_utils.get_input_tensor_by_name(request, "text").as_numpy().reshape(-1)
            texts_per_request.append([t.decode("utf-8", errors="replace") for t in raw])
        encodings = self.tokenizer.encode_batch([t for texts in texts_per_request for t in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        responses = []
        start = 0
        for texts in texts_per_request:
            end = start + len(texts)
            responses.append(
                pb_utils.InferenceResponse(
                    output_tensors=[
                        pb_utils.Tensor("input_ids", ids[start:end]),
                        pb_utils.Tensor("attention_mask", mask[start:end]),
                    ]
                )
            )
            start = end
        return responses
