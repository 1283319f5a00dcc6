"""Prompts of an exact token count, identical for every system.

The public API has no tokenizer, so a prompt is fitted by asking the engine
how many tokens a candidate has (``prompt_tokens`` of a one-token
completion). Candidates are the first ``m`` words of a fixed passage,
repeated as needed. Plain prose keeps a greedy continuation going for the
whole generation budget, where a chat prompt would soon emit an
end-of-turn token. llama-cpp-python tokenizes with the same llama.cpp
tokenizer (BOS added, special tokens parsed), so its count is the same; its
worker reports the count it saw.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Dict

PASSAGE = (
    "The old lighthouse stood at the end of a long stone pier, and every evening the keeper "
    "climbed the narrow stairs to light the lamp. From the top he could see the whole harbour: "
    "the fishing boats coming home, the gulls circling over the market, the children running "
    "along the beach before their mothers called them in for supper. He kept a book in which he "
    "wrote down the weather, the names of the ships that passed, and anything else that seemed "
    "worth remembering. Over the years the book grew into a history of the town, told one day "
    "at a time by a man who had never left it. When the storms came in winter he stayed awake "
    "all night, watching the light turn and listening to the waves break against the rocks below. "
    "In the morning he walked back along the pier, bought bread and fish at the market, and "
    "slept until the afternoon, when the whole quiet routine began again."
).split()


def words(count: int) -> str:
    """The first ``count`` words of the passage, cycling through it."""
    return " ".join(itertools.islice(itertools.cycle(PASSAGE), count))


@dataclass(frozen=True)
class FittedPrompt:
    text: str
    tokens: int
    """Its token count as the engine sees it (with BOS); equals the target when a fit exists."""


def fit_prompt(target: int, count_tokens: Callable[[str], int]) -> FittedPrompt:
    """The longest passage prefix of at most ``target`` tokens; exactly ``target`` whenever possible.

    Every word is at least one token, so the count only grows with the
    number of words. Steps by the remaining token difference (one token a
    word is the common case, so this lands in two or three counts) and
    bisects when a step falls outside the known bracket.
    """
    counts: Dict[int, int] = {}

    def count(m: int) -> int:
        if m not in counts:
            counts[m] = count_tokens(words(m))
        return counts[m]

    low, high = 0, target + 1  # count(low) < target < count(high) once measured
    m = max(1, target - 1)
    while True:
        tokens = count(m)
        if tokens == target:
            return FittedPrompt(words(m), tokens)
        if tokens < target:
            low = m
        else:
            high = m
        if high - low <= 1:
            break
        step = m + (target - tokens)
        m = step if low < step < high else (low + high) // 2
    if low == 0:
        raise ValueError(f"no prompt of at most {target} tokens: one word is already {count(1)}")
    return FittedPrompt(words(low), count(low))
