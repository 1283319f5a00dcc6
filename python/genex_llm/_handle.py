"""What Model and Session share: made only by the library, read-only, closable."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

HandleT = TypeVar("HandleT", bound="Handle")


class Handle:
    """Wraps one native object; users never construct, subclass or mutate it."""

    __slots__ = ("__weakref__", "_native")
    _made_by: ClassVar[str] = ""
    _native: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(f"{type(self).__name__} cannot be created directly; {self._made_by}")

    @classmethod
    def _create(cls: type[HandleT], **fields: Any) -> HandleT:
        handle = object.__new__(cls)
        for name, value in fields.items():
            object.__setattr__(handle, name, value)
        return handle

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__}.{name} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__}.{name} is read-only")

    def close(self) -> None:
        """Release the native object. Idempotent."""
        self._native.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has taken effect."""
        return bool(self._native.closed)

    def __enter__(self: HandleT) -> HandleT:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
