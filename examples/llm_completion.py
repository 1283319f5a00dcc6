"""Load the default model (or $GENEX_LLM_MODEL), ask it one question, print the answer.

Run it with `./dev example`, or `python examples/llm_completion.py "your question"`.
"""

from __future__ import annotations

import sys

import genex_llm

# SmolLM2-Instruct was tuned on this chat layout; plain text works too, less well.
CHAT_TEMPLATE = "<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


def main(argv: list[str]) -> int:
    question = " ".join(argv) or "Explain in two sentences what a GGUF file is."
    path = genex_llm.default_model_path()
    try:
        with genex_llm.load_model(path, {"context": 2048}) as model:
            with model.new_session(temperature=0.2, seed=7) as session:
                result = session.infer(CHAT_TEMPLATE.format(question=question), max_tokens=96)
    except genex_llm.GeneException as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    print(f"model:  {model!r}")
    print(f"prompt: {question}")
    print(f"answer: {result['text'].strip()}")
    tokens = result.get("completion_tokens", len(result["tokens"]))
    print(f"finish: {result['finish_reason'].value} after {tokens} tokens in {result['latency_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
