"""The Model handle and load_model, the entry point of the API."""

from __future__ import annotations

import os
from types import MappingProxyType, ModuleType
from typing import Any, Dict, Mapping, Optional, Union

from . import _backend
from ._handle import Handle
from ._options import MIN_CONTEXT, describe, load_options, session_options
from ._session import Session
from .exceptions import ContextLimitError, ModelLoadError, OptionError

PathArg = Union[str, "os.PathLike[str]"]


class Model(Handle):
    """A GGUF model loaded into memory. Made by :func:`load_model`.

    Sessions made from it share its weights. Close every session before the
    model (or use ``with``); a model dropped without ``close()`` is freed when
    collected and its sessions keep working until they are.

    >>> with genex_llm.load_model(path, context=4096) as model:
    ...     model.n_ctx_train
    8192
    """

    __slots__ = ("_backend", "_path", "_settings", "_metadata")
    _made_by = "models come from genex_llm.load_model(path, opts)"
    _backend: ModuleType
    _path: str
    _settings: Dict[str, Any]
    _metadata: Mapping[str, str]

    def new_session(self, opts: Optional[Mapping[str, Any]] = None, /, **options: Any) -> Session:
        """Make a :class:`Session`; options as a mapping, keywords, or both.

        Keys: ``context`` (default: the model's), ``batch``, ``threads``,
        ``seed``, ``temperature``, ``top_p``, ``top_k``, ``max_tokens``.
        A context beyond the model's ``n_ctx_train`` raises ContextLimitError.

        >>> session = model.new_session({"temperature": 0}, max_tokens=32)
        """
        settings = session_options(opts, options, self.context, self.threads)
        native = self._backend.Session(
            self._native, context=settings["context"], batch=settings["batch"], threads=settings["threads"]
        )
        return Session._create(_native=native, _model=self, _settings=settings)

    def close(self) -> None:
        """Release the weights; raises ModelBusyError while sessions are open. Idempotent."""
        self._native.close()

    @property
    def path(self) -> str:
        """The model file's path, as given."""
        return self._path

    @property
    def context(self) -> int:
        """Default context (tokens) of the model's sessions."""
        return int(self._settings["context"])

    @property
    def threads(self) -> int:
        """Default CPU threads of the model's sessions."""
        return int(self._settings["threads"])

    @property
    def gpu_layers(self) -> int:
        """Layers offloaded to a GPU back-end, when one is built in (0: CPU only)."""
        return int(self._settings["gpu_layers"])

    @property
    def disable_mmap(self) -> bool:
        """Whether the file was read into memory instead of memory-mapped."""
        return bool(self._settings["disable_mmap"])

    @property
    def mlock(self) -> bool:
        """Whether the weights are locked in RAM."""
        return bool(self._settings["mlock"])

    @property
    def n_ctx_train(self) -> int:
        """The context the model was trained with: the most a session may ask for."""
        return int(self._native.n_ctx_train)

    @property
    def n_vocab(self) -> int:
        """Number of tokens in the model's vocabulary."""
        return int(self._native.n_vocab)

    @property
    def metadata(self) -> Mapping[str, str]:
        """The GGUF file's scalar metadata, as strings (read-only).

        >>> model.metadata["general.architecture"]
        'llama'
        """
        return self._metadata

    def __repr__(self) -> str:
        architecture = self._metadata.get("general.architecture", "?")
        quantisation = str(self._native.description).rsplit(" ", 1)[-1]
        size_mib = int(self._native.size_bytes) / 2**20
        params_m = int(self._native.n_params) / 1e6
        state = "closed" if self.closed else "open"
        return (
            f"<genex_llm.Model {os.path.basename(self._path)!r} {architecture} {params_m:.0f}M params "
            f"{quantisation} {size_mib:.0f} MiB context={self.context} {state}>"
        )


def _model_path(path: object) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise OptionError(f"model path must be a str or os.PathLike, got {describe(path)}")
    text = os.fsdecode(os.fspath(path))
    if "\0" in text:
        raise ModelLoadError(f"cannot load model {text!r}: the path contains a NUL character")
    return text


def _context_was_given(opts: Optional[Mapping[str, Any]], options: Mapping[str, Any]) -> bool:
    return "context" in options or (opts is not None and "context" in opts)


def load_model(path: PathArg, opts: Optional[Mapping[str, Any]] = None, /, **options: Any) -> Model:
    """Load a GGUF model; options as a mapping, keywords, or both.

    Keys: ``context`` (2048), ``threads`` (all CPUs), ``gpu_layers`` (0),
    ``disable_mmap`` (False), ``mlock`` (False), ``allow_missing`` (False).
    Raises ModelLoadError naming the path and the reason when the file is
    missing or not a loadable model.

    >>> model = genex_llm.load_model("SmolLM2.gguf", {"context": 4096}, threads=2)
    """
    settings = load_options(opts, options, lambda: os.cpu_count() or 1)
    text = _model_path(path)
    if not settings["allow_missing"] and not os.path.exists(text):
        raise ModelLoadError(f"cannot load model {text!r}: model file not found")
    backend = _backend.selected()
    native = backend.Model(
        # Bytes reach the file system exactly, even for names that are not UTF-8.
        path=os.fsencode(text),
        context=settings["context"],
        threads=settings["threads"],
        gpu_layers=settings["gpu_layers"],
        use_mmap=not settings["disable_mmap"],
        use_mlock=settings["mlock"],
    )
    trained = int(native.n_ctx_train)
    if trained > 0 and settings["context"] > trained:
        if _context_was_given(opts, options):
            native.close()
            raise ContextLimitError(
                f"cannot load model {text!r} with context {settings['context']}: the model was trained "
                f"with a context of {trained} tokens, the most its sessions can use"
            )
        # The default suits common models; one trained shorter gets its own limit.
        settings["context"] = max(trained, MIN_CONTEXT)
    return Model._create(
        _native=native, _backend=backend, _path=text, _settings=settings,
        _metadata=MappingProxyType(dict(native.metadata)),
    )
