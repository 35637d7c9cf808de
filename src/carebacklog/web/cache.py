"""A small per-process memo for figures derived from a load (loads never change once written)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["LoadMemo"]

T = TypeVar("T")


class LoadMemo:
    """Remembers ``compute()`` per key; keeps the newest ``keep`` keys. Thread-safe (one compute per key)."""

    def __init__(self, keep: int = 64) -> None:
        self._keep = keep
        self._values: dict[Hashable, Any] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._guard:
            if key in self._values:
                return self._values[key]  # type: ignore[no-any-return]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._values:
                    return self._values[key]  # type: ignore[no-any-return]
            value = compute()
            with self._guard:
                self._values[key] = value
                for old in list(self._values)[: -self._keep]:
                    del self._values[old]
                    self._locks.pop(old, None)
            return value

    def clear(self) -> None:
        with self._guard:
            self._values.clear()
