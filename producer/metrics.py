"""CloudWatch metrics (Embedded Metric Format) from an invocation summary."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit, single_metric

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics

    from producer.backfill.scheduled import BackfillSummary
    from producer.invocation import InvocationSummary

NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "quotepipe"

_COUNTS = {
    "SymbolsRequested": "symbols_requested",
    "QuotesSent": "quotes_sent",
    "RecordsSent": "records_sent",
    "RecordsFailed": "records_failed",
    "YahooRetries": "yahoo_retries",
    "FirehoseRetries": "firehose_retries",
    "QuotesUnchanged": "quotes_unchanged",
    "TransportSwitches": "transport_switches",
    "SymbolsClosed": "symbols_closed",
    "SessionSymbols": "session_symbols",
    "SessionQuotes": "session_quotes",
}


def record_metrics(metrics: Metrics, summary: InvocationSummary, namespace: str) -> None:
    """One value per tick for each metric, so sub-minute ticks stay visible."""
    metrics.add_metric("BadSymbols", MetricUnit.Count, summary.bad_symbol_count)
    metrics.add_metric("TicksSkipped", MetricUnit.Count, summary.ticks_skipped)
    for tick in summary.ticks:
        values = tick.to_dict()
        for name, key in _COUNTS.items():
            metrics.add_metric(name, MetricUnit.Count, values[key])
        metrics.add_metric("SymbolsMissing", MetricUnit.Count, len(tick.symbols_missing))
        metrics.add_metric("BytesSent", MetricUnit.Bytes, tick.bytes_sent)
        metrics.add_metric("TickDuration", MetricUnit.Seconds, tick.duration_seconds)
        metrics.add_metric("RateLimited", MetricUnit.Count, int(tick.rate_limited))
        metrics.add_metric("YahooErrors", MetricUnit.Count, sum(tick.yahoo_errors.values()))
        metrics.add_metric("FieldsTruncated", MetricUnit.Count, sum(tick.fields_truncated.values()))
        for kind, count in tick.yahoo_errors.items():
            _error_kind(namespace, kind, count)


_BACKFILL_COUNTS = {
    "BackfillMinutesMissing": "minutes_missing",
    "BackfillMinutesFilled": "lines_sent",
    "BackfillMinutesNotAvailable": "minutes_not_available",
    "RecordsFailed": "records_failed",
}


def record_backfill_metrics(metrics: Metrics, summary: BackfillSummary) -> None:
    """One value per scheduled backfill run; symbols Yahoo gave no bars for are counted."""
    values = summary.to_dict()
    for name, key in _BACKFILL_COUNTS.items():
        metrics.add_metric(name, MetricUnit.Count, values[key])
    metrics.add_metric("BackfillSymbolErrors", MetricUnit.Count, len(values["symbol_errors"]))


def _error_kind(namespace: str, kind: str, count: int) -> None:
    """Errors by kind go out as their own EMF blob with an ``ErrorKind`` dimension."""
    with single_metric(
        name="YahooErrorsByKind", unit=MetricUnit.Count, value=count, namespace=namespace
    ) as metric:
        metric.add_dimension(name="ErrorKind", value=kind)
