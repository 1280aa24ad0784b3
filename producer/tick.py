"""One tick: fetch quotes and the FX rates they need, encode bronze lines, send them to Firehose.

FX pairs for currencies seen in earlier ticks ride in the first v7 batch, ahead of
the quotes, so lines are encoded while later batches are in flight; a currency seen
for the first time costs one extra small request. A quote whose ``trade_time`` was
already sent (in this invocation or an earlier one of the same warm container) is
not sent again; it is counted in ``quotes_unchanged``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from firehose.sender import S3DeadLetter, SendReport, send_lines
from producer.bronze import BronzeLines
from producer.currency import fx_pairs
from producer.yahoo.client import YahooClient
from producer.yahoo.session import CrumbCache
from producer.yahoo.transport import FetchStats, YahooHttp

if TYPE_CHECKING:
    from mypy_boto3_firehose import FirehoseClient

    from producer.settings import ProducerSettings
    from producer.yahoo.transport import Backend


@dataclass
class TickContext:
    """What every tick of one invocation shares: I/O handles, caches and what was sent."""

    settings: ProducerSettings
    backend: Backend
    firehose: FirehoseClient
    dead_letter: S3DeadLetter | None = None
    crumbs: CrumbCache = field(default_factory=CrumbCache)
    currencies: set[str] = field(default_factory=set)
    last_sent: dict[str, int] = field(default_factory=dict)
    exchanges: dict[str, str] = field(default_factory=dict)  # learnt from quotes, for sessions


@dataclass
class TickSummary:
    """What one tick did, as logged, returned and turned into metrics."""

    symbols_requested: int = 0
    symbols_closed: int = 0  # listed but not polled: their exchange is closed (FOLLOW_SESSIONS)
    session_symbols: int = 0  # polled while their exchange is in session
    session_quotes: int = 0  # of those, how many came back
    quotes_fetched: int = 0
    quotes_sent: int = 0
    quotes_unchanged: int = 0
    symbols_missing: list[str] = field(default_factory=list)
    missing_reasons: dict[str, int] = field(default_factory=dict)
    fx_rates: dict[str, float] = field(default_factory=dict)
    fx_missing: list[str] = field(default_factory=list)
    yahoo_requests: int = 0
    yahoo_errors: dict[str, int] = field(default_factory=dict)
    fields_truncated: dict[str, int] = field(default_factory=dict)
    yahoo_retries: int = 0
    rate_limited: bool = False
    yahoo_transport: str = ""
    transport_switches: int = 0
    records_sent: int = 0
    bytes_sent: int = 0
    records_failed: int = 0
    firehose_retries: int = 0
    dead_letter_keys: list[str] = field(default_factory=list)
    duration_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)


async def run_tick(ctx: TickContext, symbols: Sequence[str], deadline: float) -> TickSummary:
    """Fetch, encode and send one round of quotes; Yahoo work stops at ``deadline`` (monotonic)."""
    started = time.monotonic()
    stats = FetchStats()
    http = YahooHttp(ctx.backend, ctx.settings, deadline=deadline, stats=stats)
    bronze = BronzeLines(symbols, ctx.last_sent)
    failures = await _fetch_with_fx(YahooClient(http, ctx.crumbs), symbols, ctx.currencies, bronze)
    lines = bronze.finish()
    report = await _send(ctx, lines)
    remember_sent(ctx.last_sent, bronze.sent, symbols)
    ctx.exchanges.update({s: q.exchange for s, q in bronze.quotes.items()})
    summary = _summarise(symbols, bronze, failures, stats, report)
    summary.yahoo_transport = ctx.backend.name
    summary.duration_seconds = round(time.monotonic() - started, 3)
    return summary


def remember_sent(
    last_sent: dict[str, int], sent: Mapping[str, int], symbols: Sequence[str]
) -> None:
    """Record what was sent and forget symbols no longer listed.

    The memory outlives invocations, so it is bounded by the symbol list (itself at
    most ``MAX_SYMBOLS``) rather than growing with every list the container has seen.
    """
    last_sent.update(sent)
    if len(last_sent) > len(symbols):
        listed = set(symbols)
        for symbol in [s for s in last_sent if s not in listed]:
            del last_sent[symbol]


async def _fetch_with_fx(
    client: YahooClient, symbols: Sequence[str], currencies: set[str], bronze: BronzeLines
) -> dict[str, str]:
    """Fetch known FX pairs first, then the symbols, then any pair a new currency needs."""
    first_pairs = fx_pairs(currencies)
    bronze.expect(first_pairs)
    wanted = set(symbols)
    request = [*(p for p in first_pairs if p not in wanted), *symbols]
    result = await client.fetch(request, on_quote=bronze.add)
    seen = bronze.currencies()
    currencies.update(seen)
    late_pairs = [p for p in fx_pairs(seen) if p not in first_pairs]
    bronze.expect(late_pairs)
    missing_pairs = [p for p in late_pairs if p not in result.quotes]
    if missing_pairs:
        late = await client.fetch(missing_pairs, on_quote=bronze.add)
        result.failures.update(late.failures)
    return result.failures


async def _send(ctx: TickContext, lines: list[str]) -> SendReport:
    """Send lines off the event loop (boto3 is synchronous); raises ``firehose.DeliveryError``."""
    if not lines:
        return SendReport()
    stream = ctx.settings.delivery_stream_name
    return await asyncio.to_thread(send_lines, ctx.firehose, stream, lines, ctx.dead_letter)


def _summarise(
    symbols: Sequence[str],
    bronze: BronzeLines,
    failures: dict[str, str],
    stats: FetchStats,
    report: SendReport,
) -> TickSummary:
    """Collect the tick's counts; reasons are counted, missing symbols are named."""
    missing = [s for s in symbols if s not in bronze.quotes]
    failures = {**failures, **dict.fromkeys(bronze.too_large, "line_too_large")}
    rates = bronze.rates
    return TickSummary(
        symbols_requested=len(symbols),
        quotes_fetched=len(bronze.quotes),
        quotes_sent=len(bronze.sent),
        quotes_unchanged=len(bronze.quotes) - len(bronze.sent),
        symbols_missing=missing,
        missing_reasons=dict(Counter(failures.get(s, "not_found") for s in missing)),
        fx_rates=dict(rates.per_usd),
        fx_missing=sorted(c for c in bronze.currencies() if rates.rate(c) is None),
        yahoo_requests=stats.requests,
        yahoo_errors=dict(stats.errors),
        fields_truncated=dict(stats.truncated),
        yahoo_retries=stats.retries,
        rate_limited=stats.rate_limited,
        transport_switches=stats.transport_switches,
        records_sent=report.records_sent,
        bytes_sent=report.bytes_sent,
        records_failed=report.records_failed,
        firehose_retries=report.retries,
        dead_letter_keys=list(report.dead_letter_keys),
    )
