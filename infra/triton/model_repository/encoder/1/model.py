"""Triton python-backend model for CPU hosts: runs encoder/1/model.onnx with onnxruntime.

Only used with --model-config-name=cpu; GPU deployments load the same file with the
onnxruntime backend (encoder/config.pbtxt), so both paths compute identical vectors.
"""

import os
from pathlib import Path

import numpy as np
import onnxruntime
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        onnx_file = Path(args["model_repository"]) / args["model_version"] / "model.onnx"
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("LLMOPS_ENCODER_THREADS", "0"))
        # Idle intra-op threads spin by default, taking a core from the rest of the stack between batches.
        spinning = os.environ.get("LLMOPS_ENCODER_SPINNING", "0")
        options.add_session_config_entry("session.intra_op.allow_spinning", spinning)
        self.session = onnxruntime.InferenceSession(
            str(onnx_file), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def execute(self, requests):
        responses = []
        for request in requests:
            ids = pb_utils.get_input_tensor_by_name(request, "input_ids").as_numpy()
            mask = pb_utils.get_input_tensor_by_name(request, "attention_mask").as_numpy()
            (vectors,) = self.session.run(["embeddings"], {"input_ids": ids, "attention_mask": mask})
            tensor = pb_utils.Tensor("embeddings", np.ascontiguousarray(vectors, dtype=np.float32))
            responses.append(pb_utils.InferenceResponse(output_tensors=[tensor]))
        return responses
