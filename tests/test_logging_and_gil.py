"""Quiet by default, observable through logging, and the GIL released while decoding."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading

import pytest

import genex_llm

pytestmark = pytest.mark.real


def test_loading_and_inference_print_nothing(model_path: str) -> None:
    script = (
        "import genex_llm\n"
        f"m = genex_llm.load_model({model_path!r}, threads=1)\n"
        "s = m.new_session(max_tokens=3)\n"
        "s.infer('Hello')\n"
        "s.close(); m.close()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")


def test_llama_cpp_messages_reach_the_genex_llm_logger(model_path: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="genex_llm"):
        genex_llm.load_model(model_path, threads=1).close()
    engine = [record for record in caplog.records if record.name == "genex_llm"]
    assert any("llama_model_loader" in record.getMessage() for record in engine)
    assert {record.levelno for record in engine} <= {logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR}
    assert all("\n" not in record.getMessage() for record in engine)


def test_a_load_failure_names_the_path_and_a_reason(tmp_path: object) -> None:
    broken = f"{tmp_path}/broken.gguf"
    with open(broken, "wb") as file:
        file.write(b"GGUF" + (3).to_bytes(4, "little") + (2**40).to_bytes(8, "little") + bytes(8))
    with pytest.raises(genex_llm.ModelLoadError) as raised:
        genex_llm.load_model(broken)
    prefix = f"cannot load model '{broken}': "
    assert raised.value.message.startswith(prefix)
    assert len(raised.value.message) > len(prefix) + 10


def test_other_python_threads_run_while_a_session_decodes(session: genex_llm.Session) -> None:
    counter = 0
    running = threading.Event()
    finished = threading.Event()

    def infer() -> None:
        running.set()
        session.infer("Once upon a time", max_tokens=48)
        finished.set()

    worker = threading.Thread(target=infer)
    worker.start()
    running.wait()
    while not finished.is_set():
        counter += 1
    worker.join()
    # Holding the GIL through the token loop would let this loop run only at
    # the interpreter's switch interval (a few hundred times at most).
    assert counter > 100_000
