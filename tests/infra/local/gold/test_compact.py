"""Compaction on a real lake: same answers before and after, idempotent, late silver, pruning.

The golden lake (tests/sql/golden_lake.py) has duplicates across objects, an exact copy,
a hostile name and two days; a bar_1m row that a live quote must beat is added here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from infra.local.athena.engine import LocalAthena
from infra.local.gold import compact_lake
from infra.sqlfiles.catalog import load_section
from tests.sql.golden_lake import HOSTILE_NAME, bronze_key, csv_line, quote, write_golden_lake

DAY1, DAY2 = "2026-11-25", "2026-11-26"
SOURCE_KEY = bronze_key(DAY2, "15:00:00", 9)
VIEWS = ("quotes", "latest_quotes", "ohlc_5m", "daily_summary")
DASHBOARDS = {
    "latest_prices": [f"'{DAY1}'"],
    "intraday_ohlc": ["'AAPL'", f"'{DAY2}'"],
    "top_movers": [f"'{DAY2}'"],
    "daily_30d": [f"'{DAY1}'", f"'{DAY2}'"],
    "freshness": ["TIMESTAMP '2026-11-27 00:00:00'", f"'{DAY1}'"],
    "pipeline_health": [f"'{DAY1}'", f"'{DAY2}'"],
    "coverage_worst": [f"'{DAY1}'", f"'{DAY2}'"],
}


def write_v2_object(lake: Path, dt: str, name: str, rows: list[list[str]]) -> Path:
    """A 15-column silver object (with source), as the processor writes today."""
    header = [*("symbol", "name", "exchange", "currency", "price", "price_usd", "price_cad"),
              *("fx_usd_cad", "change_pct", "volume", "market_state", "trade_time"),
              "fetched_at", "source_key", "source"]  # fmt: skip
    path = lake / "silver" / "quotes" / f"dt={dt}" / name
    path.write_text("".join(csv_line(r) for r in [header, *rows]), encoding="utf-8")
    return path


def bar_row(trade_time: str, price: str) -> list[str]:
    """A row rebuilt from a 1m bar, fetched later than the live quote of the same minute."""
    row = quote("AAPL", trade_time, price, price, fetched="2026-11-26T23:00:00Z", key=SOURCE_KEY)
    return [*row, "bar_1m"]


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    """GIVEN the golden lake plus a bar_1m copy of a live AAPL quote (the quote must win)."""
    lake = write_golden_lake(tmp_path / "lake")
    write_v2_object(lake, DAY2, "bars.csv", [bar_row("2026-11-26T00:03:00Z", "999.0")])
    return lake


def answers(lake: Path) -> dict[str, Any]:
    """Every view and dashboard, rows sorted (views have no order of their own)."""
    with LocalAthena(lake) as athena:
        found: dict[str, Any] = {
            view: sorted(athena.query(f"SELECT * FROM {view}").rows, key=repr) for view in VIEWS
        }
        for file in load_section("dashboards"):
            found[file.path.stem] = athena.query_file(file, DASHBOARDS[file.path.stem]).rows
    return found


def test_same_answers_before_and_after_compaction(lake: Path) -> None:
    before = answers(lake)
    report = compact_lake(lake, end=DAY2)
    assert [d.dt for d in report.written] == [DAY1, DAY2]
    after = answers(lake)
    assert after == before
    with LocalAthena(lake) as athena:
        assert athena.watermark == "2026-11-27"  # everything from gold
        names = athena.query("SELECT name FROM gold_quotes WHERE symbol = 'TMUS'").rows
        bar = athena.query("SELECT count(*) FROM gold_quotes WHERE source = 'bar_1m'").rows
    assert (HOSTILE_NAME,) in names
    assert bar == [(0,)]  # the live quote beat the later bar row of the same minute


def test_gold_is_typed_sorted_zstd_and_one_row_per_symbol_and_time(lake: Path) -> None:
    compact_lake(lake, end=DAY2)
    file = lake / "gold" / "quotes" / f"dt={DAY2}" / "part-00000.parquet"
    conn = duckdb.connect()
    types = dict(
        conn.execute(f"DESCRIBE SELECT * FROM '{file}'").fetchall()[i][:2] for i in range(15)
    )
    assert types["price_usd"] == "DOUBLE" and types["volume"] == "BIGINT"
    assert types["trade_time"] == "TIMESTAMP" and types["source"] == "VARCHAR"
    assert "dt" not in types  # the partition lives in the folder name, as Athena expects
    rows = conn.execute(f"SELECT symbol, trade_time FROM '{file}'").fetchall()
    assert rows == sorted(rows) and len(rows) == len(set(rows))
    codecs = conn.execute(f"SELECT DISTINCT compression FROM parquet_metadata('{file}')").fetchall()
    assert codecs == [("ZSTD",)]


def test_a_second_run_changes_nothing(lake: Path) -> None:
    compact_lake(lake, end=DAY2)
    gold = sorted((lake / "gold").rglob("*"))
    stamps = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in gold if p.is_file()}
    again = compact_lake(lake, end=DAY2)
    assert again.written == [] and again.current == [DAY1, DAY2]
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in stamps} == stamps


def test_late_silver_shows_at_once_and_one_run_rewrites_the_day(lake: Path) -> None:
    compact_lake(lake, end=DAY2)
    # WHEN a late object arrives for a compacted day, duplicating one row and adding one
    late = [
        quote("AAPL", "2026-11-25T23:58:00Z", "100.0", "100.0",
              fetched="2026-11-25T23:58:02Z", key=SOURCE_KEY),
        quote("MSFT", "2026-11-25T20:00:00Z", "400.0", "400.0",
              fetched="2026-11-25T20:00:01Z", key=SOURCE_KEY),
    ]  # fmt: skip
    write_v2_object(lake, DAY1, "late.csv", [[*r, "quote"] for r in late])
    expected = answers(lake)
    # THEN the engine reads that day (and later ones) from silver until compaction runs
    with LocalAthena(lake) as athena:
        assert athena.watermark == DAY1
    assert ("MSFT", DAY1) in [(r[0], r[1]) for r in expected["daily_summary"]]
    report = compact_lake(lake, end=DAY2)
    assert [d.dt for d in report.written] == [DAY1]
    assert answers(lake) == expected
    with LocalAthena(lake) as athena:
        assert athena.watermark == "2026-11-27"


COUNT = "SELECT count(*) FROM quotes WHERE dt = ?"


def test_pruning_reads_the_days_asked_from_one_layer(lake: Path) -> None:
    # GIVEN DAY1 compacted and DAY2 still in silver
    compact_lake(lake, end=DAY1)
    with LocalAthena(lake) as athena:
        assert athena.watermark == DAY2
        day1 = athena.explain(COUNT, [f"'{DAY1}'"])
        day2 = athena.explain(COUNT, [f"'{DAY2}'"])
    # THEN DAY1 is one Parquet scan without de-duplication (gold), DAY2 only silver's
    assert day1.count("READ_PARQUET") == 1 and "Window" not in day1
    assert day2.count("READ_PARQUET") == 1 and "row_number()" in day2
    # AND with both days in gold, a dt filter opens one of the two files while planning
    compact_lake(lake, end=DAY2)
    with LocalAthena(lake) as athena:
        both = athena.explain(COUNT, [f"'{DAY2}'"])
    assert "Scanning Files: 1/2" in both and "Window" not in both


def test_each_silver_object_is_parsed_once(lake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.local.athena import canonical

    # Every object not cached is checked for the canonical form once, then read by DuckDB
    # or by the exact parser: counting the checks counts the parses.
    parsed: list[int] = []
    real = canonical.canonical_fields

    def counting(data: bytes, skip: int) -> int:
        if data.startswith(b'"symbol"'):  # silver quotes (not sessions.csv, read every time)
            parsed.append(len(data))
        return real(data, skip)

    monkeypatch.setattr("infra.local.athena.parsed.canonical_fields", counting)
    for _ in range(2):
        with LocalAthena(lake) as athena:
            athena.query("SELECT count(*) FROM silver_quotes")
    assert len(parsed) == len(list((lake / "silver" / "quotes").rglob("*.csv")))
    # AND once every day is compacted, the views parse no silver, even with a cold cache
    compact_lake(lake, end=DAY2)
    parsed.clear()
    (lake / ".cache" / "tables").rename(lake / ".cache" / "old")
    with LocalAthena(lake) as athena:
        for view in (*VIEWS, "coverage"):
            athena.query(f"SELECT count(*) FROM {view}")
    assert parsed == []
