"""Blocks of bronze bytes → runs of text lines, counted blank lines, and undecodable lines.

A block is split once, in C; a Python step happens per run, not per line, and
blank lines (empty once the line end is gone) are counted in C too, so an object
of millions of newlines costs what splitting it costs. A line that is not UTF-8
comes alone, as bytes, so one bad byte rejects one line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import groupby
from typing import AnyStr, NamedTuple

from processor.reasons import Reason, Rejection

# What surrogateescape decodes an undecodable byte to: U+DC80..U+DCFF, never valid text.
_ESCAPED = re.compile("[\udc80-\udcff]")


class Undecodable(NamedTuple):
    """A line that is not UTF-8, kept as bytes for the rejected row."""

    raw: bytes
    rejection: Rejection


class Blank(NamedTuple):
    """A run of blank lines: counted, never written."""

    lines: int


Run = list[str] | Undecodable | Blank


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

    def runs(self, block: bytes) -> Iterator[Run]:
        """A block's lines as runs of text, blank runs and lone undecodable lines, in order."""
        try:
            text = block.decode()
        except UnicodeDecodeError:
            yield from self._runs_line_by_line(block)
            return
        lines = _lines_of(text, "\n")
        yield from _with_blanks([line.rstrip("\r") for line in lines] if "\r" in text else lines)

    def _runs_line_by_line(self, block: bytes) -> Iterator[Run]:
        """A block with bytes that are not UTF-8: decoded once, bad bytes kept as surrogates."""
        run: list[str] = []
        for line in _lines_of(block.decode(errors="surrogateescape"), "\n"):
            bad = _ESCAPED.search(line)  # a C scan, not an exception per bad line
            if bad is None:
                run.append(line.rstrip("\r"))
                continue
            if run:
                yield from _with_blanks(run)
                run = []
            at = len(line[: bad.start()].encode())
            yield Undecodable(line.encode(errors="surrogateescape"), _not_utf8_at(at))
        yield from _with_blanks(run)

    def split(self, raw: bytes) -> list[str] | Rejection:
        """The fields of one raw line, or why it has none."""
        try:
            text = raw.decode().rstrip("\r\n")
        except UnicodeDecodeError as exc:
            return not_utf8(exc)
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


def _with_blanks(lines: list[str]) -> Iterator[list[str] | Blank]:
    """``lines`` as one run, or split around its blank lines (the check is one C scan)."""
    if "" not in lines:
        if lines:
            yield lines
        return
    for filled, group in groupby(lines, bool):
        run = list(group)
        yield run if filled else Blank(len(run))


def _lines_of(block: AnyStr, newline: AnyStr) -> list[AnyStr]:
    """A block's lines without their newlines (a final newline starts no line)."""
    lines = block.split(newline)
    if not lines[-1]:
        lines.pop()
    return lines


def not_utf8(exc: UnicodeDecodeError) -> Rejection:
    """The rejection of a line that is not UTF-8."""
    return _not_utf8_at(exc.start)


@lru_cache(maxsize=256)
def _not_utf8_at(offset: int) -> Rejection:
    return Rejection(Reason.NOT_UTF8, f"invalid UTF-8 at byte {offset}")
