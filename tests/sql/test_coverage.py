"""The `coverage` view over a lake with known gaps, and the tables it reads.

GIVEN the coverage lake (tests/sql/coverage_lake.py), WHEN the local engine runs the
view, THEN past days match counts worked out by hand, and today's row (the view runs on
the real clock) matches the session table's minutes up to now.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from infra.local.athena.engine import LocalAthena
from infra.sqlfiles.catalog import SQL_DIR, SqlFile
from producer.sessions import CALENDARS, TABLE_PATH, default_table
from tests.sql.coverage_lake import GAP_MINUTES, write_coverage_lake

COLUMNS = ("symbol", "dt", "exchange", "expected_minutes", "covered_minutes", "coverage")
EXCHANGES = {"FULL": "NMS", "GAPPY": "NYQ", "MISSED": "NMS", "EARLY": "NGM"}
EXCHANGES |= {"SHOP.TO": "TOR", "BTC-USD": "CCC"}
FIRST_DT = {"FULL": "2026-11-25", "GAPPY": "2026-11-25", "MISSED": "2026-11-24"}
FIRST_DT |= {"EARLY": "2026-11-27", "SHOP.TO": "2026-11-26", "BTC-USD": "2026-11-28"}


@pytest.fixture(scope="module")
def athena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAthena]:
    """GIVEN the coverage lake, opened by the local engine."""
    lake = write_coverage_lake(tmp_path_factory.mktemp("coverage-lake"))
    with LocalAthena(lake) as engine:
        yield engine


def day(athena: LocalAthena, symbol: str, dt: str) -> tuple[object, ...] | None:
    """The coverage row of one symbol and day (without symbol and dt), or None."""
    result = athena.query(
        "SELECT exchange, expected_minutes, covered_minutes, coverage FROM coverage "
        "WHERE symbol = ? AND dt = ?",
        [f"'{symbol}'", f"'{dt}'"],
    )
    assert len(result.rows) <= 1
    return result.rows[0] if result.rows else None


def test_columns_and_types(athena: LocalAthena) -> None:
    result = athena.query(
        "SELECT typeof(symbol), typeof(dt), typeof(exchange), typeof(expected_minutes), "
        "typeof(covered_minutes), typeof(coverage) FROM coverage LIMIT 1"
    )
    assert result.rows == [("VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "BIGINT", "DOUBLE")]
    assert athena.query("SELECT * FROM coverage LIMIT 1").columns == COLUMNS


def test_a_full_session_counts_each_minute_once(athena: LocalAthena) -> None:
    # 390 session minutes, one of them with two rows
    assert day(athena, "FULL", "2026-11-25") == ("NMS", 390, 390, 1.0)


def test_minutes_outside_the_session_do_not_count(athena: LocalAthena) -> None:
    # FULL also has rows at 03:00, 14:29, 21:00 and 21:30 on that day: still 390 of 390
    assert day(athena, "FULL", "2026-11-25") == ("NMS", 390, 390, 1.0)
    assert day(athena, "EARLY", "2026-11-27") == ("NGM", 210, 210, 1.0)  # rows to 18:29


def test_a_gap_is_the_minutes_without_a_row(athena: LocalAthena) -> None:
    covered = 390 - GAP_MINUTES
    assert day(athena, "GAPPY", "2026-11-25") == ("NYQ", 390, covered, pytest.approx(covered / 390))


def test_a_day_missed_entirely_shows_zero(athena: LocalAthena) -> None:
    assert day(athena, "MISSED", "2026-11-24") == ("NMS", 390, 390, 1.0)
    assert day(athena, "MISSED", "2026-11-25") == ("NMS", 390, 0, 0.0)
    assert day(athena, "MISSED", "2026-11-27") == ("NMS", 210, 1, pytest.approx(1 / 210))


def test_early_close_and_holiday(athena: LocalAthena) -> None:
    assert day(athena, "MISSED", "2026-11-27") is not None
    assert day(athena, "MISSED", "2026-11-26") is None  # Thanksgiving: no US session
    assert day(athena, "SHOP.TO", "2026-11-26") == ("TOR", 390, 60, pytest.approx(60 / 390))
    assert day(athena, "SHOP.TO", "2026-11-27") == ("TOR", 390, 0, 0.0)  # no early close


def test_an_unknown_exchange_is_always_in_session(athena: LocalAthena) -> None:
    assert day(athena, "BTC-USD", "2026-11-28") == ("CCC", 1440, 11, pytest.approx(11 / 1440))
    assert day(athena, "BTC-USD", "2026-11-29") == ("CCC", 1440, 0, 0.0)  # a Sunday


def test_days_start_at_each_symbols_first_row(athena: LocalAthena) -> None:
    result = athena.query(
        "SELECT symbol, min(dt), count(DISTINCT exchange) FROM coverage GROUP BY 1"
    )
    assert {row[0]: row[1] for row in result.rows} == FIRST_DT
    assert {row[2] for row in result.rows} == {1}


def _expected_days(symbol: str, today: date) -> list[str]:
    """Session days from the symbol's first row to today, from the producer's table."""
    first = date.fromisoformat(FIRST_DT[symbol])
    if EXCHANGES[symbol] not in CALENDARS:
        return [(first + timedelta(days=n)).isoformat() for n in range((today - first).days + 1)]
    sessions = default_table().sessions(EXCHANGES[symbol], first, today)
    return [s.open.date().isoformat() for s in sessions]


def test_one_row_per_session_day_up_to_today(athena: LocalAthena) -> None:
    today = datetime.now(UTC).date()
    result = athena.query("SELECT symbol, dt FROM coverage ORDER BY symbol, dt")
    found: dict[str, list[str]] = {}
    for symbol, dt in result.rows:
        found.setdefault(symbol, []).append(dt)
    if datetime.now(UTC).date() != today:
        pytest.skip("the UTC day changed during the test")
    assert found == {symbol: _expected_days(symbol, today) for symbol in EXCHANGES}


def _minutes_so_far(exchange: str, now: datetime) -> int | None:
    """Today's expected minutes at ``now``: the session up to the current minute."""
    minute = now.replace(second=0, microsecond=0)
    if exchange not in CALENDARS:
        return (minute - minute.replace(hour=0, minute=0)).seconds // 60
    session = default_table().session(exchange, now.date())
    if session is None:
        return None
    return int((min(max(minute, session.open), session.close) - session.open).seconds // 60)


@pytest.mark.parametrize("symbol", sorted(EXCHANGES))
def test_todays_row_stops_at_the_current_minute(athena: LocalAthena, symbol: str) -> None:
    before = datetime.now(UTC)
    row = day(athena, symbol, before.date().isoformat())
    after = datetime.now(UTC)
    if before.date() != after.date():
        pytest.skip("the UTC day changed during the test")
    expected = {_minutes_so_far(EXCHANGES[symbol], t) for t in (before, after)}
    if row is None:
        assert expected == {None}  # no session today
        return
    exchange, expected_minutes, covered, coverage = row
    assert exchange == EXCHANGES[symbol]
    assert expected_minutes in expected
    assert covered == 0  # the lake holds no row for today
    assert coverage == (None if expected_minutes == 0 else 0.0)


def test_sessions_table_is_the_packaged_csv(athena: LocalAthena) -> None:
    with TABLE_PATH.open(encoding="utf-8", newline="") as table:
        expected = [tuple(row) for row in csv.reader(table)][1:]
    result = athena.query("SELECT calendar, dt, open_utc, close_utc FROM sessions ORDER BY 1, 2")
    assert result.rows == sorted(expected)
    assert ("XNYS", "2026-11-27", "14:30", "18:00") in result.rows


def test_exchange_calendars_is_the_producers_mapping(athena: LocalAthena) -> None:
    result = athena.query("SELECT exchange, calendar FROM exchange_calendars")
    assert dict(result.rows) == CALENDARS
    assert len(result.rows) == len(CALENDARS)


def test_dashboard_worst_symbols_first(athena: LocalAthena) -> None:
    path = SQL_DIR / "dashboards" / "coverage_worst.sql"
    file = SqlFile(path, path.read_text(encoding="utf-8"))
    result = athena.query_file(file, ["'2026-11-24'", "'2026-11-28'"])
    rows = [(*row[:6], round(row[6], 4)) for row in result.rows]
    assert rows == [
        ("BTC-USD", "CCC", 1, 0, 1440, 11, round(11 / 1440, 4)),
        ("SHOP.TO", "TOR", 2, 1, 780, 60, round(60 / 780, 4)),
        ("MISSED", "NMS", 3, 1, 990, 391, round(391 / 990, 4)),
        ("GAPPY", "NYQ", 2, 1, 600, 390 - GAP_MINUTES, round(373 / 600, 4)),
        ("FULL", "NMS", 2, 1, 600, 390, 0.65),
        ("EARLY", "NGM", 1, 0, 210, 210, 1.0),
    ]
    one_day = athena.query_file(file, ["'2026-11-25'", "'2026-11-25'"])
    assert [row[0] for row in one_day.rows] == ["MISSED", "GAPPY", "FULL"]
