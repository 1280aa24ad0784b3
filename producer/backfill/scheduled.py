"""The scheduled backfill: the last hours' missing session minutes, filled from 1m bars.

Each run takes the window [now - ``BACKFILL_LOOKBACK_HOURS``, now - (``FIREHOSE_BUFFER_SECONDS``
+ ``BACKFILL_MARGIN_SECONDS``)) on whole minutes — or an event's ``from``/``to`` for a manual
run, cut at the same margin, because rows still in Firehose must never be asked for twice.
The symbols are the producer's (``SYMBOLS`` / ``SYMBOLS_SOURCE``) unless the event names
``symbols``. What silver covers comes from Athena (``silver.COVERED_MINUTES``); a symbol with
no row in the window takes its exchange from the bars' meta. The lines go to the delivery
stream with the bronze dead letter, exactly as a producer tick sends them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from firehose.sender import SendReport, send_lines
from producer.athena import AthenaRunner
from producer.backfill.collect import BackfillRequest, BackfillResult, collect_with
from producer.backfill.gaps import Window, at, parse_utc
from producer.backfill.silver import COVERED_MINUTES, covered_parameters, read_listings
from producer.errors import SettingsError
from producer.invocation import dead_letter
from producer.symbols import SymbolSource
from producer.yahoo.backends import TransportMemory
from producer.yahoo.session import CrumbCache

if TYPE_CHECKING:
    from mypy_boto3_firehose import FirehoseClient
    from mypy_boto3_s3 import S3Client

    from producer.settings import BackfillSettings, ProducerSettings

# Kept free at the end of the invocation for sending what was built.
SEND_RESERVE_SECONDS = 15.0


@dataclass(frozen=True, kw_only=True)
class BackfillEvent:
    """What an invocation may override: the range (``from``, ``to``) and the symbols."""

    start: datetime | None = None
    end: datetime | None = None
    symbols: tuple[str, ...] = ()

    @classmethod
    def parse(cls, event: Mapping[str, Any]) -> BackfillEvent:
        """The overrides of a manual run; a schedule's event has none."""
        times = {key: _time(event, key) for key in ("from", "to")}
        symbols = event.get("symbols") or ()
        if isinstance(symbols, str):
            symbols = symbols.split(",")
        if not isinstance(symbols, list | tuple):
            raise SettingsError(f"event 'symbols' must be a list or a comma list, got {symbols!r}")
        return cls(start=times["from"], end=times["to"], symbols=tuple(map(str, symbols)))

    def window(self, now: datetime, settings: BackfillSettings) -> Window:
        """The minutes to look at; never one that may still be in flight."""
        start = self.start or now - timedelta(hours=settings.lookback_hours)
        return Window.eligible(start, self.end or now, now, settings.in_flight)


def _time(event: Mapping[str, Any], key: str) -> datetime | None:
    text = event.get(key)
    if text is None:
        return None
    try:
        return parse_utc(str(text))
    except ValueError:
        raise SettingsError(f"event {key!r}: {text!r} is not an ISO-8601 time") from None


@dataclass
class BackfillState:
    """Kept while the container stays warm: the S3 list's ETag, the crumb, the transport."""

    symbols: SymbolSource = field(default_factory=SymbolSource)
    crumbs: CrumbCache = field(default_factory=CrumbCache)
    transport: TransportMemory = field(default_factory=TransportMemory)


@dataclass
class BackfillSummary:
    """What one scheduled run looked at, found and sent."""

    window: Window
    symbols_requested: int = 0
    bad_symbol_count: int = 0
    result: BackfillResult = field(default_factory=lambda: BackfillResult([], {}))
    sent: SendReport = field(default_factory=SendReport)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy for the log line and the invocation's answer."""
        counts = ("missing", "from_bars", "previous_close", "not_available", "no_fx_rate")
        return {
            "window_from": f"{at(self.window.start):%Y-%m-%dT%H:%M:%SZ}",
            "window_to": f"{at(self.window.end):%Y-%m-%dT%H:%M:%SZ}",
            "symbols_requested": self.symbols_requested,
            "bad_symbol_count": self.bad_symbol_count,
            **{f"minutes_{name}": self.result.total(name) for name in counts},
            "symbol_errors": {f.symbol: f.error for f in self.result.fills if f.error},
            "fx_errors": self.result.fx_errors,
            "lines_sent": self.sent.lines_sent,
            "records_sent": self.sent.records_sent,
            "records_failed": self.sent.records_failed,
            "dead_letter_keys": self.sent.dead_letter_keys,
        }


@dataclass(frozen=True, kw_only=True)
class Services:
    """The AWS side of a run: Athena for what silver holds, Firehose and S3 for sending."""

    athena: AthenaRunner
    firehose: FirehoseClient
    s3: S3Client | None = None


def athena_runner(client: Any, settings: BackfillSettings) -> AthenaRunner:
    """The runner in the configured workgroup and database."""
    return AthenaRunner(
        client=client,
        workgroup=settings.athena_workgroup,
        database=settings.athena_database,
        output_location=settings.athena_output_location or None,
        poll_seconds=settings.athena_poll_seconds,
    )


async def run_backfill(
    settings: ProducerSettings,
    backfill: BackfillSettings,
    event: BackfillEvent,
    services: Services,
    *,
    state: BackfillState,
    now: datetime,
    seconds_left: Callable[[], float],
) -> BackfillSummary:
    """Window → covered minutes (Athena) → bars → lines → delivery stream."""
    if event.symbols:
        settings = dataclasses.replace(settings, symbols=",".join(event.symbols), symbols_source="")
    listed = await asyncio.to_thread(state.symbols.load, settings, services.s3)
    window = event.window(now, backfill)
    summary = BackfillSummary(window, len(listed.symbols), len(listed.bad))
    if window.start == window.end or not listed.symbols:
        return summary
    covered = await asyncio.to_thread(
        services.athena.query, COVERED_MINUTES, covered_parameters(window)
    )
    request = BackfillRequest(
        symbols=listed.symbols, window=window, listings=read_listings(covered.rows), now=now
    )
    deadline = time.monotonic() + seconds_left() - settings.safety_margin_seconds
    summary.result = await collect_with(
        settings,
        request,
        deadline=deadline - SEND_RESERVE_SECONDS,
        crumbs=state.crumbs,
        memory=state.transport,
    )
    if summary.result.lines:
        sink = dead_letter(settings, services.s3)
        stream = settings.delivery_stream_name
        summary.sent = send_lines(services.firehose, stream, summary.result.lines, sink)
    return summary
