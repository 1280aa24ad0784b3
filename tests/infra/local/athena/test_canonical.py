"""DuckDB's fast path for canonical objects gives exactly the exact parser's rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.local.athena.canonical import canonical_fields
from infra.local.athena.opencsv import read_object
from infra.local.athena.parsed import ParsedCache
from infra.local.athena.staging import LakeObject
from processor.silver import CONTROL_CHARS, format_line, header_line

COLUMNS = ("symbol", "name", "source")
HEADER = header_line(COLUMNS).encode()
HOSTILE = [
    "T-Mobile US, Inc.", 'The "Best" Co', "C:\\x\\", "\\", '"', '\\"', '""', "",
    'a,"b",c', "ends with backslash\\", "Société Générale 株式会社", "emoji 📈, tab",
]  # fmt: skip


def _canonical(rows: list[list[str]]) -> bytes:
    return HEADER + "".join(format_line(row) for row in rows).encode()


def _cached_rows(tmp_path: Path, data: bytes) -> list[tuple[str | None, ...]]:
    """The rows the engine caches for one object, whichever path reads it."""
    path = tmp_path / "silver" / "quotes" / "dt=2026-11-30" / "x.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    cache = ParsedCache("silver_quotes", COLUMNS, "dt", 1, tmp_path)
    conn = duckdb.connect()
    files = cache.sync(conn, [LakeObject.of("2026-11-30", path)])
    names = ", ".join(COLUMNS)
    rows = conn.execute(
        f"SELECT {names} FROM read_parquet('{files[0]}', hive_partitioning = false)"
    ).fetchall()
    return [tuple(row) for row in rows]


def test_the_silver_writers_hostile_names_take_the_fast_path(tmp_path: Path) -> None:
    # GIVEN an object the processor's writer made from hostile names
    data = _canonical([["A", name, "quote"] for name in HOSTILE])
    # THEN it is canonical, and DuckDB reads the same cells as the exact parser
    assert canonical_fields(data, 1) == len(COLUMNS)
    assert _cached_rows(tmp_path, data) == [tuple(r) for r in read_object(data, 1, 3)]


@pytest.mark.parametrize(
    "body",
    [
        b'"A","x",\n',  # unquoted empty field: opencsv reads "", DuckDB NULL
        b'"A","a""b","q"\n',  # doubled quote: opencsv's "", not the writer's \\"
        b'"A","C:\\x","q"\n',  # a backslash opencsv drops
        b'"A","x","q"\n\n"B","y","q"\n',  # a blank line is an all-NULL row
        b'"A","x","q"\r"B","y","q"\n',  # a bare CR ends a line for Hadoop
        b'"A","x","q"\r\n',  # CRLF
        b' "A","x","q"\n',  # leading white space
        b'"A","x"\n"B","y","q"\n',  # rows of different widths
        b'"A","\xff","q"\n',  # not UTF-8: Athena shows U+FFFD
        b'"A","x","q"',  # no final line break
        b'"A","x","q","extra"\n',  # more fields than columns: ignored by both
        b'"A","x"\n',  # fewer: the rest NULL in both
    ],
)
def test_any_other_object_reads_as_opencsv_does(tmp_path: Path, body: bytes) -> None:
    data = HEADER + body
    expected = [tuple(r) for r in read_object(data, 1, 3)]
    assert _cached_rows(tmp_path, data) == expected


def test_an_odd_header_sends_the_object_to_the_exact_parser() -> None:
    assert canonical_fields(b'symbol,"name\n"A","x","q"\n', 1) == 0
    assert canonical_fields(b'"A","x","q"\n', 0) == 3


_TEXT = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters=sorted(CONTROL_CHARS)),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_TEXT, min_size=3, max_size=3), min_size=1, max_size=6))
def test_any_writer_output_reads_the_same_both_ways(tmp_path: Path, rows: list[list[str]]) -> None:
    data = _canonical(rows)
    assert canonical_fields(data, 1) == 3
    assert _cached_rows(tmp_path, data) == [tuple(r) for r in read_object(data, 1, 3)]
