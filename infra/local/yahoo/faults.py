"""Fault injection for the simulated market: what goes wrong, where, how often.

A fault is a frozen value; ``SimulatedMarket.inject(fault, on=..., times=...)``
arms it for an endpoint kind (``"cookie"``, ``"crumb"``, ``"quote"``,
``"chart"``) and a number of requests (``times=None``: until cleared).

- ``Respond`` replaces the answer (429/5xx pages, 401s, empty crumb). Armed
  responses (and ``Truncate``) queue: each request consumes at most one, in
  arming order.
- ``Delay`` adds latency (a long one is a hang); every armed delay applies.
- ``Reorder``, ``Duplicate``, ``Omit``, ``Stub`` reshape a v7 result list.
- ``Patch`` edits quote dicts and chart ``meta`` (drop ``longName``, pad or
  poison names, oversized fields, old or future trade times);
  ``Omit``/``Stub``/``Patch`` count only requests naming one of their symbols.
- ``Truncate`` cuts a 200 JSON answer of quote or chart short (a body that ends
  early but whose length matches, as a proxy that gave up would send).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypeAlias

import orjson

Endpoint: TypeAlias = Literal["cookie", "crumb", "quote", "chart"]
ENDPOINTS: tuple[Endpoint, ...] = ("cookie", "crumb", "quote", "chart")

_PAGE = "<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>\n"


@dataclass(frozen=True)
class Respond:
    """Answer with this instead of the real response."""

    status: int
    body: str
    content_type: str = "text/html"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Delay:
    """Sleep this long before answering (longer than the client timeout = a hang)."""

    seconds: float


@dataclass(frozen=True)
class Reorder:
    """Return v7 results in reverse request order."""


@dataclass(frozen=True)
class Duplicate:
    """Return every v7 result twice (the copy appended at the end)."""


@dataclass(frozen=True)
class Omit:
    """Leave these symbols out of v7 results, as Yahoo sometimes does."""

    symbols: frozenset[str]


@dataclass(frozen=True)
class Stub:
    """Answer these symbols with a price-less ``quoteType: "NONE"`` stub."""

    symbols: frozenset[str]


@dataclass(frozen=True)
class Patch:
    """Edit the quote dict / chart meta of these symbols: set, drop, pad names."""

    symbols: frozenset[str]
    values: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    drop: tuple[str, ...] = ()
    pad: str = ""


@dataclass(frozen=True)
class Truncate:
    """Serve only the first ``keep`` share of the JSON body, with status 200."""

    keep: float = 0.5


Fault: TypeAlias = Respond | Delay | Reorder | Duplicate | Omit | Stub | Patch | Truncate
Transform: TypeAlias = Reorder | Duplicate | Omit | Stub | Patch | Truncate
_QUOTE_ONLY = (Reorder, Duplicate, Omit, Stub)


def too_many_requests(retry_after: int | None = None) -> Respond:
    """Yahoo's rate-limit answer: an HTML page, optionally with ``Retry-After`` seconds."""
    headers = (("Retry-After", str(retry_after)),) if retry_after is not None else ()
    body = _PAGE.format(title="Too Many Requests", body="<h1>Too Many Requests</h1>")
    return Respond(429, body, headers=headers)


def server_error(status: int = 503) -> Respond:
    """An outage page: HTML for 502/503/504 (edge proxies), plain text for others."""
    if status in (502, 503, 504):
        body = _PAGE.format(title="Yahoo", body="<p>Will be right back...</p>")
        return Respond(status, body)
    return Respond(status, "Internal Server Error\n", content_type="text/plain")


def _finance_error(description: str) -> Respond:
    """A ``{"finance": {...}}`` 401 as the quote endpoint sends it."""
    error = {"code": "Unauthorized", "description": description}
    body = orjson.dumps({"finance": {"result": None, "error": error}}).decode()
    return Respond(401, body, content_type="application/json")


def invalid_crumb() -> Respond:
    """A one-off 401 Invalid Crumb (the crumb itself stays valid)."""
    return _finance_error("Invalid Crumb")


def invalid_cookie() -> Respond:
    """A one-off 401 Invalid Cookie."""
    return _finance_error("Invalid Cookie")


def empty_crumb() -> Respond:
    """A 200 with an empty body from getcrumb, which a client must not store."""
    return Respond(200, "", content_type="text/plain")


def html_200() -> Respond:
    """A 200 whose body is an HTML page (a consent or error page), not JSON."""
    body = _PAGE.format(title="Yahoo", body="<p>Oops, something went wrong.</p>")
    return Respond(200, body)


def rate_limit_text(status: int = 200) -> Respond:
    """The bare "Too Many Requests" text Yahoo's edge sends, here with a 200 by default."""
    return Respond(status, "Too Many Requests\r\n", content_type="text/plain")


def truncated(keep: float = 0.5) -> Truncate:
    """A 200 JSON answer cut short."""
    return Truncate(keep)


def hang(seconds: float = 30.0) -> Delay:
    """A request that outlives any sane client timeout."""
    return Delay(seconds)


def reorder() -> Reorder:
    """Out-of-order v7 results."""
    return Reorder()


def duplicate() -> Duplicate:
    """Duplicated v7 results."""
    return Duplicate()


def omit(*symbols: str) -> Omit:
    """Missing symbols in v7 answers."""
    return Omit(frozenset(symbols))


def stub(*symbols: str) -> Stub:
    """Price-less stubs in v7 answers."""
    return Stub(frozenset(symbols))


def drop_long_name(*symbols: str) -> Patch:
    """Quotes without ``longName`` (common for funds, FX, new listings)."""
    return Patch(frozenset(symbols), drop=("longName",))


def pad_names(*symbols: str, pad: str = "  ") -> Patch:
    """Names with surrounding whitespace, as Yahoo sends for some listings."""
    return Patch(frozenset(symbols), pad=pad)


def rename(symbol: str, name: str) -> Patch:
    """Set both names to ``name``, e.g. hostile text with quotes, backslashes, newlines."""
    return Patch(frozenset({symbol}), MappingProxyType({"shortName": name, "longName": name}))


def oversized_name(symbol: str, chars: int = 2_000_000) -> Patch:
    """A ``longName`` far larger than any name (and than a Firehose record)."""
    return Patch(frozenset({symbol}), MappingProxyType({"longName": "N" * chars}))


def trade_time_at(symbol: str, epoch_seconds: int) -> Patch:
    """A ``regularMarketTime`` far in the past or future (stale feeds, bad clocks)."""
    return Patch(frozenset({symbol}), MappingProxyType({"regularMarketTime": epoch_seconds}))


@dataclass
class _Armed:
    """An armed fault and how many more requests it applies to."""

    fault: Fault
    endpoints: frozenset[Endpoint]
    remaining: int | None


def _concerns(fault: Fault, symbols: frozenset[str]) -> bool:
    """Whether a request for ``symbols`` should consume ``fault`` (symbol-aimed faults)."""
    if isinstance(fault, Omit | Stub | Patch):
        return not fault.symbols.isdisjoint(symbols)
    return True


class FaultPlan:
    """The armed faults; thread-safe because tests arm them from another thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []

    def add(self, fault: Fault, on: Endpoint | Iterable[Endpoint], times: int | None) -> None:
        """Arm ``fault`` for the next ``times`` matching requests to ``on``."""
        endpoints = frozenset({on} if isinstance(on, str) else on)
        _check(fault, endpoints, times)
        with self._lock:
            self._armed.append(_Armed(fault, endpoints, times))

    def clear(self) -> None:
        """Disarm everything."""
        with self._lock:
            self._armed.clear()

    @property
    def pending(self) -> int:
        """How many faults are still armed (tests check a fault was used up)."""
        with self._lock:
            return len(self._armed)

    def take(self, endpoint: Endpoint, symbols: Iterable[str] = ()) -> list[Fault]:
        """Consume the faults that apply to one request: all delays and transforms, one Respond."""
        wanted = frozenset(symbols)
        taken: list[Fault] = []
        with self._lock:
            for armed in list(self._armed):
                if self._applies(armed, endpoint, wanted, taken):
                    taken.append(armed.fault)
                    self._consume(armed)
        return taken

    @staticmethod
    def _applies(
        armed: _Armed, endpoint: Endpoint, symbols: frozenset[str], taken: list[Fault]
    ) -> bool:
        """One Respond or Truncate per request; others when aimed at this endpoint and symbols."""
        if endpoint not in armed.endpoints or not _concerns(armed.fault, symbols):
            return False
        answers = Respond | Truncate  # each replaces the answer, so they queue
        return not (isinstance(armed.fault, answers) and any(isinstance(f, answers) for f in taken))

    def _consume(self, armed: _Armed) -> None:
        """Count one use; disarm when used up."""
        if armed.remaining is None:
            return
        armed.remaining -= 1
        if armed.remaining <= 0:
            self._armed.remove(armed)


def _check(fault: Fault, endpoints: frozenset[Endpoint], times: int | None) -> None:
    """Reject arming that could never fire, so a test cannot pass vacuously."""
    if not endpoints or not endpoints <= set(ENDPOINTS):
        raise ValueError(f"endpoints must be among {ENDPOINTS}, got {sorted(endpoints)}")
    if times is not None and times < 1:
        raise ValueError("times must be >= 1 or None")
    if isinstance(fault, _QUOTE_ONLY) and endpoints != {"quote"}:
        raise ValueError(f"{type(fault).__name__} only applies to the quote endpoint")
    if isinstance(fault, Patch | Truncate) and not endpoints <= {"quote", "chart"}:
        raise ValueError(f"{type(fault).__name__} only applies to quote and chart")
