"""The ``genex/llm`` namespace: the Python facade seen from Gene.

Mapping, both ways:

* Gene maps become option mappings (keys are the property names without
  the caret; ``nil`` values are left out so the facade's default applies),
  and a call's ``^key value`` properties become keyword options.
* Completion dicts become Gene maps, :class:`genex_llm.FinishReason`
  becomes a symbol (``:stop``, ``:length``, ``:cancelled``, ``:error``).
* :class:`genex_llm.Model` and :class:`genex_llm.Session` become opaque
  objects with methods ``.new_session``/``.infer``/``.close`` and the
  facade's read-only properties.
* Every :class:`genex_llm.GeneException` the facade raises reaches Gene
  unchanged, so ``$ex/.message`` is its message.
"""

from __future__ import annotations

import enum
from typing import Dict, Mapping, Optional, Tuple

import genex_llm

from .. import exceptions
from ..exceptions import GeneException, OptionError
from .printer import describe
from .values import Args, Builtin, ClassValue, GeneObject, Kwargs, Namespace, Symbol, Value

__all__ = ["ModelObject", "SessionObject", "llm_namespace", "to_gene_value"]

MODEL_PROPS = ("path", "context", "threads", "gpu_layers", "disable_mmap", "mlock", "n_ctx_train",
               "n_vocab", "closed", "metadata")
SESSION_PROPS = ("model", "context", "batch", "threads", "seed", "temperature", "top_p", "top_k",
                 "max_tokens", "closed")
MODEL_MADE_BY = "models come from (genex/llm/load_model path {^context 2048})"
SESSION_MADE_BY = "sessions come from (model .new_session {^temperature 0})"


def to_gene_value(value: object) -> Value:
    """A facade result as Gene data; enums such as FinishReason become symbols."""
    if isinstance(value, enum.Enum):
        return Symbol(str(value.value))
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(key): to_gene_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_gene_value(item) for item in value]
    raise TypeError(f"no Gene form for {type(value).__name__} {value!r}")


def _options(where: str, value: Value) -> Optional[Dict[str, Value]]:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise OptionError(f"{where} options must be a map such as {{^max_tokens 64}}, got {describe(value)}")
    return _present(value)


def _present(options: Mapping[str, Value]) -> Dict[str, Value]:
    # nil means "not given": the facade then applies its default.
    return {key: value for key, value in options.items() if value is not None}


def _split_args(where: str, args: Args, required: str) -> Tuple[Value, Value]:
    """``(first [options])``: the first argument and the options map (or nil)."""
    if not 1 <= len(args) <= 2:
        raise OptionError(f"{where} takes {required} and an optional options map, got {len(args)} arguments")
    return args[0], args[1] if len(args) == 2 else None


def _no_args(where: str, args: Args, kwargs: Kwargs) -> None:
    if args or kwargs:
        raise OptionError(f"{where} takes no arguments")


def _no_such_prop(type_name: str, name: str, props: Tuple[str, ...]) -> GeneException:
    return GeneException(f"{type_name} has no property '{name}'; it has: {' '.join(props)}")


class ModelObject(GeneObject):
    """A loaded model, as Gene code holds it."""

    type_name = "genex/llm/Model"

    def __init__(self, model: genex_llm.Model) -> None:
        self.model = model

    def get_prop(self, name: str) -> Value:
        if name not in MODEL_PROPS:
            raise _no_such_prop(self.type_name, name, MODEL_PROPS)
        return to_gene_value(getattr(self.model, name))

    def call_method(self, name: str, args: Args, kwargs: Kwargs) -> Value:
        if name == "new_session":
            if len(args) > 1:
                raise OptionError("(model .new_session) takes an optional options map, "
                                  f"got {len(args)} arguments")
            options = _options("(model .new_session)", args[0] if args else None)
            return SessionObject(self.model.new_session(options, **_present(kwargs)), self)
        if name == "close":
            _no_args("(model .close)", args, kwargs)
            self.model.close()
            return None
        return super().call_method(name, args, kwargs)

    def printed_props(self) -> Mapping[str, Value]:
        return {"path": self.model.path, "context": self.model.context, "closed": self.model.closed}


class SessionObject(GeneObject):
    """A session over a model, as Gene code holds it; ``session/model`` is its model object."""

    type_name = "genex/llm/Session"

    def __init__(self, session: genex_llm.Session, model: ModelObject) -> None:
        self.session = session
        self.model = model

    def get_prop(self, name: str) -> Value:
        if name == "model":
            return self.model
        if name not in SESSION_PROPS:
            raise _no_such_prop(self.type_name, name, SESSION_PROPS)
        return to_gene_value(getattr(self.session, name))

    def call_method(self, name: str, args: Args, kwargs: Kwargs) -> Value:
        if name == "infer":
            prompt, options = _split_args("(session .infer)", args, "a prompt")
            if not isinstance(prompt, str):
                raise OptionError(f"(session .infer) needs a prompt string, got {describe(prompt)}")
            result = self.session.infer(prompt, _options("(session .infer)", options), **_present(kwargs))
            return to_gene_value(result)
        if name == "close":
            _no_args("(session .close)", args, kwargs)
            self.session.close()
            return None
        return super().call_method(name, args, kwargs)

    def printed_props(self) -> Mapping[str, Value]:
        return {"context": self.session.context, "max_tokens": self.session.max_tokens,
                "closed": self.session.closed}


def _load_model(args: Args, kwargs: Kwargs) -> Value:
    path, options = _split_args("genex/llm/load_model", args, "a model path")
    if not isinstance(path, str):
        raise OptionError(f"genex/llm/load_model needs a model path string, got {describe(path)}")
    return ModelObject(genex_llm.load_model(path, _options("genex/llm/load_model", options), **_present(kwargs)))


def _default_model_path(args: Args, kwargs: Kwargs) -> Value:
    _no_args("genex/llm/default_model_path", args, kwargs)
    return genex_llm.default_model_path()


def llm_namespace() -> Namespace:
    """A fresh ``genex/llm`` namespace: its functions, handle classes and exception classes."""
    members: Dict[str, Value] = {
        "load_model": Builtin("genex/llm/load_model", _load_model),
        "default_model_path": Builtin("genex/llm/default_model_path", _default_model_path),
        "Model": ClassValue("genex/llm/Model", made_by=MODEL_MADE_BY),
        "Session": ClassValue("genex/llm/Session", made_by=SESSION_MADE_BY),
    }
    for name in exceptions.__all__:
        error_type = getattr(exceptions, name)
        if error_type is not GeneException:
            members[name] = ClassValue(f"genex/llm/{name}", error_type=error_type)
    return Namespace("genex/llm", members)
