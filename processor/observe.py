"""What the processor tells operators: a JSON log line and EMF metrics per bronze object."""

from __future__ import annotations

from collections.abc import Iterable

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from processor.process import ObjectReport

_METRICS = (
    ("BronzeLines", "lines_in"),
    ("SilverRows", "rows_written"),
    ("RejectedRows", "rows_rejected"),
    ("DuplicateRows", "duplicates"),
    ("BlankLines", "blank_lines"),
)
_TOTALS = ("lines_in", "rows_written", "rows_rejected", "duplicates", "blank_lines")


class Observer:
    """Logs and emits each object's counts as soon as it is done, not once per batch."""

    def __init__(self, logger: Logger, metrics: Metrics) -> None:
        self.logger, self.metrics = logger, metrics

    def processed(self, report: ObjectReport) -> None:
        """One log line and one EMF document for ``report``."""
        fields = {
            "bucket": report.bucket,
            "key": report.key,
            "lines_in": report.lines_in,
            "rows_written": report.rows_written,
            "rows_rejected": report.rows_rejected,
            "duplicates": report.duplicates,
            "blank_lines": report.blank_lines,
            "rejected_not_written": report.rejected_not_written,
            "reasons": report.reasons,
            "silver_keys": list(report.silver_keys),
            "rejected_keys": list(report.rejected_keys),
            "stats_key": report.stats_key,
            "balanced": report.balanced,
        }
        if report.balanced:
            self.logger.info("bronze object processed", extra=fields)
        else:
            self.logger.error("bronze object counts do not balance", extra=fields)
        for name, attribute in _METRICS:
            self.metrics.add_metric(name, MetricUnit.Count, getattr(report, attribute))
        self.metrics.add_metric("BronzeObjects", MetricUnit.Count, 1)
        self.metrics.flush_metrics()


def summarize(reports: Iterable[ObjectReport]) -> dict[str, int]:
    """Totals over several objects: what a handler returns and replay prints."""
    totals = dict.fromkeys(("objects", *_TOTALS), 0)
    for report in reports:
        totals["objects"] += 1
        for name in _TOTALS:
            totals[name] += getattr(report, name)
    return totals
