"""One bronze object → silver, rejected and stats objects, with every line accounted for.

Each line ends in exactly one place: a silver row, a rejected line (with its reason),
a counted duplicate of an earlier (symbol, trade_time) in the same object, or a
counted blank line. ``ObjectReport.balanced`` states that; the handler logs and emits it.

What one hostile object can write is bounded: a blank line writes nothing, a rejected
row keeps at most the first ``KEEP_BYTES`` of its line (``raw_length`` tells the
whole length), and past ``max_rejected_rows`` rejected lines are counted by reason
but not written (the bronze object keeps them all). Its counts go to one stats object
(processor/stats.py), whatever else it wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from processor.bronze import KEEP_BYTES, MAX_LINE_BYTES, Block, BronzeObject, LongLine, open_bronze
from processor.dedupe import SeenQuotes
from processor.lines import Blank, LineSplitter, Undecodable
from processor.output import DatedOutputs, Outputs, object_name
from processor.reasons import Reason, Rejection
from processor.settings import Settings
from processor.silver import SILVER_COLUMNS, clean_text, format_line
from processor.stats import stats_key, write_stats
from processor.validate import Validator

SILVER_PREFIX = "quotes/"
REJECTED_PREFIX = "rejected/"
# raw_length was added last, so older rejected objects (five columns) read it as NULL.
REJECTED_COLUMNS = ("reason", "detail", "raw_line", "source_key", "line_number", "raw_length")


@dataclass(frozen=True, slots=True)
class ObjectReport:
    """What processing one bronze object did."""

    bucket: str
    key: str
    lines_in: int
    rows_written: int
    rows_rejected: int
    duplicates: int
    blank_lines: int = 0
    rejected_not_written: int = 0  # rejected lines past max_rejected_rows: counted only
    silver_keys: tuple[str, ...] = ()
    rejected_keys: tuple[str, ...] = ()
    stats_key: str = ""  # written last: its row means the silver above is complete
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """Every line went somewhere exactly once."""
        ends = self.rows_written + self.rows_rejected + self.duplicates + self.blank_lines
        return self.lines_in == ends


class _Sink:
    """Where judged lines go; counts what it does not write so the totals balance."""

    def __init__(
        self, silver: DatedOutputs, rejected: DatedOutputs, arrival: str, key: str, limit: int
    ) -> None:
        self.silver, self.rejected, self.arrival = silver, rejected, arrival
        self.source_key = clean_text(key)
        self.seen = SeenQuotes()
        self.limit = limit
        self.lines = self.duplicates = self.blank = self.rejected_lines = 0
        self.reasons: dict[str, int] = {}

    def reject(
        self, number: int, raw: str | bytes, rejection: Rejection, length: int | None = None
    ) -> None:
        """Count one rejected line; quarantine it (to the arrival date) while under the limit."""
        self.rejected_lines += 1
        self.reasons[rejection.reason] = self.reasons.get(rejection.reason, 0) + 1
        if self.rejected_lines > self.limit:
            return
        # Text was valid UTF-8: cut on a character; bytes were not: show what is there.
        errors = "ignore" if isinstance(raw, str) else "backslashreplace"
        data = (raw.encode() if isinstance(raw, str) else raw).rstrip(b"\r\n")
        head = clean_text(data[:KEEP_BYTES].decode(errors=errors))
        size = str(len(data) if length is None else length)
        fields = (rejection.reason, rejection.detail, head, self.source_key, str(number), size)
        self.rejected.write(self.arrival, format_line(fields))

    def accept(self, by_date: dict[str, list[str]]) -> None:
        """Write a block's silver lines, one batch per date."""
        for dt, lines in by_date.items():
            self.silver.extend(dt, lines)


def process_object(s3: Any, obj: BronzeObject, settings: Settings) -> ObjectReport:
    """Read ``obj``, write its silver, rejected and stats objects, and report the counts."""
    opened = open_bronze(s3, obj)
    name = object_name(obj.key)
    silver = _outputs(s3, settings, SILVER_PREFIX, name, SILVER_COLUMNS)
    rejected = _outputs(s3, settings, REJECTED_PREFIX, name, REJECTED_COLUMNS)
    sink = _Sink(silver, rejected, opened.arrival_date, obj.key, settings.max_rejected_rows)
    validator = Validator(obj.key, max_future_skew_s=settings.max_future_skew_seconds)
    with Outputs(silver, rejected):
        _consume(opened.blocks, validator, sink)
    report = ObjectReport(
        bucket=obj.bucket,
        key=obj.key,
        lines_in=sink.lines,
        rows_written=sum(w.rows for w in silver.writers.values()),
        rows_rejected=sink.rejected_lines,
        duplicates=sink.duplicates,
        blank_lines=sink.blank,
        rejected_not_written=sink.rejected_lines - sum(w.rows for w in rejected.writers.values()),
        silver_keys=tuple(silver.keys()),
        rejected_keys=tuple(rejected.keys()),
        reasons=dict(sorted(sink.reasons.items())),
        stats_key=stats_key(opened.arrival_date, name),
    )
    write_stats(s3, settings.silver_bucket, report.stats_key, report)
    return report


def _outputs(
    s3: Any, settings: Settings, prefix: str, name: str, columns: tuple[str, ...]
) -> DatedOutputs:
    return DatedOutputs(
        s3,
        bucket=settings.silver_bucket,
        prefix=prefix,
        name=name,
        columns=columns,
        part_size=settings.part_size,
    )


def _consume(blocks: Iterable[Block], validator: Validator, sink: _Sink) -> None:
    """Judge the lines a block at a time: one decode, one write per date, for thousands of lines."""
    splitter = LineSplitter()
    for block in blocks:
        if isinstance(block, LongLine):
            sink.lines += 1
            sink.reject(sink.lines, block.head, _too_long(block), block.length)
            continue
        for run in splitter.runs(block):
            if isinstance(run, Blank):
                sink.lines += run.lines
                sink.blank += run.lines
            elif isinstance(run, Undecodable):
                sink.lines += 1
                sink.reject(sink.lines, run.raw, run.rejection)
            else:
                sink.accept(_judge_lines(run, splitter.fields, validator, sink))


def _too_long(line: LongLine) -> Rejection:
    detail = f"{line.length} bytes, over the {MAX_LINE_BYTES}-byte line limit"
    return Rejection(Reason.LINE_TOO_LONG, detail)


def _judge_lines(
    lines: list[str],
    split: Callable[[str], list[str] | Rejection],
    validator: Validator,
    sink: _Sink,
) -> dict[str, list[str]]:
    """The hot loop: split, judge, de-duplicate, and gather silver lines by date."""
    judge, seen = validator.judge, sink.seen.add
    by_date: defaultdict[str, list[str]] = defaultdict(list)
    for number, text in enumerate(lines, sink.lines + 1):
        fields = text.split(",") if '"' not in text else split(text)  # plain lines: no call
        result = judge(fields) if isinstance(fields, list) else fields
        if isinstance(result, Rejection):
            sink.reject(number, text, result)
        elif seen(result.symbol, result.trade_epoch):
            by_date[result.dt].append(result.line)
        else:
            sink.duplicates += 1
    sink.lines += len(lines)
    return by_date
