"""Option validation and clamping, driven by hypothesis on the mock back-end.

The rules are the facade's, applied before any back-end is called, so the
mock exercises them exactly as the real back-end would see them; a few
real-model checks at the end prove the clamped values reach llama.cpp.
"""

from __future__ import annotations

import math
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genex_llm
from genex_llm import ContextLimitError, OptionError, UnsupportedOptionError
from genex_llm import _mock as mock_backend_module
from genex_llm._mock import N_CTX_TRAIN

INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
OUTSIDE_INT32 = st.one_of(st.integers(max_value=-(2**31) - 1), st.integers(min_value=2**31))
NOT_INTS = st.one_of(st.booleans(), st.floats(), st.text(max_size=5), st.none(), st.lists(st.integers(), max_size=2))
NOT_NUMBERS = st.one_of(st.booleans(), st.text(max_size=5), st.none(), st.lists(st.integers(), max_size=2))
NOT_BOOLS = st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.none())
# The env-setting fixture is function-scoped but constant across examples.
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def load(**options: Any) -> genex_llm.Model:
    return genex_llm.load_model("mock.gguf", allow_missing=True, **options)


@pytest.fixture(autouse=True)
def _mock(mock_backend: None) -> None:
    """Every test here runs on the mock back-end."""


class TestLoadOptions:
    def test_defaults(self) -> None:
        model = load()
        assert (model.context, model.gpu_layers, model.disable_mmap, model.mlock) == (2048, 0, False, False)
        assert model.threads == os.cpu_count()

    @FAST
    @given(st.integers(min_value=-(2**31), max_value=N_CTX_TRAIN))
    def test_context_is_clamped_to_at_least_256(self, value: int) -> None:
        assert load(context=value).context == max(256, value)

    @FAST
    @given(st.integers(min_value=N_CTX_TRAIN + 1, max_value=2**31 - 1))
    def test_a_context_beyond_training_is_refused_at_load(self, value: int) -> None:
        with pytest.raises(ContextLimitError) as raised:
            load(context=value)
        assert str(value) in raised.value.message and str(N_CTX_TRAIN) in raised.value.message

    def test_the_default_context_fits_a_model_trained_shorter(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(mock_backend_module, "N_CTX_TRAIN", 1024)
        model = load()
        assert model.context == 1024
        assert model.new_session().context == 1024
        with pytest.raises(ContextLimitError, match="2048"):
            load(context=2048)

    @FAST
    @given(INT32)
    def test_threads_are_clamped_to_1_through_512(self, value: int) -> None:
        assert load(threads=value).threads == max(1, min(512, value))

    @FAST
    @given(INT32)
    def test_gpu_layers_are_clamped_to_at_least_0(self, value: int) -> None:
        assert load(gpu_layers=value).gpu_layers == max(0, value)

    @FAST
    @given(st.sampled_from(["context", "threads", "gpu_layers"]), OUTSIDE_INT32)
    def test_integers_beyond_32_bits_are_refused_naming_the_value(self, key: str, value: int) -> None:
        with pytest.raises(OptionError, match=str(value)):
            load(**{key: value})

    @FAST
    @given(st.sampled_from(["context", "threads", "gpu_layers"]), NOT_INTS)
    def test_integer_options_refuse_other_types(self, key: str, value: object) -> None:
        with pytest.raises(OptionError, match=key):
            load(**{key: value})

    @FAST
    @given(st.sampled_from(["disable_mmap", "mlock", "allow_missing"]), NOT_BOOLS)
    def test_boolean_options_refuse_other_types(self, key: str, value: object) -> None:
        with pytest.raises(OptionError, match=key):
            genex_llm.load_model("mock.gguf", {"allow_missing": True, key: value})

    def test_unknown_key_is_named_with_the_valid_keys(self) -> None:
        with pytest.raises(OptionError) as raised:
            load(contxt=4096)
        message = raised.value.message
        assert "'contxt'" in message
        for valid in ("context", "threads", "gpu_layers", "disable_mmap", "mlock", "allow_missing"):
            assert valid in message

    def test_mapping_and_keywords_merge_with_keywords_winning(self) -> None:
        model = genex_llm.load_model("mock.gguf", {"context": 4096, "threads": 3}, threads=1, allow_missing=True)
        assert (model.context, model.threads) == (4096, 1)

    def test_options_must_be_a_mapping(self) -> None:
        with pytest.raises(OptionError, match="mapping"):
            genex_llm.load_model("mock.gguf", [("context", 4096)])  # type: ignore[arg-type]

    def test_option_names_must_be_strings(self) -> None:
        with pytest.raises(OptionError, match="strings"):
            genex_llm.load_model("mock.gguf", {1: 2, "allow_missing": True})  # type: ignore[dict-item]


class TestSessionOptions:
    def test_defaults_follow_the_model(self) -> None:
        model = load(context=1024, threads=3)
        session = model.new_session()
        assert (session.context, session.batch, session.threads) == (1024, 512, 3)
        assert (session.seed, session.temperature, session.top_p, session.top_k, session.max_tokens) == (
            42, 0.7, 0.9, 40, 256)

    def test_default_batch_never_exceeds_a_small_context(self) -> None:
        assert load().new_session(context=300).batch == 300

    @FAST
    @given(st.integers(min_value=256, max_value=8192), INT32)
    def test_batch_is_clamped_into_1_through_context(self, context: int, batch: int) -> None:
        session = load().new_session(context=context, batch=batch)
        assert session.batch == max(1, min(context, batch))

    @FAST
    @given(INT32)
    def test_max_tokens_is_clamped_to_at_least_1(self, value: int) -> None:
        assert load().new_session(max_tokens=value).max_tokens == max(1, value)

    @FAST
    @given(INT32)
    def test_top_k_is_clamped_to_at_least_0(self, value: int) -> None:
        assert load().new_session(top_k=value).top_k == max(0, value)

    @FAST
    @given(st.floats(allow_nan=False, allow_infinity=False))
    def test_temperature_is_clamped_into_0_through_100(self, value: float) -> None:
        assert load().new_session(temperature=value).temperature == max(0.0, min(100.0, value))

    @FAST
    @given(st.floats(min_value=0.0, max_value=1.0, exclude_min=True))
    def test_top_p_inside_0_1_is_kept(self, value: float) -> None:
        assert load().new_session(top_p=value).top_p == value

    @FAST
    @given(st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0, exclude_min=True)))
    def test_top_p_outside_0_1_is_refused_naming_it(self, value: float) -> None:
        with pytest.raises(OptionError, match="top_p"):
            load().new_session(top_p=value)

    @FAST
    @given(st.sampled_from(["temperature", "top_p"]), st.sampled_from([math.nan, math.inf, -math.inf]))
    def test_non_finite_floats_are_refused(self, key: str, value: float) -> None:
        with pytest.raises(OptionError, match=key):
            load().new_session(**{key: value})

    @FAST
    @given(st.sampled_from(["temperature", "top_p"]), NOT_NUMBERS)
    def test_float_options_refuse_other_types(self, key: str, value: object) -> None:
        with pytest.raises(OptionError, match=key):
            load().new_session(**{key: value})

    @FAST
    @given(st.integers(min_value=0, max_value=2**32 - 1))
    def test_any_32_bit_seed_is_kept(self, value: int) -> None:
        assert load().new_session(seed=value).seed == value

    @FAST
    @given(st.one_of(st.integers(max_value=-1), st.integers(min_value=2**32)))
    def test_seeds_outside_32_bits_are_refused_naming_them(self, value: int) -> None:
        with pytest.raises(OptionError, match=str(value)):
            load().new_session(seed=value)

    def test_integer_temperature_is_accepted_as_a_number(self) -> None:
        assert load().new_session(temperature=1).temperature == 1.0

    def test_unknown_key_is_named_with_the_valid_keys(self) -> None:
        with pytest.raises(OptionError) as raised:
            load().new_session(temprature=0.1)
        assert "'temprature'" in raised.value.message
        assert "temperature" in raised.value.message and "batch" in raised.value.message


class TestInferOptions:
    def test_overrides_apply_to_one_call_only(self) -> None:
        session = load().new_session(temperature=0.5, max_tokens=30, seed=1)
        session.infer("hello", max_tokens=2, temperature=0.0, seed=9, top_k=5, top_p=0.5)
        assert (session.temperature, session.max_tokens, session.seed, session.top_k, session.top_p) == (
            0.5, 30, 1, 40, 0.9)

    def test_override_changes_the_call(self) -> None:
        session = load().new_session(max_tokens=30)
        assert len(session.infer("hello world", max_tokens=2)["tokens"]) <= 2

    @pytest.mark.parametrize("key", ["timeout", "timeout_ms", "stream", "callback", "on_token"])
    def test_timeouts_and_streaming_are_unsupported(self, key: str) -> None:
        session = load().new_session()
        with pytest.raises(UnsupportedOptionError) as raised:
            session.infer("hi", {key: 1})
        # The message is the capability's exact text; the key travels beside it.
        assert raised.value.message == "timeout/streaming not supported for local inference yet"
        assert raised.value.option == key
        assert f"option {key!r}" in str(raised.value)

    def test_any_callable_value_is_unsupported(self) -> None:
        session = load().new_session()
        with pytest.raises(UnsupportedOptionError, match="timeout/streaming not supported.*'seed'"):
            session.infer("hi", seed=print)

    @pytest.mark.parametrize("key", ["context", "batch", "threads", "gpu_layers", "bogus"])
    def test_session_and_load_keys_are_unknown_per_call(self, key: str) -> None:
        with pytest.raises(OptionError, match=f"'{key}'"):
            load().new_session().infer("hi", {key: 1})

    @FAST
    @given(st.one_of(st.integers(), st.binary(max_size=4), st.none(), st.lists(st.text(max_size=2), max_size=2)))
    def test_non_str_prompts_are_refused(self, prompt: object) -> None:
        with pytest.raises(OptionError, match="prompt must be a str"):
            load().new_session().infer(prompt)  # type: ignore[arg-type]

    def test_lone_surrogate_prompt_is_refused_naming_it(self) -> None:
        with pytest.raises(OptionError, match=r"\\ud800"):
            load().new_session().infer("ab\ud800")


@pytest.mark.real
class TestClampsReachLlamaCpp:
    @pytest.fixture(autouse=True)
    def _mock(self) -> None:
        """Overrides the module's mock fixture: these run on the real back-end."""

    def test_tiny_context_and_batch_are_clamped_and_usable(self, real_model: genex_llm.Model) -> None:
        with real_model.new_session(context=1, batch=0, temperature=0, max_tokens=3) as session:
            assert (session.context, session.batch) == (256, 1)
            result = session.infer("The sky is")
            assert len(result["tokens"]) == 3

    def test_negative_temperature_is_greedy(self, real_model: genex_llm.Model) -> None:
        with real_model.new_session(temperature=-5, max_tokens=8, seed=1) as cold, \
                real_model.new_session(temperature=0, max_tokens=8, seed=2) as greedy:
            assert cold.temperature == 0.0
            assert cold.infer("The sky is")["text"] == greedy.infer("The sky is")["text"]
