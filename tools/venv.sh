# Sourced by ./dev and the tools/*.sh scripts: the set-up steps they share.
# Each caller sets ROOT, VENV and PY first and runs from ROOT.

say() { printf '==> %s\n' "$*" >&2; }

# A virtual environment with tools/requirements-dev.txt installed; the stamp
# makes the check instant until that file changes.
ensure_venv() {
  if [ ! -x "$PY" ]; then
    say "creating $VENV"
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.dev-requirements.sha256" want
  want="$(sha256sum tools/requirements-dev.txt | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing build and test tools into $VENV"
    "$PY" -m pip install --quiet --disable-pip-version-check -r tools/requirements-dev.txt
    echo "$want" > "$stamp"
  fi
}

ensure_llama_cpp() {
  "$PY" tools/fetch_llama_cpp.py >&2
}
