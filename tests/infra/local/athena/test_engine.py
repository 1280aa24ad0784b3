"""The local Athena engine: empty lakes, parameters, refusals, faithful answers, output."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from infra.local.athena.engine import LocalAthena, QueryResult, format_result, run_query_command
from infra.sqlfiles.catalog import SqlFile
from infra.sqlfiles.errors import ParameterError, SqlError, UnsupportedSqlError
from tests.sql.golden_lake import write_golden_lake


@pytest.fixture
def empty(tmp_path: Path) -> LocalAthena:
    """GIVEN a lake folder with nothing in it (it does not even exist)."""
    return LocalAthena(tmp_path / "no-lake")


def test_empty_lake_gives_empty_typed_objects(empty: LocalAthena) -> None:
    typed = (
        "SELECT typeof(price), typeof(volume), typeof(trade_time), typeof(dt) "
        "FROM (SELECT price, volume, trade_time, dt FROM quotes UNION ALL "
        "SELECT NULL, NULL, NULL, NULL)"
    )
    with empty as athena:
        assert athena.query("SELECT * FROM latest_quotes").rows == []
        assert athena.query("SELECT count(*) FROM silver_quotes").rows == [(0,)]
        assert athena.query(typed).rows == [("DOUBLE", "BIGINT", "TIMESTAMP", "VARCHAR")]


@pytest.mark.parametrize(
    ("sql", "construct"),
    [
        ("MSCK REPAIR TABLE silver_quotes", "MSCK REPAIR"),
        ("CREATE EXTERNAL TABLE t (a STRING) LOCATION 's3://b/'", "CREATE EXTERNAL TABLE"),
        ("DROP TABLE silver_quotes", "DROP TABLE"),
        ("INSERT INTO quotes SELECT * FROM quotes", "INSERT"),
        ("SELECT format('%s', symbol) FROM quotes", "FORMAT()"),
        ("SELECT format_datetime(trade_time, 'yyyy') FROM quotes", "FORMAT_DATETIME()"),
    ],
)
def test_statements_that_cannot_run_locally_are_refused_by_name(
    empty: LocalAthena, sql: str, construct: str
) -> None:
    with empty as athena, pytest.raises(UnsupportedSqlError) as raised:
        athena.query(sql)
    assert construct in str(raised.value)
    assert sql in str(raised.value)


def test_errors_name_the_original_statement(empty: LocalAthena) -> None:
    with empty as athena, pytest.raises(SqlError) as raised:
        athena.query("SELECT no_such_column FROM quotes")
    assert "no_such_column" in raised.value.message
    assert "SELECT no_such_column FROM quotes" in str(raised.value)


def test_dashboard_errors_name_the_file(empty: LocalAthena, tmp_path: Path) -> None:
    file = SqlFile(tmp_path / "dashboards" / "bad.sql", "SELECT nope FROM quotes")
    with empty as athena, pytest.raises(SqlError) as raised:
        athena.query_file(file)
    assert "bad.sql" in str(raised.value)


def test_broken_view_file_is_reported_with_its_path(tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    (sql_dir / "views").mkdir(parents=True)
    (sql_dir / "views" / "010_bad.sql").write_text("CREATE VIEW v AS SELECT x FROM nowhere")
    with pytest.raises(SqlError) as raised, LocalAthena(tmp_path, sql_dir=sql_dir):
        pass
    assert "010_bad.sql" in str(raised.value)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([], "1 '?' parameter(s) but 0"),
        (["'a'", "'b'"], "1 '?' parameter(s) but 2"),
        (["symbol"], "not a SQL literal"),
        (["1; DROP TABLE x"], "holds ';'"),
    ],
)
def test_parameters_must_fit(empty: LocalAthena, params: list[str], message: str) -> None:
    with empty as athena, pytest.raises(ParameterError, match="parameter"):
        athena.query("SELECT * FROM quotes WHERE symbol = ?", params)
    with empty as athena, pytest.raises(ParameterError) as raised:
        athena.query("SELECT * FROM quotes WHERE symbol = ?", params)
    assert message in str(raised.value)


def test_parameters_are_literals_in_order(empty: LocalAthena) -> None:
    sql = "SELECT ?, '?', ? -- ?"
    with empty as athena:
        result = athena.query(sql, ["'it''s'", "DATE '2026-11-26'"])
    assert result.rows == [("it's", "?", datetime(2026, 11, 26).date())]


@pytest.mark.parametrize(
    ("sql", "athena_answer"),
    [
        ("SELECT 7 / 2, -7 / 2", (3, -3)),  # integer division truncates
        ("SELECT 7.0 / 2", (3.5,)),
        # Whole units elapsed, not boundaries crossed.
        (
            "SELECT date_diff('hour', TIMESTAMP '2026-01-01 10:59:00', "
            "TIMESTAMP '2026-01-01 11:01:00')",
            (0,),
        ),
        ("SELECT max_by(x, y) FROM (VALUES (NULL, 2), (1, 1)) AS t(x, y)", (None,)),
        ("SELECT min_by(x, y) FROM (VALUES (5, 2), (NULL, 1)) AS t(x, y)", (None,)),
        ("SELECT regexp_extract('abc', 'x(y)', 1), regexp_extract('abc', 'b')", (None, "b")),
        ("SELECT concat('a', NULL), greatest(1, NULL)", (None, None)),
        ("SELECT x FROM (VALUES 1, NULL, 2) AS t(x) ORDER BY x DESC LIMIT 1 OFFSET 2", (None,)),
        ("SELECT hour(TIMESTAMP '2026-11-26 23:30:00'), day_of_week(DATE '2026-11-29')", (23, 7)),
        # A sequence of dates is of dates, a day apart unless told otherwise.
        (
            "SELECT sequence(DATE '2026-11-27', DATE '2026-11-29'), "
            "sequence(CAST('2026-11-27' AS DATE), DATE '2026-12-01', INTERVAL '2' DAY)",
            (
                [date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29)],
                [date(2026, 11, 27), date(2026, 11, 29), date(2026, 12, 1)],
            ),
        ),
        (
            "SELECT CAST(d AS VARCHAR) FROM UNNEST(sequence(DATE '2026-11-29', "
            "DATE '2026-11-29', INTERVAL '1' DAY)) AS t (d)",
            ("2026-11-29",),
        ),
        ("SELECT sequence(1, 3), sequence(5, 1, -2)", ([1, 2, 3], [5, 3, 1])),
        # Rewrites reach the arguments of a rewritten call: max_by keeps its NULL.
        (
            "SELECT date_diff('day', DATE '2026-11-20', max_by(d, k)) "
            "FROM (VALUES (NULL, 2), (DATE '2026-11-27', 1)) AS t (d, k)",
            (None,),
        ),
    ],
)
def test_answers_match_athena(empty: LocalAthena, sql: str, athena_answer: tuple[object]) -> None:
    with empty as athena:
        assert athena.query(sql).rows == [athena_answer]


def test_runs_in_utc(empty: LocalAthena) -> None:
    with empty as athena:
        assert athena.query("SELECT current_setting('TimeZone')").rows == [("UTC",)]


RESULT = QueryResult(("symbol", "price", "at"), [("A,B", 1.5, datetime(2026, 11, 26, 14, 30, 5)),
                                                  ("C", None, None)])  # fmt: skip


def test_format_table_aligns_columns() -> None:
    lines = format_result(RESULT, "table").splitlines()
    assert lines[0] == "symbol | price | at"
    assert lines[2] == "A,B    |   1.5 | 2026-11-26 14:30:05.000"
    assert lines[3] == "C      |  NULL | NULL"
    assert lines[-1] == "(2 rows)"
    assert len({line.index("|") for line in lines[:4] if "|" in line}) == 1


def test_format_csv_and_json() -> None:
    assert format_result(RESULT, "csv").splitlines() == [
        "symbol,price,at",
        '"A,B",1.5,2026-11-26 14:30:05.000',
        "C,,",
    ]
    assert json.loads(format_result(RESULT, "json")) == [
        {"symbol": "A,B", "price": 1.5, "at": "2026-11-26 14:30:05.000"},
        {"symbol": "C", "price": None, "at": None},
    ]


def test_query_command_prints_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake = write_golden_lake(tmp_path)
    code = run_query_command(lake, "SELECT symbol FROM latest_quotes ORDER BY symbol", "csv")
    assert code == 0
    assert capsys.readouterr().out.split() == ["symbol", "AAPL", "SHOP.TO", "TMUS", "VOD.L"]


def test_query_command_reports_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_query_command(tmp_path, "MSCK REPAIR TABLE silver_quotes", "table") == 1
    err = capsys.readouterr().err
    assert "MSCK REPAIR" in err
    assert "cannot run on the local engine" in err
