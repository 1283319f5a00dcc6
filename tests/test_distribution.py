"""The sdist carries what the build needs, and a wheel built from it works outside the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist and a wheel built from it, as `python -m build` makes them."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=3000)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


@pytest.mark.slow
def test_the_sdist_holds_the_llama_cpp_sources_and_licences_but_not_their_extras(dist: Path) -> None:
    (sdist,) = dist.glob("genex_llm-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in ["tools/llama_cpp/CMakeLists.txt", "tools/llama_cpp/include/llama.h", "tools/llama_cpp/LICENSE",
                   "tools/llama_cpp/ggml/src/ggml-cpu/ggml-cpu.c", "tools/llama_cpp/ggml/src/ggml-cuda/ggml-cuda.cu",
                   "LICENSE", "README.md", "cpp/core/session.cpp", "python/genex_llm/__init__.py"]:
        assert needed in names, needed
    for unwanted in ["tools/llama_cpp/tests/", "tools/llama_cpp/docs/", "tools/llama_cpp/models/",
                     "tools/llama_cpp/examples/"]:
        assert not any(name.startswith(unwanted) for name in names), unwanted


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_environment_and_completes(dist: Path, tmp_path: Path,
                                                                  model_path: str) -> None:
    (wheel,) = dist.glob("genex_llm-*.whl")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=600)
    script = (
        "import genex_llm, sys\n"
        "assert 'site-packages' in genex_llm.__file__, genex_llm.__file__\n"
        "with genex_llm.load_model(sys.argv[1], threads=2) as m, m.new_session(temperature=0) as s:\n"
        "    r = s.infer('The capital of France is', max_tokens=6)\n"
        "print(r['finish_reason'].value, len(r['tokens']), repr(r['text']))\n"
    )
    done = subprocess.run([str(python), "-c", script, model_path], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert done.returncode == 0, done.stderr
    reason, count, _ = done.stdout.split(" ", 2)
    assert reason in {"stop", "length"} and 0 < int(count) <= 6
    licence = environment / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages" \
        / "genex_llm" / "licenses" / "LICENSE-llama.cpp"
    assert licence.is_file()
