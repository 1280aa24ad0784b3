"""Symbol normalisation and list sources (env, file, S3 with ETag caching)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws

from producer.errors import SymbolListError
from producer.symbols import SymbolSource, normalise_symbol, normalise_symbols, parse_symbol_text
from tests.producer.conftest import fast_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("aapl", "AAPL"),
        (" brk.b ", "BRK-B"),
        ("vod.l", "VOD.L"),
        ("teck.b.to", "TECK-B.TO"),
        ("^gspc", "^GSPC"),
        ("cad=x", "CAD=X"),
        ("BTC-USD", "BTC-USD"),
    ],
)
def test_normalise_symbol(raw: str, expected: str) -> None:
    assert normalise_symbol(raw) == expected


def test_normalise_symbols_dedupes_validates_and_reports() -> None:
    listed = normalise_symbols(["aapl", "AAPL", "brk.b", "BRK-B", "", "bad sym", "x" * 30, "<a>"])
    assert listed.symbols == ("AAPL", "BRK-B")
    assert [entry for entry, _ in listed.bad] == ["bad sym", "x" * 30, "<a>"]


def test_list_over_the_limit_reports_the_rest() -> None:
    listed = normalise_symbols([f"S{n}" for n in range(12)], max_symbols=10)
    assert len(listed.symbols) == 10
    assert [entry for entry, _ in listed.bad] == ["S10", "S11"]


def test_ten_thousand_symbols_are_accepted() -> None:
    listed = normalise_symbols([f"SYM{n:05d}" for n in range(10_000)])
    assert len(listed.symbols) == 10_000 and not listed.bad


@given(st.lists(st.text(alphabet="abcxyzABC.-=^0123 ", max_size=12), max_size=40))
def test_normalising_is_idempotent(entries: list[str]) -> None:
    once = normalise_symbols(entries)
    assert normalise_symbols(once.symbols).symbols == once.symbols


def test_text_lists_accept_commas_lines_and_comments() -> None:
    text = "aapl, msft\n# comment\nvod.l  # London\r\n\n;shop.to"
    assert [s.strip() for s in parse_symbol_text(text)] == ["aapl", "msft", "vod.l", "shop.to"]


def test_file_source_wins_over_env(tmp_path: Path) -> None:
    path = tmp_path / "symbols.txt"
    path.write_text("tmus\nry.to\n", encoding="utf-8")
    settings = fast_settings("http://127.0.0.1:9", symbols="AAPL", symbols_source=str(path))
    assert SymbolSource().load(settings).symbols == ("TMUS", "RY.TO")


def test_missing_file_is_a_symbol_list_error(tmp_path: Path) -> None:
    settings = fast_settings("http://127.0.0.1:9", symbols_source=str(tmp_path / "nope"))
    with pytest.raises(SymbolListError):
        SymbolSource().load(settings)


@pytest.fixture
def s3() -> Iterator[S3Client]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="lists")
        yield client


class CountingS3:
    """Wraps a client to count object reads."""

    def __init__(self, client: S3Client) -> None:
        self.client = client
        self.gets = 0

    def head_object(self, **kwargs: str) -> object:
        return self.client.head_object(**kwargs)  # type: ignore[arg-type]

    def get_object(self, **kwargs: str) -> object:
        self.gets += 1
        return self.client.get_object(**kwargs)  # type: ignore[arg-type]


def test_s3_list_is_cached_until_its_etag_changes(s3: S3Client) -> None:
    # GIVEN a list in S3 and one SymbolSource kept across (warm) invocations
    s3.put_object(Bucket="lists", Key="symbols.txt", Body=b"aapl,msft\n")
    settings = fast_settings("http://127.0.0.1:9", symbols_source="s3://lists/symbols.txt")
    source, counting = SymbolSource(), CountingS3(s3)
    # WHEN it is loaded twice, THEN the object is read once
    first = source.load(settings, counting)  # type: ignore[arg-type]
    second = source.load(settings, counting)  # type: ignore[arg-type]
    assert first.symbols == second.symbols == ("AAPL", "MSFT")
    assert counting.gets == 1
    # WHEN the object changes, THEN the new list is read
    s3.put_object(Bucket="lists", Key="symbols.txt", Body=b"vod.l\n")
    assert source.load(settings, counting).symbols == ("VOD.L",)  # type: ignore[arg-type]
    assert counting.gets == 2


def test_missing_s3_object_is_a_symbol_list_error(s3: S3Client) -> None:
    settings = fast_settings("http://127.0.0.1:9", symbols_source="s3://lists/none.txt")
    with pytest.raises(SymbolListError):
        SymbolSource().load(settings, s3)
