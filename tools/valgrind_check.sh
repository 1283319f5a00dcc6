#!/usr/bin/env bash
# Runs load -> new_session -> infer -> close cycles (and the error paths:
# a file the GGUF checker refuses, a file llama.cpp refuses, a prompt the
# session refuses, objects dropped without close()) under valgrind memcheck,
# and fails on any definite leak or memory error that tools/valgrind.supp
# does not suppress.
#
#   tools/valgrind_check.sh
#
# valgrind 3.19 cannot run AVX-512 code, which the normal build (tuned for
# this CPU) contains, so the extension is built once more into its own folder
# and virtual environment with GGML_NATIVE=OFF (AVX2 at most) and debug
# symbols. The first run compiles llama.cpp (several minutes on 2 cores);
# later runs are incremental. The normal build and .venv are never touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$ROOT/build/valgrind"
VENV="$ROOT/build/valgrind-venv"
PY="$VENV/bin/python"
LOG="$BUILD_DIR/memcheck.log"
cd "$ROOT"

# shellcheck source=tools/venv.sh
source "$ROOT/tools/venv.sh"

command -v valgrind >/dev/null || { echo "valgrind_check.sh: valgrind is not installed" >&2; exit 2; }

ensure_venv
ensure_llama_cpp

say "building the extension for valgrind in $BUILD_DIR"
mkdir -p "$BUILD_DIR"
flock "$BUILD_DIR/.lock" "$PY" -m pip install --quiet --disable-pip-version-check \
  --no-build-isolation --no-deps --force-reinstall \
  -Cbuild-dir="$BUILD_DIR" \
  -Ccmake.build-type=RelWithDebInfo \
  -Ccmake.define.GGML_NATIVE=OFF \
  "$ROOT"

MODEL="$(env -u PYTHONPATH "$PY" -c 'import genex_llm; print(genex_llm.default_model_path())')"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

# Bad copies are made before valgrind starts, so the run measures only the library.
"$PY" - "$MODEL" "$SCRATCH" <<'EOF'
import shutil, sys
from pathlib import Path
model, scratch = Path(sys.argv[1]), Path(sys.argv[2])
data = model.read_bytes()
(scratch / "truncated.gguf").write_bytes(data[: len(data) // 2])
# Same length, so the tables stay valid and only llama.cpp can refuse it.
needle = b"llama"
at = data.index(b"general.architecture") + len("general.architecture") + 4 + 8
assert data[at:at + len(needle)] == needle
(scratch / "unknown-arch.gguf").write_bytes(data[:at] + b"llamx" + data[at + len(needle):])
EOF

read -r -d '' CYCLES <<'EOF' || true
import gc, sys
import genex_llm
model_path, scratch = sys.argv[1], sys.argv[2]
prompt = "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
options = {"context": 256, "batch": 32, "threads": 1, "temperature": 0}

# The second cycle reads the weights into memory, through the huge-page wrapper.
for disable_mmap in (False, True):
    model = genex_llm.load_model(model_path, threads=1, context=256, disable_mmap=disable_mmap)
    session = model.new_session(options)
    assert session.infer(prompt, max_tokens=2)["completion_tokens"] == 2
    try:
        session.infer("")
    except genex_llm.OptionError:
        pass
    else:
        raise AssertionError("an empty prompt was accepted")
    session.close()
    model.close()

model = genex_llm.load_model(model_path, threads=1, context=256)
session = model.new_session(options)
session.infer(prompt, max_tokens=2)
del session, model
gc.collect()

for name in ("truncated.gguf", "unknown-arch.gguf"):
    try:
        genex_llm.load_model(f"{scratch}/{name}", threads=1)
    except genex_llm.ModelLoadError as error:
        print(f"refused as expected: {error}")
    else:
        raise AssertionError(f"{name} was loaded")
print("cycles done")
EOF

say "running the cycles under valgrind memcheck (log: $LOG)"
# PYTHONMALLOC=malloc: every Python allocation goes through malloc, where
# memcheck sees it, instead of pymalloc's arenas, which memcheck cannot follow.
status=0
env -u PYTHONPATH PYTHONMALLOC=malloc valgrind \
  --tool=memcheck \
  --leak-check=full \
  --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite \
  --error-exitcode=99 \
  --num-callers=40 \
  --suppressions="$ROOT/tools/valgrind.supp" \
  --log-file="$LOG" \
  "$PY" -c "$CYCLES" "$MODEL" "$SCRATCH" || status=$?

grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|suppressed:' "$LOG" >&2 || true
if [ "$status" -eq 99 ]; then
  echo "valgrind_check.sh: memcheck found errors or definite leaks, see $LOG" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "valgrind_check.sh: the cycle script failed with status $status, see $LOG" >&2
  exit "$status"
fi
say "no memory errors or definite leaks"
