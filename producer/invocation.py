"""One Lambda invocation: load the symbol list, then run ticks at a fixed interval in time.

Sub-minute polling: EventBridge fires at most once a minute, so an invocation runs
``TICKS_PER_INVOCATION`` ticks ``TICK_INTERVAL_SECONDS`` apart. A later tick starts
only when its whole Yahoo budget plus the safety margin fits in the Lambda's
remaining time, so the invocation always ends before its timeout.

With ``FOLLOW_SESSIONS`` each tick polls only the symbols ``SessionGate`` finds due
(exchange in session, one poll after each close, exchange not yet known), and an
invocation with nothing due returns before opening any connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from firehose.sender import S3DeadLetter
from producer.log import logger
from producer.sessions import SessionGate, default_table
from producer.symbols import SymbolList, SymbolSource
from producer.tick import TickContext, TickSummary, run_tick
from producer.yahoo.backends import TransportMemory, open_backend
from producer.yahoo.session import CrumbCache

if TYPE_CHECKING:
    from mypy_boto3_firehose import FirehoseClient
    from mypy_boto3_s3 import S3Client

    from producer.settings import ProducerSettings
    from producer.yahoo.transport import Backend


MAX_BAD_REPORTED = 100


@dataclass
class ProducerState:
    """What is worth keeping between warm invocations: crumb, currencies seen, the S3 list,
    the transport ``auto`` switched to, and the trade time last sent per symbol, so a
    closed market is not re-sent every minute when each invocation runs one tick
    (bounded: see ``tick.remember_sent``)."""

    crumbs: CrumbCache = field(default_factory=CrumbCache)
    currencies: set[str] = field(default_factory=set)
    symbol_source: SymbolSource = field(default_factory=SymbolSource)
    last_sent: dict[str, int] = field(default_factory=dict)
    transport: TransportMemory = field(default_factory=TransportMemory)
    gate: SessionGate = field(default_factory=lambda: SessionGate(default_table()))


@dataclass
class InvocationSummary:
    """The ticks one invocation ran, and what it refused or skipped."""

    symbols_requested: int = 0
    bad_symbols: list[dict[str, str]] = field(default_factory=list)
    bad_symbol_count: int = 0
    ticks: list[TickSummary] = field(default_factory=list)
    ticks_skipped: int = 0
    markets_closed: bool = False  # FOLLOW_SESSIONS and no symbol due: nothing was polled

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, with totals across ticks first."""
        ticks = [t.to_dict() for t in self.ticks]
        totals = {
            key: sum(t[key] for t in ticks)
            for key in ("quotes_fetched", "quotes_sent", "records_sent", "bytes_sent")
        }
        return {
            "symbols_requested": self.symbols_requested,
            **totals,
            "records_failed": sum(t["records_failed"] for t in ticks),
            "symbols_missing": _union(t["symbols_missing"] for t in ticks),
            "bad_symbols": self.bad_symbols,
            "bad_symbol_count": self.bad_symbol_count,
            "ticks_run": len(ticks),
            "ticks_skipped": self.ticks_skipped,
            "markets_closed": self.markets_closed,
            "ticks": ticks,
        }


async def run_invocation(
    settings: ProducerSettings,
    *,
    firehose: FirehoseClient,
    s3: S3Client | None = None,
    backend: Backend | None = None,
    state: ProducerState | None = None,
    remaining_ms: Callable[[], int] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> InvocationSummary:
    """Run the configured ticks; ``remaining_ms`` is the Lambda context's time-left callback,
    ``clock`` the wall clock sessions are judged by (UTC now unless a test sets it)."""
    now = clock or _now
    state = state if state is not None else ProducerState()
    listed = await asyncio.to_thread(state.symbol_source.load, settings, s3)
    summary = InvocationSummary(len(listed.symbols), _bad(listed), bad_symbol_count=len(listed.bad))
    if settings.follow_sessions and not state.gate.due(listed.symbols, now(), peek=True):
        summary.markets_closed = True
        logger.info("every listed exchange is closed: nothing to poll")
        return summary
    async with AsyncExitStack() as stack:
        if backend is None:
            backend = await stack.enter_async_context(open_backend(settings, state.transport))
        ctx = TickContext(
            settings,
            backend,
            firehose,
            dead_letter=dead_letter(settings, s3),
            crumbs=state.crumbs,
            currencies=state.currencies,
            last_sent=state.last_sent,
            exchanges=state.gate.exchange_of,
        )
        poll = _poller(settings, state.gate, listed.symbols, now)
        await _run_ticks(ctx, poll, summary, _clock(remaining_ms), now)
    return summary


def _poller(
    settings: ProducerSettings,
    gate: SessionGate,
    symbols: Sequence[str],
    now: Callable[[], datetime],
) -> Callable[[], list[str]]:
    """What each tick polls: every listed symbol, or those whose session the gate finds due."""
    if not settings.follow_sessions:
        return lambda: list(symbols)
    return lambda: gate.due(symbols, now())


async def _run_ticks(
    ctx: TickContext,
    poll: Callable[[], list[str]],
    summary: InvocationSummary,
    seconds_left: Callable[[], float],
    now: Callable[[], datetime],
) -> None:
    """Start tick i at start + i * interval while a full tick still fits the time left."""
    settings = ctx.settings
    start = time.monotonic()
    for index in range(settings.ticks_per_invocation):
        delay = start + index * settings.tick_interval_seconds - time.monotonic()
        room = seconds_left() - max(delay, 0.0) - settings.safety_margin_seconds
        if index > 0 and room < settings.tick_budget_seconds:
            summary.ticks_skipped = settings.ticks_per_invocation - index
            logger.warning("skipping ticks: not enough time left", extra={"seconds": room})
            return
        if delay > 0:
            await asyncio.sleep(delay)
        budget = min(settings.tick_budget_seconds, max(room, 0.0))
        symbols = poll()
        tick = await run_tick(ctx, symbols, time.monotonic() + budget)
        _count_sessions(tick, symbols, summary.symbols_requested, ctx.exchanges, now())
        logger.info("tick done", extra={"tick": index, **_brief(tick)})
        summary.ticks.append(tick)


def _count_sessions(
    tick: TickSummary,
    polled: Sequence[str],
    listed: int,
    exchanges: dict[str, str],
    now: datetime,
) -> None:
    """Session counts for the coverage metric: in-session symbols polled, and answered."""
    table = default_table()
    in_session = [s for s in polled if s in exchanges and table.in_session(exchanges[s], now)]
    missing = set(tick.symbols_missing)
    tick.symbols_closed = listed - len(polled)
    tick.session_symbols = len(in_session)
    tick.session_quotes = sum(1 for s in in_session if s not in missing)


def _now() -> datetime:
    return datetime.now(UTC)


def _clock(remaining_ms: Callable[[], int] | None) -> Callable[[], float]:
    """Seconds left in the invocation; unbounded outside Lambda."""
    if remaining_ms is None:
        return lambda: float("inf")
    return lambda: remaining_ms() / 1000.0


def dead_letter(settings: ProducerSettings, s3: S3Client | None) -> S3DeadLetter | None:
    """Records Firehose keeps refusing go to the bronze bucket when one is configured."""
    if s3 is None or not settings.bronze_bucket:
        return None
    return S3DeadLetter(s3, settings.bronze_bucket)


def _union(lists: Iterable[list[str]]) -> list[str]:
    """Symbols missing in any tick, each once, in first-seen order."""
    return list(dict.fromkeys(symbol for names in lists for symbol in names))


def _bad(listed: SymbolList) -> list[dict[str, str]]:
    """Refused entries in a loggable shape; a huge list is cut so the log line stays small."""
    return [{"entry": entry, "reason": reason} for entry, reason in listed.bad[:MAX_BAD_REPORTED]]


def _brief(tick: TickSummary) -> dict[str, Any]:
    """The headline numbers of a tick for its log line."""
    return {
        "quotes_sent": tick.quotes_sent,
        "symbols_missing": len(tick.symbols_missing),
        "records_sent": tick.records_sent,
        "duration_seconds": tick.duration_seconds,
    }
