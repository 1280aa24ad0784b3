"""The silver writer against OpenCSVSerde's rules (opencsv 2.3) and DuckDB's reader."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firehose.codec import encode_line
from processor.lines import LineSplitter
from processor.silver import (
    CONTROL_CHARS,
    SILVER_COLUMNS,
    SilverRow,
    clean_name,
    clean_text,
    format_line,
    header_line,
)
from processor.silver import parse_line as read_back
from processor.validate import Accepted, Validator, fmt_money
from tests.processor.helpers import quote
from tests.processor.opencsv import parse_line, read_table

HOSTILE = [
    "T-Mobile US, Inc.",
    'The "Best" Co',
    "C:\\x\\",
    "\\",
    '"',
    '\\"',
    '""',
    'a,"b",c',
    "ends with backslash\\",
    "Société Générale — ÅÄÖ 株式会社",
    "emoji 📈, tab\there",
    "",
]


def _row(name: str) -> SilverRow:
    return SilverRow(
        "A", name, "NMS", "USD", "1.0", "1.0", "1.4", "1.4", "", "", "x", "t", "f", "k", "quote"
    )


def test_header_is_the_contract_columns_quoted() -> None:
    assert header_line(SILVER_COLUMNS) == (
        '"symbol","name","exchange","currency","price","price_usd","price_cad",'
        '"fx_usd_cad","change_pct","volume","market_state","trade_time","fetched_at",'
        '"source_key","source"\n'
    )


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        (["a", "b"], '"a","b"\n'),
        (['say "hi"', "x"], '"say \\"hi\\"","x"\n'),
        (["C:\\x", ""], '"C:\\\\x",""\n'),
        (["\\", '"'], '"\\\\","\\""\n'),
    ],
)
def test_format_line_quotes_every_field_and_escapes_with_backslash(
    fields: list[str], line: str
) -> None:
    assert format_line(fields) == line


def test_format_line_never_doubles_quotes() -> None:
    line = format_line(['"', '""', 'a"b'])
    assert '""' not in line.replace('\\"', "").strip('"\n').replace('","', "")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_read_back_through_opencsv(name: str) -> None:
    line = format_line(_row(clean_name(name)))
    assert parse_line(line.rstrip("\n"))[1] == clean_name(name)


def test_clean_text_replaces_every_control_and_line_break() -> None:
    text = "".join(sorted(CONTROL_CHARS))
    assert clean_text(text) == " " * len(CONTROL_CHARS)
    assert clean_text("a\r\nb\x85c\u2028d") == "a  b c d"


def test_control_chars_are_unicode_category_cc_and_line_separators() -> None:
    import sys
    import unicodedata

    expected = {
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Cc" or chr(c) in "\u2028\u2029"
    }
    assert expected == CONTROL_CHARS


def test_clean_name_trims_and_collapses_whitespace_only() -> None:
    assert clean_name("  T-Mobile\t US,\r\n Inc.  ") == "T-Mobile US, Inc."
    assert clean_name('A\\B "C"') == 'A\\B "C"'


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_name_reads_back_through_opencsv_as_the_cleaned_name(name: str) -> None:
    # GIVEN a silver file with an arbitrary name WHEN Athena's parser reads it
    text = header_line(SILVER_COLUMNS) + format_line(_row(clean_name(name)))
    rows = read_table(text, len(SILVER_COLUMNS))
    # THEN there is exactly one row and the name is the cleaned name, unchanged
    assert len(rows) == 1
    assert rows[0] == list(_row(clean_name(name)))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(), st.text(), st.text())
def test_any_bronze_text_survives_the_whole_processor_path(
    name: str, exchange: str, state: str
) -> None:
    # GIVEN a bronze line with arbitrary text, as the producer encodes it
    bronze = encode_line(quote(name=name, exchange=exchange, market_state=state)).encode()
    fields = LineSplitter().split(bronze)
    assert isinstance(fields, list)
    # WHEN the processor validates and writes it
    result = Validator("quotes/dt=2026-11-26/k", max_future_skew_s=300).check(fields)
    assert isinstance(result, Accepted)
    rows = read_table(header_line(SILVER_COLUMNS) + format_line(result.row), 14)
    # THEN opencsv reads back the cleaned text
    assert rows[0][1] == clean_name(name)
    assert rows[0][2] == clean_text(exchange).strip()
    assert rows[0][10] == clean_text(state).strip()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(), min_size=1, max_size=20))
def test_duckdb_reads_the_same_names_back(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    path = tmp_path_factory.mktemp("silver") / "part.csv"
    rows = [_row(clean_name(n)) for n in names]
    path.write_text(header_line(SILVER_COLUMNS) + "".join(map(format_line, rows)), "utf-8")
    got = _duckdb_names(path)
    assert got == [row.name for row in rows]


def _duckdb_names(path: Path) -> list[str]:
    query = (
        "SELECT name FROM read_csv(?, quote = '\"', escape = '\\', all_varchar = true,"
        " header = true, delim = ',', allow_quoted_nulls = false)"
    )
    with duckdb.connect() as con:
        return [r[0] for r in con.execute(query, [str(path)]).fetchall()]


@pytest.mark.parametrize(
    "value", [1e-7, 6.25e-5, 1e-4, 0.5, 1.0, 231.17, 165.22 / 1.3987, 2.0**33, 1e17]
)
def test_fmt_money_is_repr_of_round_6(value: float) -> None:
    assert fmt_money(value) == repr(round(value, 6))


@given(st.floats(min_value=1e-9, max_value=1e18, allow_nan=False, allow_infinity=False))
def test_fmt_money_matches_repr_round_for_any_amount(value: float) -> None:
    assert fmt_money(value) == repr(round(value, 6))


@given(st.lists(st.text(), min_size=1))
def test_parse_line_reads_back_exactly_what_format_line_wrote(fields: list[str]) -> None:
    assert read_back(format_line(fields)) == fields
