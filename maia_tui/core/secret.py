"""Secret: a value that never prints itself, so it cannot leak through logs, reprs or errors."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, NoReturn

MASK = "••••••••"


class Secret:
    """Holds a secret string; every way of printing it shows a mask, `.reveal()` is the one way out."""

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """Return the plain value: call only where the value must leave the process (an SDK call, a file)."""
        return self._value

    def fingerprint(self) -> str:
        """A short, non-reversible id (first 8 hex of SHA-256) to tell secrets apart without showing them."""
        return hashlib.sha256(self._value.encode()).hexdigest()[:8]

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret(fingerprint={self.fingerprint()})"

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self.fingerprint()))

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self
