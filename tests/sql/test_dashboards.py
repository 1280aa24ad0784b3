"""Golden results of every query of sql/dashboards over the golden lake, worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from infra.local.athena.engine import LocalAthena, QueryResult
from infra.sqlfiles.catalog import SQL_DIR, SqlFile, load_section
from tests.sql.golden_lake import bronze_key, quote, write_golden_lake, write_object, write_stats


def ts(text: str) -> datetime:
    """A naive UTC timestamp, as the queries return them."""
    return datetime.fromisoformat(text)


def run(athena: LocalAthena, name: str, *params: str) -> QueryResult:
    """Run one dashboard file with Athena-style execution parameters."""
    path = SQL_DIR / "dashboards" / f"{name}.sql"
    return athena.query_file(SqlFile(path, path.read_text(encoding="utf-8")), params)


def columns(result: QueryResult, names: Sequence[str]) -> list[tuple[object, ...]]:
    """Only the named columns of every row."""
    index = [result.columns.index(n) for n in names]
    return [tuple(row[i] for i in index) for row in result.rows]


def test_latest_prices(athena: LocalAthena) -> None:
    result = run(athena, "latest_prices", "'2026-11-26'")
    assert columns(result, ["symbol", "trade_time", "price", "price_usd"]) == [
        ("AAPL", ts("2026-11-26 00:06:00"), 103.0, 103.0),
        ("SHOP.TO", ts("2026-11-26 14:33:00"), 141.4, 101.0),
        ("TMUS", ts("2026-11-26 14:36:00"), 251.0, None),
        ("VOD.L", ts("2026-11-26 09:00:00"), 0.72, 0.9),
    ]


def test_latest_prices_reads_only_days_from_the_first_dt(athena: LocalAthena) -> None:
    assert run(athena, "latest_prices", "'2026-11-27'").rows == []


def test_intraday_ohlc(athena: LocalAthena) -> None:
    result = run(athena, "intraday_ohlc", "'AAPL'", "'2026-11-26'")
    assert result.rows == [
        (ts("2026-11-26 00:00:00"), 102.0, 102.0, 98.5, 98.5, 2),
        (ts("2026-11-26 00:05:00"), 103.0, 103.0, 103.0, 103.0, 1),
    ]


def test_top_movers(athena: LocalAthena) -> None:
    result = run(athena, "top_movers", "'2026-11-26'")
    assert columns(result, ["symbol", "change_pct", "first_usd", "last_usd", "samples"]) == [
        ("SHOP.TO", 3.0, 100.0, 101.0, 2),
        ("AAPL", -1.25, 102.0, 103.0, 3),
        ("VOD.L", 0.1, 0.9, 0.9, 1),
        ("TMUS", None, 250.25, 250.25, 2),
    ]
    moves = {row[0]: row[1] for row in columns(result, ["symbol", "day_change_pct"])}
    assert moves["AAPL"] == pytest.approx(100 / 102)
    assert moves["SHOP.TO"] == pytest.approx(1.0)
    assert moves["TMUS"] == 0.0


def test_daily_30d(athena: LocalAthena) -> None:
    result = run(athena, "daily_30d", "'2026-10-28'", "'2026-11-26'")
    assert columns(result, ["symbol", "dt", "open", "close", "samples"]) == [
        ("AAPL", "2026-11-25", 100.0, 101.0, 2),
        ("AAPL", "2026-11-26", 102.0, 103.0, 3),
        ("SHOP.TO", "2026-11-26", 100.0, 101.0, 2),
        ("TMUS", "2026-11-26", 250.25, 250.25, 1),
        ("VOD.L", "2026-11-26", 0.9, 0.9, 1),
    ]
    assert len(run(athena, "daily_30d", "'2026-11-26'", "'2026-11-26'").rows) == 4


def test_freshness(athena: LocalAthena) -> None:
    result = run(athena, "freshness", "TIMESTAMP '2026-11-26 15:00:00'", "'2026-11-25'")
    assert columns(result, ["symbol", "quote_age_seconds", "fetch_age_seconds"]) == [
        ("AAPL", 14 * 3600 + 54 * 60, 14 * 3600 + 54 * 60 - 2),
        ("VOD.L", 6 * 3600, 29 * 60 + 59),
        ("SHOP.TO", 27 * 60, 26 * 60 + 59),
        ("TMUS", 24 * 60, 23 * 60 + 58),
    ]


def test_pipeline_health(athena: LocalAthena) -> None:
    result = run(athena, "pipeline_health", "'2026-11-25'", "'2026-11-26'")
    assert result.columns == ("arrival_hour", "silver_rows", "rejected_rows", "bronze_objects")
    assert result.rows == [
        (ts("2026-11-25 23:00:00"), 2, 0, 1),
        (ts("2026-11-26 00:00:00"), 5, 0, 2),
        (ts("2026-11-26 14:00:00"), 5, 2, 1),
    ]


def test_pipeline_health_restricts_dt(athena: LocalAthena) -> None:
    result = run(athena, "pipeline_health", "'2026-11-26'", "'2026-11-26'")
    assert [row[0] for row in result.rows] == [ts("2026-11-26 00:00:00"), ts("2026-11-26 14:00:00")]


def test_coverage_worst(athena: LocalAthena) -> None:
    # Every golden quote is NMS: the week to 2026-11-26 (Thanksgiving) holds one session
    # day of AAPL (11-25), whose quotes all came after the close. The rest of the
    # symbols start on the holiday. tests/sql/test_coverage.py has the full case.
    result = run(athena, "coverage_worst", "'2026-11-20'", "'2026-11-26'")
    assert result.columns == (
        *("symbol", "exchange", "session_days", "missed_days"),
        *("expected_minutes", "covered_minutes", "coverage"),
    )
    assert result.rows == [("AAPL", "NMS", 1, 1, 390, 0, 0.0)]


def test_every_dashboard_has_a_golden_test() -> None:
    tested = {"latest_prices", "intraday_ohlc", "top_movers", "daily_30d", "freshness"}
    tested |= {"pipeline_health", "coverage_worst"}
    assert {f.path.stem for f in load_section("dashboards")} == tested


def test_pipeline_health_counts_what_arrived_by_arrival_date(tmp_path: Path) -> None:
    # GIVEN the golden lake plus a bronze object that arrived on 11-27 with a quote
    # traded on 11-26, and one that arrived the same hour holding only blank lines
    lake = write_golden_lake(tmp_path / "lake")
    late = bronze_key("2026-11-27", "00:00:30", 5)
    row = quote("AAPL", "2026-11-26T23:59:00Z", "104.0", "104.0", fetched="2026-11-27T00:00:01Z",
                key=late)  # fmt: skip
    write_object(lake, "2026-11-26", "late.csv", [row])
    write_stats(lake, late, 1, 0, duplicates=1)
    write_stats(lake, bronze_key("2026-11-27", "00:20:00", 6), 0, 0)
    with LocalAthena(lake) as engine:
        # THEN the silver row counts in the hour it arrived, both objects with it
        assert run(engine, "pipeline_health", "'2026-11-27'", "'2026-11-27'").rows == [
            (ts("2026-11-27 00:00:00"), 1, 0, 2),
        ]
        # AND the days before are as they were
        assert run(engine, "pipeline_health", "'2026-11-26'", "'2026-11-26'").rows == [
            (ts("2026-11-26 00:00:00"), 5, 0, 2),
            (ts("2026-11-26 14:00:00"), 5, 2, 1),
        ]
