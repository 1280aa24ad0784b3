"""`quotepipe backfill`: fill the session minutes the lake has no row for, from 1m bars.

What silver holds is read through the local engine (the same statements the scheduled
backfill runs on Athena), bars come through the producer's ``YahooClient`` with its
settings and transports, and the lines go the normal way: the embedded stack's
Firehose → bronze → trigger → processor → silver, mirrored into the lake. When no
line is built the stack is not started, so a second backfill adds nothing.
"""

from __future__ import annotations

import asyncio
import csv
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from firehose.sender import send_lines
from producer.backfill import (
    COVERED_MINUTES,
    LISTINGS,
    BackfillRequest,
    BackfillResult,
    Listing,
    SymbolFill,
    Window,
    collect_with,
    covered_parameters,
    read_listings,
)
from producer.backfill.gaps import at
from producer.errors import QuotepipeProducerError
from producer.settings import ProducerSettings
from producer.symbols import SymbolSource

Say = Callable[[str], None]
# Minutes this recent may still be in flight (Firehose buffers locally for no time, but
# a `run` on the same lake may be ticking): they are left for the next backfill.
DEFAULT_MARGIN = timedelta(minutes=5)
SHOWN_MINUTES = 5


@dataclass(frozen=True, kw_only=True)
class BackfillOptions:
    """What `quotepipe backfill` was asked to do."""

    start: datetime
    end: datetime
    symbols: tuple[str, ...] = ()
    symbols_file: Path | None = None
    yahoo_url: str | None = None
    lake: Path = Path("lake")
    margin: timedelta = DEFAULT_MARGIN


@dataclass
class Delivered:
    """What the embedded stack did with the lines."""

    lines_sent: int = 0
    records_sent: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    reasons: Counter[str] | None = None


def backfill_command(options: BackfillOptions, say: Say | None = None) -> int:
    """Find, fetch, send, report; 0 when every missing minute that Yahoo has was filled."""
    out = say or (lambda text: print(text, flush=True))
    try:
        settings = _settings(options)
        symbols = SymbolSource().load(settings)
    except QuotepipeProducerError as exc:
        print(f"quotepipe backfill: {exc}", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    window = Window.eligible(options.start, options.end, now, options.margin)
    listings = _read_silver(options.lake, window)
    names = list(symbols.symbols) or sorted(listings)
    for entry, reason in symbols.bad:
        out(f"skipped {entry!r}: {reason}")
    if not names:
        out(f"nothing to backfill: no --symbols given and no symbol in {options.lake}/silver")
        return 1
    out(_describe_window(window, len(names), options.margin))
    request = BackfillRequest(symbols=names, window=window, listings=listings, now=now)
    result = asyncio.run(
        collect_with(settings, request, on_symbol=lambda fill: out(describe_fill(fill)))
    )
    for pair, error in result.fx_errors.items():
        out(f"{pair}: {error}; lines needing it carry no rate and are rejected")
    delivered = _deliver(options.lake, result.lines) if result.lines else Delivered()
    out(summarise(result, delivered))
    failed = any(fill.error for fill in result.fills) or delivered.rows_rejected > 0
    return 1 if failed else 0


def _settings(options: BackfillOptions) -> ProducerSettings:
    """The producer's settings; the symbols only from the command line, never SYMBOLS."""
    urls: dict[str, object] = {}
    if options.yahoo_url:
        url = options.yahoo_url.rstrip("/")
        urls = {"yahoo_base_url": url, "yahoo_cookie_url": url}
    source = str(options.symbols_file.resolve()) if options.symbols_file else ""
    return ProducerSettings.from_env(
        None, symbols=",".join(options.symbols), symbols_source=source, **urls
    )


def _read_silver(lake: Path, window: Window) -> dict[str, Listing]:
    """Each symbol silver knows, its exchange and the window's covered minutes."""
    from infra.local.athena.engine import LocalAthena

    lake.mkdir(parents=True, exist_ok=True)
    with LocalAthena(lake) as athena:
        covered = athena.query(COVERED_MINUTES, covered_parameters(window)).rows
        listed = athena.query(LISTINGS).rows
    return read_listings(covered, listed)


def _deliver(lake: Path, lines: list[str]) -> Delivered:
    """Send through the embedded stack's Firehose and process what lands into the lake."""
    from infra.local.embedded import LakeDelivery, handler_output, processor_environment
    from infra.local.stack import LocalStack

    with handler_output(lake), LocalStack() as stack:
        report = send_lines(stack.client("firehose"), stack.names.delivery_stream, lines)
        drained, files = LakeDelivery.open(stack, lake, processor_environment(stack)).deliver()
    return Delivered(
        lines_sent=report.lines_sent,
        records_sent=report.records_sent,
        rows_written=sum(int(r.get("rows_written", 0)) for r in drained.results),
        rows_rejected=sum(int(r.get("rows_rejected", 0)) for r in drained.results),
        reasons=_reasons(files),
    )


def _reasons(files: list[Path]) -> Counter[str]:
    """Rejected rows by reason, from the rejected objects this backfill wrote."""
    counts: Counter[str] = Counter()
    for path in files:
        if "rejected" in path.parts:
            with path.open(encoding="utf-8", newline="") as rows:
                reader = csv.DictReader(rows, escapechar="\\", doublequote=False)
                counts.update(row["reason"] for row in reader)
    return counts


def _describe_window(window: Window, symbols: int, margin: timedelta) -> str:
    if window.start == window.end:
        return f"no minute of the range ended {_minutes(margin)} min ago or earlier"
    return (
        f"backfill {_clock(window.start)} to {_clock(window.end)} for {symbols} symbols "
        f"(minutes older than {_minutes(margin)} min only)"
    )


def describe_fill(fill: SymbolFill) -> str:
    """One progress line per symbol."""
    if fill.error:
        lost = f"; {fill.missing} missing minutes not filled" if fill.missing else ""
        return f"{fill.symbol}: {fill.error}{lost}"
    if not fill.missing:
        return f"{fill.symbol}: nothing missing"
    text = (
        f"{fill.symbol}: {fill.missing} minutes missing: {fill.from_bars} from bars, "
        f"{fill.previous_close} with the previous close, {fill.not_available} not available"
    )
    if fill.unavailable:
        shown = ", ".join(_clock(m) for m in fill.unavailable[:SHOWN_MINUTES])
        more = len(fill.unavailable) - SHOWN_MINUTES
        text += f" ({shown}{f' and {more} more' if more > 0 else ''})"
    if fill.no_fx_rate:
        text += f"; {fill.no_fx_rate} without an FX rate"
    return text


def summarise(result: BackfillResult, delivered: Delivered) -> str:
    """The closing line: every missing minute accounted for."""
    text = (
        f"summary: minutes missing {result.total('missing')}, "
        f"filled from bars {result.total('from_bars')}, "
        f"filled with previous close {result.total('previous_close')}, "
        f"not available {result.total('not_available')}, "
        f"lines sent {delivered.lines_sent} (Firehose records: {delivered.records_sent}); "
        f"silver rows {delivered.rows_written}, rejected {delivered.rows_rejected}"
    )
    if delivered.reasons:
        text += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(delivered.reasons.items())) + ")"
    return text


def _clock(epoch: int) -> str:
    return at(epoch).strftime("%Y-%m-%dT%H:%MZ")


def _minutes(margin: timedelta) -> int:
    return int(margin.total_seconds() // 60)
