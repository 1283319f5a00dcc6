"""The benchmark harness: it runs on a tiny budget and its output is well-formed.

No timing is asserted: these machines are too noisy, and docs/performance.md
holds the real measurements.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import types
from pathlib import Path
from typing import Any, Dict, List

import pytest

from genex_llm.bench import command, figures, lcp_worker, llama_bench, ours, report, runner
from genex_llm.bench.config import (QUICK_SHAPES, SYSTEM_LLAMA_BENCH, SYSTEM_OURS, BenchConfig, Shapes, check_shapes,
                                    source_root)
from genex_llm.bench.prompts import PASSAGE, fit_prompt, words


def built_llama_bench() -> bool:
    root = source_root()
    return root is not None and llama_bench.executable(root / "build" / "llama-bench").is_file()


def positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    """One quick run through the console entry point; llama-bench joins only if already built."""
    systems = [SYSTEM_OURS] + ([SYSTEM_LLAMA_BENCH] if built_llama_bench() else [])
    out = tmp_path_factory.mktemp("bench") / "result.json"
    done = subprocess.run(
        [sys.executable, "-m", "genex_llm.bench", "--quick", "--rounds", "1", "--threads", "1",
         "--systems", ",".join(systems), "--json", str(out)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return {"stdout": done.stdout, "json": json.loads(out.read_text(encoding="utf-8")), "systems": systems}


@pytest.mark.real
class TestQuickRun:
    def test_prompts_are_fitted_to_the_exact_token_counts(self, quick_run: Dict[str, Any]) -> None:
        prompts = quick_run["json"]["prompts"]
        for length in QUICK_SHAPES.prompt_lengths:
            assert prompts[str(length)]["tokens"] == length
        check = quick_run["json"]["generation_check"]
        assert check["completion_tokens"] == QUICK_SHAPES.gen_tokens

    def test_every_system_reports_positive_figures(self, quick_run: Dict[str, Any]) -> None:
        medians = quick_run["json"]["medians"]["1"]
        assert sorted(medians) == sorted(quick_run["systems"])
        ours = medians[SYSTEM_OURS]
        expected = ["pp16_ts", "pp32_ts", "tg_ts", "tg_call_ts", "ttft16_ms", "ttft32_ms", "load_ms", "peak_rss_mb"]
        for key in expected:
            assert positive(ours[key]), (key, ours)
        assert 0 <= ours["overhead_pct"] < 100
        assert ours["gen_tokens"] == QUICK_SHAPES.gen_tokens
        if SYSTEM_LLAMA_BENCH in medians:
            for key in ("pp16_ts", "pp32_ts", "tg_ts", "peak_rss_mb"):
                assert positive(medians[SYSTEM_LLAMA_BENCH][key]), key
            assert set(quick_run["json"]["ratios"]["1"][SYSTEM_LLAMA_BENCH]) >= {"pp16_ts", "pp32_ts", "tg_ts"}

    def test_raw_values_of_every_round_are_kept(self, quick_run: Dict[str, Any]) -> None:
        assert quick_run["json"]["rounds_done"] == 1
        raw = quick_run["json"]["raw"]["1"][SYSTEM_OURS]
        assert len(raw) == 1 and "error" not in raw[0]
        generation = raw[0]["generation"]
        assert len(generation["call_ms"]) == QUICK_SHAPES.repetitions
        assert generation["finish_reason"] == ["length"] * QUICK_SHAPES.repetitions

    def test_scale_figures_cover_one_two_and_four_sessions(self, quick_run: Dict[str, Any]) -> None:
        scale = quick_run["json"]["scale"]["medians"]
        for key in ("one_session_ts", "two_sessions_ts", "two_vs_one", "rss_1_mb", "rss_2_mb", "rss_4_mb",
                    "kv_cache_mb"):
            assert positive(scale[key]), key
        assert scale["rss_1_mb"] <= scale["rss_4_mb"]

    def test_prefix_reuse_evaluates_only_the_new_suffix(self, quick_run: Dict[str, Any]) -> None:
        scale = quick_run["json"]["scale"]["medians"]
        longest = max(QUICK_SHAPES.prompt_lengths)
        # The whole passage is reused (but perhaps a token where it meets the suffix).
        assert longest - 2 <= scale["reuse_prefix_tokens"] <= longest
        assert 5 <= scale["reuse_suffix_tokens"] <= 30
        assert positive(scale["reuse_cold_ms"]) and positive(scale["reuse_warm_ms"])
        assert scale["reuse_factor"] == pytest.approx(scale["reuse_cold_ms"] / scale["reuse_warm_ms"])
        assert any(target["name"].startswith("prefix reuse") for target in quick_run["json"]["targets"])
        assert "prefix reuse: cold / warm" in quick_run["stdout"]

    def test_targets_and_table_are_reported(self, quick_run: Dict[str, Any]) -> None:
        targets = quick_run["json"]["targets"]
        assert targets and all(target["met"] in (True, False, None) for target in targets)
        assert any("llama-cpp-python" in target["name"] and target["met"] is None for target in targets)
        table = quick_run["stdout"]
        assert "| prompt eval, 16 tokens (tok/s)" in table
        assert "### Targets" in table
        assert quick_run["json"]["command"].startswith("genex-llm bench --quick")


class TestFitPrompt:
    def test_lands_on_the_target_when_words_are_single_tokens(self) -> None:
        calls: List[str] = []

        def count(text: str) -> int:
            calls.append(text)
            return 1 + len(text.split())  # a BOS, then one token a word

        fitted = fit_prompt(128, count)
        assert fitted.tokens == 128 and fitted.text == words(127)
        assert len(calls) <= 3

    def test_falls_back_to_the_longest_prompt_under_the_target(self) -> None:
        def count(text: str) -> int:
            return 2 * len(text.split())  # every word is two tokens: odd counts are unreachable

        fitted = fit_prompt(51, count)
        assert fitted.tokens == 50 and fitted.text == words(25)

    def test_words_cycle_through_the_passage(self) -> None:
        assert words(len(PASSAGE) + 2).split() == [*PASSAGE, *PASSAGE[:2]]

    def test_refuses_a_target_below_one_word(self) -> None:
        with pytest.raises(ValueError, match="one word"):
            fit_prompt(2, lambda text: 5 * len(text.split()))


class TestFigures:
    def test_decodes_follow_the_token_loop(self) -> None:
        assert figures.decodes(128, "length") == 127
        assert figures.decodes(40, "stop") == 40

    def test_binding_figures_from_raw_values(self) -> None:
        raw = {
            "load_ms": 100.0, "peak_rss_mb": 200.0,
            "prompt": {"128": {"tokens": [128, 128], "eval_ms": [100.0, 200.0], "ttft_ms": [110.0, 210.0]}},
            "generation": {"first_ms": [100.0], "call_ms": [1370.0], "tokens": [128], "finish_reason": ["length"],
                           "loop_ms": [1000.0], "decode_ms": [990.0]},
        }
        result = figures.binding_figures(raw)
        assert result["pp128_ts"] == pytest.approx((1280 + 640) / 2)
        assert result["ttft128_ms"] == pytest.approx(160.0)
        assert result["tg_ts"] == pytest.approx(127.0)
        assert result["tg_call_ts"] == pytest.approx(100.0)
        assert result["overhead_pct"] == pytest.approx(1.0)

    def test_scale_figures_from_raw_values(self) -> None:
        run = {"tokens": 128.0, "wall_s": 2.0, "tokens_per_s": 64.0}
        raw = {
            "resident_mb": {"1": 200.0, "2": 250.0, "4": 350.0}, "kv_cache_mb": 45.0,
            "one_session": [run], "two_sessions": [{**run, "tokens_per_s": 112.0}],
            "prefix_reuse": {"cold_ms": [900.0, 1100.0], "warm_ms": [90.0, 110.0],
                             "reused_tokens": [511.0, 511.0], "suffix_tokens": [17.0, 17.0]},
        }
        result = figures.scale_figures(raw)
        assert result["two_vs_one"] == pytest.approx(1.75)
        assert result["per_session_mb"] == pytest.approx(50.0)
        assert result["reuse_factor"] == pytest.approx(10.0)
        assert (result["reuse_prefix_tokens"], result["reuse_suffix_tokens"]) == (511.0, 17.0)

    def test_medians_per_figure(self) -> None:
        assert figures.medians([{"a": 1.0}, {"a": 3.0, "b": 2.0}, {"a": 2.0}]) == {"a": 2.0, "b": 2.0}


class TestReport:
    def test_ratios_and_targets(self) -> None:
        medians = {
            SYSTEM_OURS: {"pp128_ts": 96.0, "tg_ts": 98.0, "overhead_pct": 1.0, "ttft128_ms": 10.0},
            SYSTEM_LLAMA_BENCH: {"pp128_ts": 100.0, "tg_ts": 100.0},
        }
        rows = report.figure_rows([128], 128, 128)
        ratio = report.ratios(medians, rows)
        assert ratio == {SYSTEM_LLAMA_BENCH: {"pp128_ts": pytest.approx(0.96), "tg_ts": pytest.approx(0.98)}}
        met = {target.name.split("] ", 1)[1]: target.met for target in report.targets("1", medians, ratio, [128])}
        assert met["generation >= 0.97 x llama-bench tg"] is True
        assert met["prompt eval 128 >= 0.95 x llama-bench pp"] is True
        assert met["per-token work outside llama.cpp < 2 %"] is True
        assert met["prompt eval 128 ahead of llama-cpp-python"] is None

    def test_a_missed_target_is_reported_as_missed(self) -> None:
        assert report.Target("x", 0.9, 0.97, True).met is False
        assert report.Target("x", 2.5, 2.0, False).met is False


class TestCommandLine:
    @pytest.mark.parametrize("arguments", [["--threads", "0"], ["--threads", "a"], ["--systems", "other"],
                                           ["--rounds", "-1"]])
    def test_bad_arguments_are_refused(self, arguments: List[str], capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as raised:
            command.main(arguments)
        assert raised.value.code == 2
        assert "error" in capsys.readouterr().err

    def test_shapes_that_overflow_the_context_are_refused(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert command.main(["--quick", "--prompt-lengths", "300"]) == 2
        assert "context 256 is too small" in capsys.readouterr().err

    def test_check_shapes_accepts_the_defaults(self) -> None:
        check_shapes(Shapes())
        check_shapes(QUICK_SHAPES)

    def test_missing_model_is_reported(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert command.main(["--quick", "--model", str(tmp_path / "absent.gguf")]) == 2
        assert "model file not found" in capsys.readouterr().err


class TestLlamaBenchBuild:
    """llama-bench is the ceiling only when it is built the way the extension is."""

    @staticmethod
    def args(build_dir: Path) -> argparse.Namespace:
        return argparse.Namespace(llama_bench_path=None, build_dir=build_dir, build_llama_bench=False)

    @staticmethod
    def fake_build(build_dir: Path, options: Dict[str, str]) -> None:
        (build_dir / "bin").mkdir(parents=True)
        llama_bench.executable(build_dir).write_text("", encoding="ascii")
        cache = ["# a CMake cache", "//a comment=with an equals sign"]
        cache += [f"{key}:STRING={value}" for key, value in options.items()]
        (build_dir / "CMakeCache.txt").write_text("\n".join(cache) + "\n", encoding="utf-8")

    def test_compiler_flags_are_the_extensions(self) -> None:
        root = source_root()
        assert root is not None
        cmake = (root / "CMakeLists.txt").read_text(encoding="utf-8")
        added = [line.strip() for line in cmake.splitlines() if line.strip().startswith("add_compile_options(")]
        flags = sorted(flag for line in added for flag in line[len("add_compile_options("):-1].split())
        assert flags == sorted(llama_bench.COMPILE_FLAGS.split())
        assert llama_bench.CMAKE_OPTIONS["CMAKE_C_FLAGS"] == llama_bench.COMPILE_FLAGS
        assert llama_bench.CMAKE_OPTIONS["CMAKE_CXX_FLAGS"] == llama_bench.COMPILE_FLAGS

    def test_a_build_with_the_same_options_is_used(self, tmp_path: Path) -> None:
        self.fake_build(tmp_path, dict(llama_bench.CMAKE_OPTIONS))
        assert command.find_llama_bench(self.args(tmp_path)) == (str(llama_bench.executable(tmp_path)), "")

    def test_a_build_with_other_options_is_refused(self, tmp_path: Path) -> None:
        options = dict(llama_bench.CMAKE_OPTIONS)
        options["CMAKE_C_FLAGS"] = "-O1"
        del options["GGML_NATIVE"]
        self.fake_build(tmp_path, options)
        found, why = command.find_llama_bench(self.args(tmp_path))
        assert found is None
        assert "CMAKE_C_FLAGS=-O1" in why and "GGML_NATIVE=(unset)" in why
        assert "--build-llama-bench" in why


class TestLoadingMode:
    """--disable-mmap reaches every system, or the comparison is not like with like."""

    @staticmethod
    def task(disable_mmap: bool) -> Dict[str, Any]:
        config = BenchConfig(model="model.gguf", threads=(1,), shapes=QUICK_SHAPES, disable_mmap=disable_mmap)
        return {**runner._task(config, 1), "prompts": {"16": "one two", "32": "one two three"}}

    def test_the_command_line_switch_sets_the_config(self) -> None:
        parser = argparse.ArgumentParser()
        command.add_arguments(parser)
        assert parser.parse_args(["--disable-mmap"]).disable_mmap is True
        assert parser.parse_args([]).disable_mmap is False

    @pytest.mark.parametrize("disable_mmap, load_mode", [(False, "mmap"), (True, "none")])
    def test_llama_bench_is_given_the_load_mode(self, monkeypatch: pytest.MonkeyPatch, disable_mmap: bool,
                                                load_mode: str) -> None:
        calls: List[List[str]] = []

        def fake_invoke(exe: str, arguments: List[str]) -> Any:
            calls.append(list(arguments))
            if arguments[arguments.index("-n") + 1] == "0":
                return [{"n_prompt": 16, "n_gen": 0, "samples_ts": [1.0]}], 1.0
            return [{"n_prompt": 0, "n_gen": 8, "n_depth": 16, "samples_ts": [1.0]}], 1.0

        monkeypatch.setattr(llama_bench, "_invoke", fake_invoke)
        llama_bench.measure("llama-bench", self.task(disable_mmap))
        assert len(calls) == 2
        assert all(arguments[arguments.index("-lm") + 1] == load_mode for arguments in calls)

    @pytest.mark.parametrize("disable_mmap", [False, True])
    def test_llama_cpp_python_is_given_use_mmap(self, monkeypatch: pytest.MonkeyPatch, disable_mmap: bool) -> None:
        made: List[Dict[str, Any]] = []

        class FakeLlama:
            def __init__(self, **options: Any) -> None:
                made.append(options)

            def reset(self) -> None:
                pass

            def tokenize(self, text: bytes, add_bos: bool, special: bool) -> List[int]:
                return [1] * len(text.split())

            def eval(self, tokens: List[int]) -> None:
                pass

            def create_completion(self, prompt: str, max_tokens: int, temperature: float) -> Dict[str, Any]:
                return {"usage": {"completion_tokens": max_tokens, "prompt_tokens": len(prompt.split())},
                        "choices": [{"finish_reason": "length"}]}

        fake = types.ModuleType("llama_cpp")
        setattr(fake, "Llama", FakeLlama)
        setattr(fake, "__version__", "fake")
        monkeypatch.setitem(sys.modules, "llama_cpp", fake)
        lcp_worker.measure(self.task(disable_mmap))
        assert [options["use_mmap"] for options in made] == [not disable_mmap]

    @pytest.mark.real
    @pytest.mark.parametrize("disable_mmap", [False, True])
    def test_genex_llm_is_given_disable_mmap(self, model_path: str, disable_mmap: bool) -> None:
        task = {**self.task(disable_mmap), "model": model_path, "context": 256}
        model, session, _ = ours._open(task, 1)
        with model, session:
            assert model.disable_mmap is disable_mmap
