"""Reading bronze: streamed in blocks of whole lines, gzip by name or by magic bytes, errors
raised, and a line longer than the limit never held whole."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from processor.bronze import (
    BLOCK_SIZE,
    KEEP_BYTES,
    MAX_LINE_BYTES,
    Block,
    LongLine,
    arrival_date,
    read_blocks,
)
from processor.errors import BronzeReadError
from tests.processor.helpers import line

TEXT = (line() + line(name="Second") + "last line without newline").encode()


def read_lines(body: Any, *, gzipped: bool = False) -> list[bytes]:
    """The lines of a body as the blocks carry them (no line here is too long)."""
    blocks = read_blocks(body, gzipped=gzipped)
    return b"".join(plain(blocks)).splitlines(keepends=True)


def plain(blocks: Iterable[Block]) -> list[bytes]:
    """Blocks that must all be bytes."""
    found = list(blocks)
    assert all(isinstance(b, bytes) for b in found)
    return [b for b in found if isinstance(b, bytes)]


class CountingBody:
    """A body that records how much was asked for at once (never the whole object)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.largest = 0

    def read(self, amt: int | None = None, /) -> bytes:
        self.largest = max(self.largest, amt or 1 << 62)
        return self._data.read(amt)


class FailingBody:
    """A connection that drops after the first chunk."""

    def __init__(self) -> None:
        self.calls = 0

    def read(self, amt: int | None = None, /) -> bytes:
        self.calls += 1
        if self.calls > 1:
            raise ReadTimeoutError(endpoint_url="https://s3.amazonaws.com")
        return b"1,TMUS\n"


def test_plain_bronze_is_read_line_by_line() -> None:
    lines = list(read_lines(io.BytesIO(TEXT)))
    assert len(lines) == 3
    assert lines[-1] == b"last line without newline"


def test_gzip_is_recognised_by_magic_bytes() -> None:
    assert b"".join(read_lines(io.BytesIO(gzip.compress(TEXT)))) == TEXT


def test_gzip_is_recognised_by_key_suffix() -> None:
    assert b"".join(read_lines(io.BytesIO(gzip.compress(TEXT)), gzipped=True)) == TEXT


def test_concatenated_gzip_members_are_all_read() -> None:
    data = gzip.compress(line().encode()) + gzip.compress(line(name="Two").encode())
    assert len(list(read_lines(io.BytesIO(data)))) == 2


def test_the_body_is_streamed_not_read_whole() -> None:
    body = CountingBody(TEXT * 100_000)
    count = sum(1 for _ in read_lines(body))
    assert count == 200_001
    assert body.largest <= 1 << 20


def test_corrupt_gzip_is_a_read_error() -> None:
    with pytest.raises(BronzeReadError):
        list(read_lines(io.BytesIO(gzip.compress(TEXT)[:-20])))


def test_a_dropped_connection_is_a_read_error() -> None:
    with pytest.raises(BronzeReadError):
        list(read_lines(FailingBody()))


def test_arrival_date_comes_from_the_key_else_last_modified() -> None:
    assert arrival_date("quotes/dt=2026-11-25/x", None) == "2026-11-25"
    assert arrival_date("quotes/x", datetime(2026, 11, 24, 23, 59, tzinfo=UTC)) == "2026-11-24"


@pytest.mark.parametrize("gzipped", [False, True])
def test_blocks_hold_whole_lines_and_every_byte(gzipped: bool) -> None:
    # GIVEN an object of many lines, the last without a newline
    data = TEXT * 20_000
    body = gzip.compress(data) if gzipped else data
    # WHEN it is read in blocks
    blocks = plain(read_blocks(io.BytesIO(body)))
    # THEN the blocks are bounded, end at line ends, and together are the object
    assert len(blocks) > 1
    assert all(block.endswith(b"\n") for block in blocks[:-1])
    assert all(len(block) < BLOCK_SIZE + len(TEXT) for block in blocks)
    assert b"".join(blocks) == data


def test_a_dropped_connection_is_a_read_error_in_blocks_too() -> None:
    with pytest.raises(BronzeReadError):
        list(read_blocks(FailingBody()))


def test_a_line_at_the_limit_is_kept_and_one_byte_more_is_a_long_line() -> None:
    fits = b"a" * MAX_LINE_BYTES + b"\n"
    too_long = b"b" * (MAX_LINE_BYTES + 1) + b"\n"
    found = list(read_blocks(io.BytesIO(fits + too_long + b"ok\n")))
    assert found == [fits, LongLine(b"b" * KEEP_BYTES, MAX_LINE_BYTES + 1), b"ok\n"]


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("block_size", [100, BLOCK_SIZE])
def test_a_long_line_is_skipped_with_its_length_wherever_blocks_fall(
    gzipped: bool, block_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN good lines around a 300 KB line, and a 70 KB last line with no newline
    monkeypatch.setattr("processor.bronze.BLOCK_SIZE", block_size)
    good = line().encode()
    data = good * 3 + b"x" * 300_000 + b"\r\n" + good + b"y" * 70_000
    body = gzip.compress(data) if gzipped else data
    # WHEN read in blocks
    found = list(read_blocks(io.BytesIO(body)))
    # THEN the long lines come alone with their heads and lengths, the rest as bytes
    longs = [b for b in found if isinstance(b, LongLine)]
    assert longs == [LongLine(b"x" * KEEP_BYTES, 300_001), LongLine(b"y" * KEEP_BYTES, 70_000)]
    rest = b"".join(b for b in found if isinstance(b, bytes))
    assert rest == good * 4


def test_a_long_line_is_never_read_whole() -> None:
    # GIVEN a 20 MB line between two good lines
    body = CountingBody(line().encode() + b"z" * 20_000_000 + b"\n" + line().encode())
    # WHEN read THEN no read asks for more than the read buffer and no block is large
    found = list(read_blocks(body))
    assert body.largest <= 1 << 20
    assert max(len(b) if isinstance(b, bytes) else len(b.head) for b in found) <= BLOCK_SIZE
    assert [b.length for b in found if isinstance(b, LongLine)] == [20_000_000]
