"""Regular sessions by exchange code: daylight saving, holidays, early closes, unknown venues."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from infra.sessions_table import render
from producer.sessions import CALENDARS, TABLE_PATH, SessionGate, SessionTable, default_table


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def table() -> SessionTable:
    return default_table()


def test_the_checked_in_table_is_what_the_calendar_library_generates() -> None:
    # GIVEN exchange_calendars (dev only) WHEN the table is regenerated THEN nothing changed
    assert render() == TABLE_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("exchange", "day", "opens", "closes"),
    [
        ("NMS", "2026-03-06", "14:30", "21:00"),  # US winter time
        ("NYQ", "2026-03-09", "13:30", "20:00"),  # US clocks moved on 2026-03-08
        ("TOR", "2026-03-09", "13:30", "20:00"),  # Toronto follows the same date
        ("LSE", "2026-03-27", "08:00", "16:30"),  # London still on GMT
        ("LSE", "2026-03-30", "07:00", "15:30"),  # BST from 2026-03-29
        ("NMS", "2026-11-27", "14:30", "18:00"),  # US early close 13:00 ET after Thanksgiving
        ("TOR", "2026-12-24", "14:30", "18:00"),  # TSX early close
        ("LSE", "2026-12-24", "08:00", "12:30"),  # LSE early close
        ("TOR", "2026-11-26", "14:30", "21:00"),  # US Thanksgiving is a TSX trading day
    ],
)
def test_session_times_in_utc(
    table: SessionTable, exchange: str, day: str, opens: str, closes: str
) -> None:
    session = table.session(exchange, date.fromisoformat(day))
    assert session is not None
    assert (session.open, session.close) == (utc(f"{day}T{opens}"), utc(f"{day}T{closes}"))


@pytest.mark.parametrize(
    ("exchange", "day"),
    [
        ("NMS", "2026-11-26"),  # Thanksgiving
        ("NYQ", "2026-12-25"),
        ("LSE", "2026-12-28"),  # Boxing Day observed
        ("TOR", "2026-07-01"),  # Canada Day
        ("NMS", "2026-11-28"),  # a Saturday
    ],
)
def test_closed_days_have_no_session(table: SessionTable, exchange: str, day: str) -> None:
    assert table.session(exchange, date.fromisoformat(day)) is None
    assert not table.in_session(exchange, utc(f"{day}T15:00"))


def test_in_session_is_half_open_and_early_closes_count(table: SessionTable) -> None:
    assert table.in_session("NMS", utc("2026-11-27T14:30"))
    assert table.in_session("NMS", utc("2026-11-27T17:59"))
    assert not table.in_session("NMS", utc("2026-11-27T18:00"))
    assert not table.in_session("NMS", utc("2026-11-27T14:29"))


def test_unknown_exchanges_are_always_in_session(table: SessionTable) -> None:
    assert not table.knows("JPX")
    assert table.in_session("JPX", utc("2026-11-28T03:00"))  # a Saturday, even


def test_expected_minutes_over_a_week(table: SessionTable) -> None:
    week = table.sessions("NMS", date(2026, 11, 23), date(2026, 11, 29))
    # Mon-Wed full (390 each), Thu closed, Fri 210 (early close), weekend closed
    assert [s.minutes for s in week] == [390, 390, 390, 210]


def test_every_exchange_code_has_a_calendar_in_the_table(table: SessionTable) -> None:
    for exchange in CALENDARS:
        assert table.sessions(exchange, date(2026, 1, 1), date(2028, 12, 31))


def test_gate_polls_unknown_exchanges_open_markets_and_once_after_each_close(
    table: SessionTable,
) -> None:
    gate = SessionGate(table)
    symbols = ["AAPL", "VOD.L", "7203.T", "NEW"]
    for symbol, exchange in (("AAPL", "NMS"), ("VOD.L", "LSE"), ("7203.T", "JPX")):
        gate.learn(symbol, exchange)
    # 15:00 UTC on a Friday: London and New York open; Tokyo unknown to the table; NEW unlearnt
    assert gate.due(symbols, utc("2026-11-20T15:00")) == symbols
    # 17:00 UTC: London closed at 16:30, so VOD.L gets one poll after its close, then none
    assert gate.due(symbols, utc("2026-11-20T17:00")) == symbols
    assert gate.due(symbols, utc("2026-11-20T17:01")) == ["AAPL", "7203.T", "NEW"]
    # Saturday: only what the table cannot rule out, and New York's one poll after Friday's close
    assert gate.due(symbols, utc("2026-11-21T12:00")) == ["AAPL", "7203.T", "NEW"]
    assert gate.due(symbols, utc("2026-11-21T12:01")) == ["7203.T", "NEW"]


def test_gate_on_thanksgiving_and_the_early_close(table: SessionTable) -> None:
    gate = SessionGate(table)
    gate.learn("AAPL", "NMS")
    gate.due(["AAPL"], utc("2026-11-25T21:05"))  # the poll after Wednesday's close
    assert gate.due(["AAPL"], utc("2026-11-26T15:00")) == []  # Thanksgiving: closed
    assert gate.due(["AAPL"], utc("2026-11-27T17:59")) == ["AAPL"]  # Friday, before 13:00 ET
    assert gate.due(["AAPL"], utc("2026-11-27T18:01")) == ["AAPL"]  # once after the early close
    assert gate.due(["AAPL"], utc("2026-11-27T18:02")) == []
