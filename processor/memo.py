"""A bounded memo of check outcomes: bronze rows repeat their texts tick after tick."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from processor.reasons import Invalid, Rejection

_K = TypeVar("_K")
_V = TypeVar("_V")


class Memo(Generic[_K, _V]):
    """Outcomes of one check keyed by its raw texts: rows repeat them tick after tick.

    ``get`` recalls a good outcome (the hot path: a C call), ``miss`` does the rest.
    """

    __slots__ = ("bad", "get", "good", "limit", "make")

    def __init__(self, make: Callable[[_K], _V], limit: int) -> None:
        self.make, self.limit = make, limit
        self.good: dict[_K, _V] = {}
        self.bad: dict[_K, Rejection] = {}
        self.get = self.good.get

    def miss(self, key: _K) -> _V:
        """Check ``key`` (or recall its rejection), remember the outcome, raise if invalid."""
        rejection = self.bad.get(key)
        if rejection is not None:
            raise Invalid(*rejection)
        try:
            value = self.make(key)
        except Invalid as invalid:
            self.bad[self._room(self.bad, key)] = invalid.rejection
            raise
        self.good[self._room(self.good, key)] = value
        return value

    def _room(self, cache: dict[_K, Any], key: _K) -> _K:
        """Start over when full: memory must not follow the row count."""
        if len(cache) >= self.limit:
            cache.clear()
        return key
