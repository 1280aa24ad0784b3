"""The local reader follows OpenCSVSerde (opencsv 2.3) exactly, hostile text included."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from infra.local.athena.engine import LocalAthena
from infra.local.athena.opencsv import (
    parse_line,
    parse_line_slowly,
    parse_record,
    read_object,
    split_lines,
)
from processor.silver import CONTROL_CHARS, format_line
from tests.processor.opencsv import read_row
from tests.sql.golden_lake import COLUMNS, csv_line, quote, write_object


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ('"a","b"', ["a", "b"]),
        ('"a""b"', ['a"b']),  # doubled quote inside quotes
        ('"a\\"b"', ['a"b']),  # backslash-escaped quote
        ('"a\\\\b"', ["a\\b"]),  # backslash-escaped backslash
        ('"C:\\x"', ["C:x"]),  # any other backslash is dropped
        ('"T-Mobile US, Inc."', ["T-Mobile US, Inc."]),
        ('"",""', ["", ""]),
        ("a,b,,c", ["a", "b", "", "c"]),
        ('a,bc"d"ef,g', ["a", 'bc"d"ef', "g"]),  # opencsv's embedded-quote case
        ('"a","b', ["a"]),  # unclosed quote: that field and the rest are lost
        ('"🚀","ü"', ["🚀", "ü"]),
    ],
)
def test_parse_line(line: str, fields: list[str]) -> None:
    assert parse_line(line) == fields


def test_record_pads_missing_columns_with_null_and_drops_extra() -> None:
    assert parse_record('"a","b', 3) == ["a", None, None]
    assert parse_record('"a","b","c","d"', 2) == ["a", "b"]
    assert parse_record("", 2) == [None, None]  # a blank line is an all-NULL row


def test_lines_split_at_lf_cr_and_crlf() -> None:
    assert split_lines("a\r\nb\rc\nd\n") == ["a", "b", "c", "d"]
    assert split_lines("a\n\nb") == ["a", "", "b"]
    assert split_lines("a\u2028b\x0bc") == ["a\u2028b\x0bc"]  # no other line breaks


def test_header_is_skipped_in_every_object() -> None:
    data = b'"h1","h2"\n"1","2"\r\n\n'
    assert read_object(data, 1, 2) == [["1", "2"], [None, None]]


# Text the silver writer may emit: anything but line breaks and control characters.
silver_text = st.text(st.characters(blacklist_characters=sorted(CONTROL_CHARS)), max_size=40)


@given(st.lists(silver_text, min_size=1, max_size=6))
def test_silver_writer_lines_read_back_unchanged(fields: list[str]) -> None:
    line = format_line(fields)
    assert split_lines(line) == [line.removesuffix("\n")]
    assert parse_line(line.removesuffix("\n")) == fields


@given(st.text('",\\ a🚀', max_size=30))
def test_fast_path_agrees_with_opencsvs_state_machine(line: str) -> None:
    assert parse_line(line) == parse_line_slowly(line)


@given(st.lists(silver_text, min_size=1, max_size=6))
def test_fast_path_agrees_on_writer_lines(fields: list[str]) -> None:
    line = format_line(fields).removesuffix("\n")
    assert parse_line_slowly(line) == fields


@given(silver_text)
def test_golden_writer_lines_read_back_unchanged(text: str) -> None:
    assert parse_line(csv_line([text, text]).rstrip("\n")) == [text, text]


HOSTILE = [
    "T-Mobile US, Inc.",
    'He said "hi", then \\ left',
    'C:\\temp\\new "dir"',
    '\\"',
    '""',
    "\\",
    "Société Générale — 株式会社 🚀",
    " padded ",
]


def test_hostile_names_round_trip_through_the_local_table(tmp_path: Path) -> None:
    rows = [
        quote(
            f"S{i}",
            "2026-11-26T14:30:00Z",
            "1.0",
            "1.0",
            fetched="2026-11-26T14:30:01Z",
            key="k",
            name=name,
        )
        for i, name in enumerate(HOSTILE)
    ]
    lines = [format_line(COLUMNS), *(format_line(r) for r in rows)]
    path = tmp_path / "silver" / "quotes" / "dt=2026-11-26" / "x.csv"
    path.parent.mkdir(parents=True)
    path.write_text("".join(lines), encoding="utf-8")
    with LocalAthena(tmp_path) as athena:
        result = athena.query("SELECT symbol, name FROM silver_quotes ORDER BY symbol")
    assert [name for _, name in sorted(result.rows, key=lambda r: int(r[0][1:]))] == HOSTILE


def test_files_athena_reads_differently_are_read_as_athena_does(tmp_path: Path) -> None:
    text = (
        '"symbol","name"\n'
        '"A","x""y"\n'  # "" is a quote
        '"B","C:\\temp"\n'  # \t is not an escape: the backslash is dropped
        '"C","open\n'  # unclosed quote: name is NULL
        "\n"  # blank line: all NULL
    )
    path = tmp_path / "silver" / "quotes" / "dt=2026-11-26" / "odd.csv"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with LocalAthena(tmp_path) as athena:
        result = athena.query("SELECT symbol, name, price FROM silver_quotes")
    expected = [("A", 'x"y', None), ("B", "C:temp", None), ("C", None, None)]
    assert result.rows == [*expected, (None, None, None)]


def test_partition_folders_athena_would_not_project_are_ignored(tmp_path: Path) -> None:
    row = quote("A", "2026-11-26T14:30:00Z", "1", "1", fetched="2026-11-26T14:30:00Z", key="k")
    for dt in ("2026-11-26", "2023-12-31", "2999-01-01", "2026-1-5", "latest"):
        write_object(tmp_path, dt, "x.csv", [row])
    write_object(tmp_path, "2026-11-26", "_SUCCESS", [row])
    write_object(tmp_path, "2026-11-26", ".hidden.csv", [row])
    with LocalAthena(tmp_path) as athena:
        assert athena.query("SELECT dt FROM silver_quotes").rows == [("2026-11-26",)]


@example('"🚀"\\', 1)  # Java counts the rocket as two chars: the closing quote is "embedded"
@settings(max_examples=500)
@given(st.text('",\\ \ta🚀', max_size=40), st.integers(min_value=1, max_value=6))
def test_the_two_independent_ports_of_opencsv_agree(line: str, width: int) -> None:
    """The local table's reader and the processor tests' oracle were written apart; they agree."""
    assert parse_record(line, width) == read_row(line, width)
