"""The C ABI of cpp/include/genex_llm.h, as a Gene VM in another language uses it.

A C program (tests/c/test_capi.c) drives the installed libgenex_llm.so
against the default model, also under valgrind's memcheck; ctypes holds the
library's defaults, clamps and refusals to those of the Python facade, so the
two faces cannot drift apart.
"""

from __future__ import annotations

import ctypes
import fcntl
import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Tuple

import pytest

import genex_llm
from genex_llm import _options

from conftest import TEST_THREADS

pytestmark = pytest.mark.real

ROOT = Path(__file__).resolve().parent.parent
C_DIR = Path(__file__).resolve().parent / "c"
SOURCE_HEADER_DIR = ROOT / "cpp" / "include"

# Every check of test_capi.c, in the order it runs them.
EXPECTED_CHECKS = [
    "load_defaults",
    "missing_file",
    "error_buffer",
    "null_arguments",
    "load_with_log_callback",
    "log_callback_removed",
    "session_defaults",
    "infer",
    "greedy_deterministic",
    "prefix_reuse_and_reset",
    "infer_options",
    "clamps",
    "invalid_options",
    "null_outputs",
    "cancel_from_another_thread",
    "model_busy",
    "session_closed",
    "model_closed",
    "model_free_keeps_sessions",
]

GENEX_LLM_OK = 0
GENEX_LLM_ERR_OPTION = 2


def installed(relative: str) -> Path:
    """A file scikit-build-core installed into the genex_llm package (lib/, include/).

    An editable install splits the package between the source tree and
    site-packages; the package's search locations cover both.
    """
    spec = importlib.util.find_spec("genex_llm")
    assert spec is not None and spec.submodule_search_locations is not None
    locations = list(spec.submodule_search_locations)
    for location in locations:
        candidate = Path(location) / relative
        if candidate.is_file():
            return candidate
    pytest.fail(f"{relative} is not installed in the genex_llm package (searched {locations}); run ./dev build")


def compile_program(output_dir: Path, include_dir: Path, lib_dir: Path) -> Path:
    compiler = shutil.which("cc")
    if compiler is None:
        pytest.skip("no C compiler (cc) on PATH")
    program = output_dir / "test_capi"
    command = [
        compiler, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g",
        f"-I{include_dir}", str(C_DIR / "test_capi.c"),
        f"-L{lib_dir}", "-lgenex_llm", f"-Wl,-rpath,{lib_dir}", "-pthread", "-lm",
        "-o", str(program),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, f"compiling test_capi.c failed:\n{result.stderr}"
    return program


def checks(stdout: str) -> Tuple[List[str], List[str]]:
    """The names of the passed checks, and the lines of the failed ones."""
    passed = [line.split(" ", 1)[1] for line in stdout.splitlines() if line.startswith("PASS ")]
    failed = [line for line in stdout.splitlines() if not line.startswith("PASS ")]
    return passed, failed


@pytest.fixture(scope="module")
def installed_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    library = installed("lib/libgenex_llm.so")
    header = installed("include/genex_llm.h")
    return compile_program(tmp_path_factory.mktemp("capi"), header.parent, library.parent)


def test_c_program_passes_every_check(installed_program: Path, model_path: str) -> None:
    result = subprocess.run(
        [str(installed_program), model_path, "16", str(TEST_THREADS)],
        capture_output=True, text=True, timeout=600,
    )
    passed, failed = checks(result.stdout)
    assert failed == []
    assert passed == EXPECTED_CHECKS
    assert result.returncode == 0
    # llama.cpp logs plenty while loading; without a callback the library drops it.
    assert result.stderr == ""


# ---- valgrind ----

PORTABLE_BUILD = ROOT / "build" / "capi-valgrind"


def portable_library() -> Path:
    """libgenex_llm.so built for an AVX2 baseline instead of this CPU, for valgrind.

    The installed library is tuned with -march=native (GGML_NATIVE), and
    valgrind cannot decode AVX-512 instructions: on such a CPU it stops with
    SIGILL inside ggml before the first check. This build has the same sources
    and flags for this project's code; only llama.cpp's kernels differ. It is
    kept under build/ so that only the first run compiles llama.cpp.
    """
    tools = Path(sys.executable).parent
    cmake = shutil.which("cmake", path=str(tools)) or shutil.which("cmake")
    ninja = shutil.which("ninja", path=str(tools)) or shutil.which("ninja")
    if cmake is None or ninja is None:
        pytest.skip("cmake and ninja are needed to build the library for valgrind")
    import pybind11

    PORTABLE_BUILD.mkdir(parents=True, exist_ok=True)
    with open(PORTABLE_BUILD / ".lock", "w") as lock:
        # Concurrent test runs share the folder; one builds at a time.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (PORTABLE_BUILD / "build.ninja").is_file():
            configure = [
                cmake, "-S", str(ROOT), "-B", str(PORTABLE_BUILD), "-G", "Ninja",
                f"-DCMAKE_MAKE_PROGRAM={ninja}",
                "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                "-DSKBUILD_PROJECT_NAME=genex_llm",
                f"-DSKBUILD_PROJECT_VERSION={genex_llm.__version__}",
                f"-DPython_EXECUTABLE={sys.executable}",
                f"-Dpybind11_DIR={pybind11.get_cmake_dir()}",
                "-DGGML_NATIVE=OFF",
                "-DGGML_SSE42=ON", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON",
                "-DGGML_F16C=ON", "-DGGML_BMI2=ON",
                "-DGGML_AVX_VNNI=OFF", "-DGGML_AVX512=OFF",
            ]
            result = subprocess.run(configure, capture_output=True, text=True)
            assert result.returncode == 0, f"configuring the valgrind build failed:\n{result.stdout}{result.stderr}"
        result = subprocess.run([cmake, "--build", str(PORTABLE_BUILD), "--target", "genex_llm"],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"building the valgrind library failed:\n{result.stdout[-8000:]}"
    return PORTABLE_BUILD / "cpp" / "capi" / "libgenex_llm.so"


def leak_bytes(report: str, kind: str) -> int:
    """Bytes memcheck's leak summary lists as `kind` ("definitely lost", ...)."""
    found = re.search(rf"{kind}: ([\d,]+) bytes", report)
    if found is None:
        # Without leaks of any kind memcheck prints no table at all.
        assert "All heap blocks were freed" in report, report[-4000:]
        return 0
    return int(found.group(1).replace(",", ""))


@pytest.mark.slow
def test_c_program_is_clean_under_valgrind(tmp_path: Path, model_path: str) -> None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        pytest.skip("valgrind is not installed")
    library = portable_library()
    program = compile_program(tmp_path, SOURCE_HEADER_DIR, library.parent)
    command = [
        valgrind, "--leak-check=full", "--error-exitcode=99", "--errors-for-leak-kinds=definite",
        # Valgrind runs one thread at a time; without fair scheduling the decoding
        # thread can keep the lock, and the thread that cancels it never runs.
        "--fair-sched=yes",
        # Memcheck runs ~50x slower: two tokens on one thread still cover every path.
        str(program), model_path, "2", "1",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    passed, failed = checks(result.stdout)
    assert failed == [], result.stderr[-4000:]
    assert passed == EXPECTED_CHECKS, result.stderr[-4000:]
    assert leak_bytes(result.stderr, "definitely lost") == 0, result.stderr[-8000:]
    assert leak_bytes(result.stderr, "indirectly lost") == 0, result.stderr[-8000:]
    assert "ERROR SUMMARY: 0 errors" in result.stderr, result.stderr[-8000:]
    assert result.returncode == 0


# ---- the library's symbols ----


def test_library_exports_exactly_the_header_functions() -> None:
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("nm (binutils) is not installed")
    library = installed("lib/libgenex_llm.so")
    result = subprocess.run([nm, "-D", "--defined-only", str(library)], capture_output=True, text=True, check=True)
    exported = {line.split()[-1] for line in result.stdout.splitlines() if line.strip()}
    header = installed("include/genex_llm.h").read_text()
    declared = set(re.findall(r"GENEX_LLM_API[^;(]*?\b(genex_llm_\w+)\s*\(", header))
    assert len(declared) > 20
    assert exported == declared


# ---- the two faces agree: defaults, clamps, refusals ----


class LoadOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("context", ctypes.c_int32),
        ("threads", ctypes.c_int32),
        ("gpu_layers", ctypes.c_int32),
        ("disable_mmap", ctypes.c_int32),
        ("mlock", ctypes.c_int32),
    ]


class SessionOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("context", ctypes.c_int32),
        ("batch", ctypes.c_int32),
        ("threads", ctypes.c_int32),
        ("max_tokens", ctypes.c_int32),
        ("temperature", ctypes.c_double),
        ("top_p", ctypes.c_double),
        ("top_k", ctypes.c_int32),
        ("seed", ctypes.c_uint32),
    ]


class InferOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("max_tokens", ctypes.c_int32),
        ("temperature", ctypes.c_double),
        ("top_p", ctypes.c_double),
        ("top_k", ctypes.c_int32),
        ("seed", ctypes.c_uint32),
    ]


Handle = ctypes.c_void_p
ERR_SIZE = 512


class CLibrary:
    """The C functions the agreement tests call, with their signatures."""

    def __init__(self, path: Path) -> None:
        lib = ctypes.CDLL(str(path))
        err = [ctypes.c_char_p, ctypes.c_size_t]
        status = ctypes.c_int
        lib.genex_llm_load_options_default.restype = LoadOptions
        lib.genex_llm_load_options_default.argtypes = []
        signatures: Dict[str, List[Any]] = {
            "genex_llm_model_load": [ctypes.c_char_p, ctypes.POINTER(LoadOptions), ctypes.POINTER(Handle), *err],
            "genex_llm_model_get_options": [Handle, ctypes.POINTER(LoadOptions), *err],
            "genex_llm_session_options_default": [Handle, ctypes.POINTER(SessionOptions), *err],
            "genex_llm_session_new": [Handle, ctypes.POINTER(SessionOptions), ctypes.POINTER(Handle), *err],
            "genex_llm_session_get_options": [Handle, ctypes.POINTER(SessionOptions), *err],
            "genex_llm_infer_options_default": [Handle, ctypes.POINTER(InferOptions), *err],
            "genex_llm_session_infer": [Handle, ctypes.c_char_p, ctypes.POINTER(InferOptions),
                                        ctypes.POINTER(Handle), *err],
        }
        for name, argtypes in signatures.items():
            function = getattr(lib, name)
            function.argtypes = argtypes
            function.restype = status
        lib.genex_llm_model_free.argtypes = [Handle]
        lib.genex_llm_model_free.restype = None
        lib.genex_llm_session_free.argtypes = [Handle]
        lib.genex_llm_session_free.restype = None
        lib.genex_llm_completion_free.argtypes = [Handle]
        lib.genex_llm_completion_free.restype = None
        self.lib = lib

    def call(self, name: str, *args: Any) -> Tuple[int, str]:
        err = ctypes.create_string_buffer(ERR_SIZE)
        status = getattr(self.lib, name)(*args, err, ERR_SIZE)
        return int(status), err.value.decode("utf-8")

    def ok(self, name: str, *args: Any) -> None:
        status, message = self.call(name, *args)
        assert status == GENEX_LLM_OK, message


@pytest.fixture(scope="module")
def clib() -> CLibrary:
    return CLibrary(installed("lib/libgenex_llm.so"))


def fields(struct: ctypes.Structure) -> Dict[str, Any]:
    return {field[0]: getattr(struct, field[0]) for field in struct._fields_ if field[0] != "struct_size"}


def as_wire(settings: Mapping[str, Any], names: Any) -> Dict[str, Any]:
    """The facade's settings as the C struct holds them (booleans are 0/1)."""
    return {name: int(value) if isinstance(value, bool) else value for name, value in settings.items() if name in names}


@pytest.fixture
def c_model(clib: CLibrary, model_path: str, request: pytest.FixtureRequest) -> Iterator[Tuple[Handle, Dict[str, Any]]]:
    """A model loaded through the C library with `request.param` as load options, and the facade's view of them."""
    given: Dict[str, Any] = request.param
    python = _options.load_options(given, {}, lambda: os.cpu_count() or 1)
    options = clib.lib.genex_llm_load_options_default()
    for name, value in given.items():
        setattr(options, name, int(value))
    model = Handle()
    clib.ok("genex_llm_model_load", model_path.encode(), ctypes.byref(options), ctypes.byref(model))
    yield model, python
    clib.lib.genex_llm_model_free(model)


def test_load_defaults_agree_with_the_python_facade(clib: CLibrary) -> None:
    c_defaults = clib.lib.genex_llm_load_options_default()
    assert c_defaults.struct_size == ctypes.sizeof(LoadOptions)
    python = _options.load_options({}, {}, lambda: os.cpu_count() or 1)
    # allow_missing only lets the Python mock back-end load files that do not exist.
    assert set(fields(c_defaults)) == set(python) - {"allow_missing"}
    assert fields(c_defaults) == as_wire(python, fields(c_defaults))


@pytest.mark.parametrize(
    "c_model",
    [{}, {"context": 300, "threads": 3}, {"context": 100, "threads": 100000, "gpu_layers": -4, "mlock": False},
     {"context": 4096, "threads": 0, "disable_mmap": True}],
    indirect=True,
)
def test_model_and_session_defaults_agree_with_the_python_facade(
    clib: CLibrary, c_model: Tuple[Handle, Dict[str, Any]]
) -> None:
    model, python = c_model
    applied = LoadOptions()
    clib.ok("genex_llm_model_get_options", model, ctypes.byref(applied))
    assert fields(applied) == as_wire(python, fields(applied))

    c_session = SessionOptions()
    clib.ok("genex_llm_session_options_default", model, ctypes.byref(c_session))
    assert c_session.struct_size == ctypes.sizeof(SessionOptions)
    python_session = _options.session_options({}, {}, python["context"], python["threads"])
    assert set(fields(c_session)) == set(python_session)
    assert fields(c_session) == python_session


@pytest.mark.parametrize("c_model", [{"threads": TEST_THREADS}], indirect=True)
@pytest.mark.parametrize(
    "given",
    [
        {},
        {"context": 100, "batch": 100000, "threads": 0, "max_tokens": 0, "temperature": 1000.0, "top_k": -5},
        {"context": 300, "batch": 0, "threads": 100000, "temperature": -1.0, "top_p": 1, "seed": 2**32 - 1},
        {"context": 256, "temperature": 0, "top_p": 1e-9, "top_k": 0, "seed": 0, "max_tokens": 7},
    ],
)
def test_session_clamps_agree_with_the_python_facade(
    clib: CLibrary, c_model: Tuple[Handle, Dict[str, Any]], given: Dict[str, Any]
) -> None:
    model, python = c_model
    python_session = _options.session_options(given, {}, python["context"], python["threads"])
    options = SessionOptions()
    clib.ok("genex_llm_session_options_default", model, ctypes.byref(options))
    for name, value in given.items():
        setattr(options, name, value)
    session = Handle()
    clib.ok("genex_llm_session_new", model, ctypes.byref(options), ctypes.byref(session))
    try:
        applied = SessionOptions()
        clib.ok("genex_llm_session_get_options", session, ctypes.byref(applied))
        assert fields(applied) == python_session

        c_infer = InferOptions()
        clib.ok("genex_llm_infer_options_default", session, ctypes.byref(c_infer))
        assert c_infer.struct_size == ctypes.sizeof(InferOptions)
        python_infer = _options.infer_options({}, {}, python_session)
        assert set(fields(c_infer)) == set(python_infer)
        assert fields(c_infer) == python_infer
    finally:
        clib.lib.genex_llm_session_free(session)


@pytest.mark.parametrize("c_model", [{"threads": TEST_THREADS}], indirect=True)
@pytest.mark.parametrize(
    "given",
    [{"temperature": math.nan}, {"temperature": math.inf}, {"top_p": 0}, {"top_p": -2}, {"top_p": 1.5},
     {"top_p": math.nan}],
)
def test_refusals_agree_with_the_python_facade(
    clib: CLibrary, c_model: Tuple[Handle, Dict[str, Any]], given: Dict[str, Any]
) -> None:
    model, python = c_model
    with pytest.raises(genex_llm.OptionError) as refused:
        _options.session_options(given, {}, python["context"], python["threads"])

    options = SessionOptions()
    clib.ok("genex_llm_session_options_default", model, ctypes.byref(options))
    options.context = 256
    for name, value in given.items():
        setattr(options, name, value)
    session = Handle()
    status, message = clib.call("genex_llm_session_new", model, ctypes.byref(options), ctypes.byref(session))
    assert (status, message) == (GENEX_LLM_ERR_OPTION, refused.value.message)
    assert session.value is None

    # Infer options follow the same rules, call by call.
    options.temperature, options.top_p = 0.7, 0.9
    clib.ok("genex_llm_session_new", model, ctypes.byref(options), ctypes.byref(session))
    try:
        infer = InferOptions()
        clib.ok("genex_llm_infer_options_default", session, ctypes.byref(infer))
        for name, value in given.items():
            setattr(infer, name, value)
        completion = Handle()
        status, message = clib.call("genex_llm_session_infer", session, b"Hi", ctypes.byref(infer),
                                    ctypes.byref(completion))
        assert (status, message) == (GENEX_LLM_ERR_OPTION, refused.value.message)
        assert completion.value is None
    finally:
        clib.lib.genex_llm_session_free(session)
