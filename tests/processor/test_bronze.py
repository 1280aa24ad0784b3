"""Reading bronze: streamed line by line, gzip by name or by magic bytes, errors raised."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ReadTimeoutError

from processor.bronze import BLOCK_SIZE, arrival_date, read_blocks, read_lines
from processor.errors import BronzeReadError
from tests.processor.helpers import line

TEXT = (line() + line(name="Second") + "last line without newline").encode()


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
    blocks = list(read_blocks(io.BytesIO(body)))
    # THEN the blocks are bounded, end at line ends, and together are the object
    assert len(blocks) > 1
    assert all(block.endswith(b"\n") for block in blocks[:-1])
    assert all(len(block) < BLOCK_SIZE + len(TEXT) for block in blocks)
    assert b"".join(blocks) == data


def test_a_dropped_connection_is_a_read_error_in_blocks_too() -> None:
    with pytest.raises(BronzeReadError):
        list(read_blocks(FailingBody()))
