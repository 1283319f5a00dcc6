#!/usr/bin/env bash
# Builds genex_llm (llama.cpp included) with AddressSanitizer and
# UndefinedBehaviorSanitizer into its own build folder and virtual
# environment, then runs the test suite under it. Exits non-zero when the
# build fails, a test fails, or a sanitizer reports anything.
#
#   tools/sanitize.sh [PYTEST ARGS]     (default: tests -m "not slow")
#
# The slow tests are left out by default: they measure time and resident
# memory, which ASan's 2-3x slowdown and its quarantine of freed memory make
# meaningless (the leak test is covered by tools/valgrind_check.sh instead).
#
# The first run compiles llama.cpp again (several minutes on 2 cores); later
# runs are incremental. The normal build in build/<wheel tag> and .venv are
# never touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$ROOT/build/asan"
VENV="$ROOT/build/asan-venv"
PY="$VENV/bin/python"
LOG="$BUILD_DIR/sanitize.log"
cd "$ROOT"

# shellcheck source=tools/venv.sh
source "$ROOT/tools/venv.sh"

ensure_venv
ensure_llama_cpp

# -O1 -g keeps reports readable with usable speed. Every target (llama.cpp,
# ggml, the core, the module) gets the flags through the CMake defaults, so
# no project file changes. The module links the sanitizer runtimes
# dynamically; Python itself is not instrumented, hence the LD_PRELOAD below.
SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g -O1"
say "building the sanitized extension in $BUILD_DIR"
mkdir -p "$BUILD_DIR"
flock "$BUILD_DIR/.lock" "$PY" -m pip install --quiet --disable-pip-version-check \
  --no-build-isolation --no-deps --force-reinstall \
  -Cbuild-dir="$BUILD_DIR" \
  -Ccmake.build-type=RelWithDebInfo \
  -Ccmake.define.CMAKE_C_FLAGS="$SAN_FLAGS" \
  -Ccmake.define.CMAKE_CXX_FLAGS="$SAN_FLAGS" \
  -Ccmake.define.CMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -Ccmake.define.CMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
  -Ccmake.define.CMAKE_INTERPROCEDURAL_OPTIMIZATION=OFF \
  "$ROOT"

# libstdc++ is preloaded too: ASan finds the real __cxa_throw when it starts,
# and Python (a C program) would otherwise load libstdc++ only with the
# extension, leaving ASan's throw interceptor with nothing to call (every C++
# exception then aborts with "CHECK failed: real___cxa_throw").
PRELOAD=""
for library in libasan.so libstdc++.so; do
  found="$(readlink -f "$(gcc -print-file-name="$library")")"
  if [ ! -e "$found" ]; then
    echo "sanitize.sh: $library not found (gcc -print-file-name gave '$found')" >&2
    exit 2
  fi
  PRELOAD="$PRELOAD $found"
done

say "running the tests under ASan + UBSan (log: $LOG)"
# Leak detection is off: CPython keeps interned objects and arenas alive at
# exit by design, which LeakSanitizer would report on every run; leaks of our
# own objects are covered by tools/valgrind_check.sh and the leak test.
# The test process must import the installed sanitized copy, not the
# editable sources, so it runs from the venv with an isolated PYTHONPATH.
# GENEX_LLM_HUGE_PAGES=0 leaves ggml's large buffers to malloc, where ASan
# puts redzones around them; on huge pages they would be plain mappings.
if [ "$#" -eq 0 ]; then
  set -- tests -m "not slow"
fi
status=0
env -u PYTHONPATH \
  LD_PRELOAD="${PRELOAD# }" \
  ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  PYTHONFAULTHANDLER=1 \
  GENEX_LLM_HUGE_PAGES=0 \
  "$PY" -m pytest -p no:cacheprovider -q "$@" 2>&1 | tee "$LOG" || status=$?

if grep -Eq 'ERROR: AddressSanitizer|runtime error:|ERROR: UndefinedBehaviorSanitizer' "$LOG"; then
  echo "sanitize.sh: sanitizer report found, see $LOG" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "sanitize.sh: the test run failed with status $status, see $LOG" >&2
  exit "$status"
fi
say "no sanitizer reports; tests passed"
