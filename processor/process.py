"""One bronze object → silver and rejected objects, with every line accounted for.

Each line ends in exactly one place: a silver row, a rejected row with its
reason, or a counted duplicate of an earlier (symbol, trade_time) in the same
object. ``ObjectReport.balanced`` states that; the handler logs and emits it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, AnyStr, NamedTuple

from processor.bronze import BronzeObject, open_bronze
from processor.dedupe import SeenQuotes
from processor.output import DatedOutputs, Outputs, object_name
from processor.settings import Settings
from processor.silver import SILVER_COLUMNS, clean_text, format_line
from processor.validate import Reason, Rejection, Validator

SILVER_PREFIX = "quotes/"
REJECTED_PREFIX = "rejected/"
REJECTED_COLUMNS = ("reason", "detail", "raw_line", "source_key", "line_number")


@dataclass(frozen=True, slots=True)
class ObjectReport:
    """What processing one bronze object did."""

    bucket: str
    key: str
    lines_in: int
    rows_written: int
    rows_rejected: int
    duplicates: int
    silver_keys: tuple[str, ...] = ()
    rejected_keys: tuple[str, ...] = ()
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """Every line went somewhere exactly once."""
        return self.lines_in == self.rows_written + self.rows_rejected + self.duplicates


class _Sink:
    """Where judged lines go; counts what it drops so the totals balance."""

    def __init__(
        self, silver: DatedOutputs, rejected: DatedOutputs, arrival: str, key: str
    ) -> None:
        self.silver, self.rejected, self.arrival = silver, rejected, arrival
        self.source_key = clean_text(key)
        self.seen = SeenQuotes()
        self.lines = 0
        self.duplicates = 0
        self.reasons: dict[str, int] = {}

    def reject(self, number: int, raw: str | bytes, rejection: Rejection) -> None:
        """Quarantine one line with its reason; rejected rows go to the arrival date."""
        text = raw if isinstance(raw, str) else raw.decode(errors="backslashreplace")
        text = clean_text(text.rstrip("\r\n"))
        fields = (rejection.reason, rejection.detail, text, self.source_key, str(number))
        self.rejected.write(self.arrival, format_line(fields))
        self.reasons[rejection.reason] = self.reasons.get(rejection.reason, 0) + 1

    def accept(self, by_date: dict[str, list[str]]) -> None:
        """Write a block's silver lines, one batch per date."""
        for dt, lines in by_date.items():
            self.silver.extend(dt, lines)


def process_object(s3: Any, obj: BronzeObject, settings: Settings) -> ObjectReport:
    """Read ``obj``, write its silver and rejected objects, and report the counts."""
    opened = open_bronze(s3, obj)
    name = object_name(obj.key)
    silver = _outputs(s3, settings, SILVER_PREFIX, name, SILVER_COLUMNS)
    rejected = _outputs(s3, settings, REJECTED_PREFIX, name, REJECTED_COLUMNS)
    sink = _Sink(silver, rejected, opened.arrival_date, obj.key)
    validator = Validator(obj.key, max_future_skew_s=settings.max_future_skew_seconds)
    with Outputs(silver, rejected):
        _consume(opened.blocks, validator, sink)
    return ObjectReport(
        bucket=obj.bucket,
        key=obj.key,
        lines_in=sink.lines,
        rows_written=sum(w.rows for w in silver.writers.values()),
        rows_rejected=sum(w.rows for w in rejected.writers.values()),
        duplicates=sink.duplicates,
        silver_keys=tuple(silver.keys()),
        rejected_keys=tuple(rejected.keys()),
        reasons=dict(sorted(sink.reasons.items())),
    )


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


def _consume(blocks: Iterable[bytes], validator: Validator, sink: _Sink) -> None:
    """Judge the lines a block at a time: one decode, one write per date, for thousands of lines."""
    splitter = LineSplitter()
    for block in blocks:
        for run in splitter.runs(block):
            if isinstance(run, Undecodable):
                sink.lines += 1
                sink.reject(sink.lines, run.raw, run.rejection)
            else:
                sink.accept(_judge_lines(run, splitter.fields, validator, sink))


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


class Undecodable(NamedTuple):
    """A line that is not UTF-8, kept as bytes for the rejected row."""

    raw: bytes
    rejection: Rejection


class LineSplitter:
    """Splits bronze lines; one csv reader serves every quoted line (a new one per line is slow)."""

    def __init__(self) -> None:
        self._line: str | None = None
        self._reader = csv.reader(self)

    def __iter__(self) -> LineSplitter:
        return self

    def __next__(self) -> str:
        line, self._line = self._line, None
        if line is None:
            raise StopIteration
        return line

    def runs(self, block: bytes) -> Iterator[list[str] | Undecodable]:
        """A block's lines as runs of text; a line that is not UTF-8 comes alone, as bytes."""
        try:
            text = block.decode()
        except UnicodeDecodeError:
            yield from self._runs_line_by_line(block)
            return
        lines = _lines_of(text, "\n")
        yield [line.rstrip("\r") for line in lines] if "\r" in text else lines

    def _runs_line_by_line(self, block: bytes) -> Iterator[list[str] | Undecodable]:
        run: list[str] = []
        for raw in _lines_of(block, b"\n"):
            try:
                run.append(raw.decode().rstrip("\r"))
            except UnicodeDecodeError as exc:
                if run:
                    yield run
                    run = []
                yield Undecodable(raw, _not_utf8(exc))
        if run:
            yield run

    def split(self, raw: bytes) -> list[str] | Rejection:
        """The fields of one raw line, or why it has none."""
        try:
            text = raw.decode().rstrip("\r\n")
        except UnicodeDecodeError as exc:
            return _not_utf8(exc)
        return self.fields(text)

    def fields(self, text: str) -> list[str] | Rejection:
        """The fields of one decoded line; plain lines skip the csv module."""
        if '"' not in text:
            return text.split(",")
        if text.count('"') == 2:  # one quoted field, e.g. a name with a comma: skip csv
            head, quoted, tail = text.split('"')
            if head[-1:] == "," and tail[:1] == ",":
                return [*head[:-1].split(","), quoted, *tail[1:].split(",")]
        self._line = text
        try:
            return next(self._reader, [])
        except csv.Error as exc:
            return Rejection(Reason.MALFORMED_CSV, str(exc))


def _lines_of(block: AnyStr, newline: AnyStr) -> list[AnyStr]:
    """A block's lines without their newlines (a final newline starts no line)."""
    lines = block.split(newline)
    if not lines[-1]:
        lines.pop()
    return lines


def _not_utf8(exc: UnicodeDecodeError) -> Rejection:
    return Rejection(Reason.NOT_UTF8, f"invalid UTF-8 at byte {exc.start}")
