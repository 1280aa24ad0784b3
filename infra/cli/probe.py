"""`quotepipe probe`: can this machine get quotes from Yahoo, and through which transport?

For each transport it makes the four calls a tick makes — the cookie, the crumb, one
v7 quote batch, one v8 chart — through the producer's own code (``ProducerSettings``,
``open_backend``, ``YahooHttp``, ``CrumbAuth``, ``YahooClient``), so what works here
works in the producer with the same settings, retries and backoff included. Each step
gets its own ``YahooHttp``: a run of 429s at one step would otherwise trip the breaker
and blame the next steps for calls never made. Cookie and crumb values are never
printed, only their names and lengths.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from producer.errors import FetchError, MalformedQuoteError, SettingsError
from producer.settings import ProducerSettings
from producer.yahoo.backends import open_backend
from producer.yahoo.client import YahooClient
from producer.yahoo.session import CrumbAuth, CrumbCache
from producer.yahoo.transport import YahooHttp, status_kind

if TYPE_CHECKING:
    from producer.yahoo.transport import Backend

TRANSPORTS = ("aiohttp", "curl_cffi")
STEPS = ("cookie", "crumb", "quote", "chart")
DETAIL_CHARS = 60
# Failing here means the producer's handshake is refused, which YAHOO_TRANSPORT=auto
# answers by switching to curl_cffi at once; a refused quote batch costs a tick first.
_HANDSHAKE = frozenset({"cookie", "crumb"})


@dataclass(frozen=True)
class StepResult:
    """One row of the table: ``outcome`` is ok, an HTTP status, or an error kind."""

    transport: str
    step: str
    outcome: str
    millis: int
    detail: str = ""

    @property
    def ok(self) -> bool:
        """The step got a usable answer."""
        return self.outcome == "ok"


class _Skipped(Exception):
    """A step that cannot be tried because an earlier one failed."""


def _outcome(exc: FetchError) -> str:
    """An HTTP status when Yahoo answered, else the producer's error kind."""
    return str(exc.status) if exc.kind.startswith("http_") and exc.status else exc.kind


class _Steps:
    """The four calls of one transport, sharing its backend (cookie jar) and crumb."""

    def __init__(self, backend: Backend, settings: ProducerSettings, symbols: Sequence[str]):
        self.backend = backend
        self.settings = settings
        self.symbols = symbols
        self.cache = CrumbCache()

    def _http(self) -> YahooHttp:
        deadline = time.monotonic() + self.settings.tick_budget_seconds
        return YahooHttp(self.backend, self.settings, deadline=deadline)

    async def cookie(self) -> str:
        answer = await self._http().get(self.settings.yahoo_cookie_url)
        names = sorted(self.backend.cookies(self.settings.yahoo_base_url))
        if names:
            return f"HTTP {answer.status}, sets {', '.join(names)}"
        # Yahoo answers 404 with the cookie; a consent page or a block answers without one.
        kind = "no_cookie" if answer.status in (200, 404) else status_kind(answer.status)
        raise FetchError(kind, "no cookie set", status=answer.status, snippet=answer.snippet())

    async def crumb(self) -> str:
        crumb = await CrumbAuth(self._http(), self.cache).fetch_crumb()
        self.cache.crumb = crumb
        self.cache.cookies = self.backend.cookies(self.settings.yahoo_base_url)
        return f"a token of {len(crumb)} characters"

    async def quote(self) -> str:
        if self.cache.crumb is None:
            raise _Skipped("needs the crumb")
        result = await YahooClient(self._http(), self.cache).quote_batch(self.symbols)
        return f"{len(result.quotes)} of {len(self.symbols)} symbols priced"

    async def chart(self) -> str:
        symbol = self.symbols[0]
        found = await YahooClient(self._http(), self.cache).chart_quote(symbol)
        if found is None:
            return f"{symbol}: Yahoo has no chart for it"
        return f"{symbol} {found.price:g} {found.currency}"


async def _timed(transport: str, step: str, call: Callable[[], Awaitable[str]]) -> StepResult:
    """Run one step and turn its answer or failure into a row."""
    start = time.monotonic()
    try:
        outcome, detail = "ok", await call()
    except _Skipped as exc:
        outcome, detail = "skipped", str(exc)
    except FetchError as exc:
        outcome, detail = _outcome(exc), exc.snippet or str(exc)
    except MalformedQuoteError as exc:
        outcome, detail = "malformed", str(exc)
    millis = round((time.monotonic() - start) * 1000)
    return StepResult(transport, step, outcome, millis, detail[:DETAIL_CHARS])


async def probe_transport(settings: ProducerSettings, symbols: Sequence[str]) -> list[StepResult]:
    """Try every step through the transport ``settings.yahoo_transport`` names."""
    name = settings.yahoo_transport
    try:
        async with open_backend(settings) as backend:
            steps = _Steps(backend, settings, symbols)
            return [await _timed(name, step, getattr(steps, step)) for step in STEPS]
    except ImportError as exc:  # CurlBackend loads curl_cffi only when opened
        return [StepResult(name, "-", "unavailable", 0, f"cannot import {exc.name}")]


async def probe(
    settings: ProducerSettings, symbols: Sequence[str], transports: Sequence[str]
) -> list[StepResult]:
    """Every transport in turn, so one's timings are not the other's queueing."""
    rows: list[StepResult] = []
    for transport in transports:
        chosen = dataclasses.replace(settings, yahoo_transport=transport)
        rows += await probe_transport(chosen, symbols)
    return rows


def _complete(rows: Sequence[StepResult], transport: str) -> bool:
    mine = [row for row in rows if row.transport == transport]
    return bool(mine) and all(row.ok for row in mine)


def _failure(rows: Sequence[StepResult], transport: str) -> StepResult | None:
    """The first step of this transport that failed (skipped steps follow a failure)."""
    failed = (r for r in rows if r.transport == transport and r.outcome not in ("ok", "skipped"))
    return next(failed, None)


def _failed_line(row: StepResult) -> str:
    if row.outcome == "429":
        return f"{row.transport}: rate-limited at the {row.step} (429)"
    if row.outcome.isdigit():
        return f"{row.transport}: refused at the {row.step} (HTTP {row.outcome})"
    if row.outcome == "unavailable":
        return f"{row.transport}: unavailable ({row.detail})"
    return f"{row.transport}: failed at the {row.step} ({row.outcome})"


def _advice(rows: Sequence[StepResult], transport: str) -> str:
    """What to set, for a transport that completed every step."""
    if transport == "aiohttp":
        return "YAHOO_TRANSPORT=auto (the default) starts with it"
    refused = _failure(rows, "aiohttp")
    if refused is None:
        tried = any(row.transport == "aiohttp" for row in rows)
        return "auto switches to it if Yahoo starts refusing aiohttp" if tried else "works here"
    if refused.outcome == "429" and refused.step in _HANDSHAKE:
        return "set YAHOO_TRANSPORT=curl_cffi or leave auto"
    if refused.outcome == "429":
        return "set YAHOO_TRANSPORT=curl_cffi (auto switches too, after a tick without quotes)"
    return "set YAHOO_TRANSPORT=curl_cffi"


def verdicts(rows: Sequence[StepResult], transports: Sequence[str]) -> list[str]:
    """One line per transport: ok and what to set, or the first step that failed."""
    lines = []
    for transport in transports:
        failed = _failure(rows, transport)
        if failed is not None:
            lines.append(_failed_line(failed))
        else:
            lines.append(f"{transport}: ok — {_advice(rows, transport)}")
    return lines


def render(rows: Sequence[StepResult]) -> str:
    """A plain text table, the milliseconds right-aligned."""
    cells = [("transport", "step", "outcome", "ms", "detail")]
    cells += [(r.transport, r.step, r.outcome, str(r.millis), r.detail) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = []
    for transport, step, outcome, millis, detail in cells:
        left = f"{transport:<{widths[0]}}  {step:<{widths[1]}}  {outcome:<{widths[2]}}"
        lines.append(f"{left}  {millis:>{widths[3]}}  {detail}".rstrip())
    return "\n".join(lines)


def probe_command(
    *,
    symbols: Sequence[str],
    yahoo_url: str | None,
    transports: Sequence[str],
    ca_bundle: Path | None,
) -> int:
    """Probe, print the table and verdicts; 0 when one transport completed every step."""
    overrides: dict[str, str] = {}
    if yahoo_url:
        overrides.update(yahoo_base_url=yahoo_url, yahoo_cookie_url=yahoo_url)
    if ca_bundle is not None:
        overrides["yahoo_ca_bundle"] = str(ca_bundle)
    try:
        settings = ProducerSettings.from_env(None, **overrides)
    except SettingsError as exc:
        print(f"quotepipe probe: {exc}", file=sys.stderr)
        return 2
    print(f"probing {settings.yahoo_base_url} (cookie from {settings.yahoo_cookie_url})")
    rows = asyncio.run(probe(settings, symbols, transports))
    print(render(rows))
    print("\n".join(verdicts(rows, transports)))
    if any(_complete(rows, transport) for transport in transports):
        return 0
    print("quotepipe probe: no transport got through every step", file=sys.stderr)
    return 1
