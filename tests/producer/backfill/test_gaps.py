"""Which minutes backfill asks for: the window, sessions, and what silver already holds.

The silver half runs the backfill statements on the local engine over the coverage lake
(tests/sql/coverage_lake.py), whose gaps are known by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from infra.local.athena.engine import LocalAthena
from producer.backfill import (
    COVERED_MINUTES,
    LISTINGS,
    Listing,
    Window,
    covered_parameters,
    missing_minutes,
    read_listings,
    session_minutes,
)
from producer.sessions import default_table
from tests.sql.coverage_lake import GAP_MINUTES, write_coverage_lake

MARGIN = timedelta(minutes=5)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def epoch(text: str) -> int:
    return int(utc(text).timestamp())


def test_only_minutes_that_ended_before_the_margin_are_eligible() -> None:
    # GIVEN now 15:10:30: minutes up to 15:04 ended at least 5 minutes ago, 15:05 did not
    window = Window.eligible(utc("2026-11-25 15:00"), utc("2026-11-25 16:00"),
                             utc("2026-11-25 15:10:30"), MARGIN)  # fmt: skip
    assert (window.start, window.end) == (epoch("2026-11-25 15:00"), epoch("2026-11-25 15:05"))


def test_a_minute_partly_outside_the_range_is_left_out_and_a_cut_one_is_in() -> None:
    window = Window.eligible(utc("2026-11-25 15:00:30"), utc("2026-11-25 15:03:10"),
                             utc("2026-11-26 00:00"), MARGIN)  # fmt: skip
    assert list(window.minutes) == [epoch("2026-11-25 15:01"), epoch("2026-11-25 15:02"),
                                    epoch("2026-11-25 15:03")]  # fmt: skip


def test_a_range_in_the_future_is_empty() -> None:
    window = Window.eligible(utc("2026-11-25 15:00"), utc("2026-11-25 16:00"),
                             utc("2026-11-25 15:02"), MARGIN)  # fmt: skip
    assert window.start == window.end and not list(window.minutes)


def test_session_minutes_follow_the_early_close_and_holidays() -> None:
    # Thanksgiving week in New York: closed on the 26th, 14:30-18:00 UTC on the 27th
    window = Window(epoch("2026-11-26 00:00"), epoch("2026-11-28 00:00"))
    minutes = session_minutes(default_table(), "NMS", window)
    assert (minutes[0], minutes[-1]) == (epoch("2026-11-27 14:30"), epoch("2026-11-27 17:59"))
    assert len(minutes) == 210
    # an exchange the table does not know is always in session
    assert len(session_minutes(default_table(), "CCC", window)) == 2 * 1440


def test_missing_minutes_skip_covered_ones() -> None:
    window = Window(epoch("2026-11-25 14:00"), epoch("2026-11-25 14:35"))
    covered = {epoch("2026-11-25 14:31"), epoch("2026-11-25 14:33")}
    assert missing_minutes(default_table(), "TOR", covered, window) == [
        epoch("2026-11-25 14:30"), epoch("2026-11-25 14:32"), epoch("2026-11-25 14:34"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def listings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Listing]]:
    """GIVEN the coverage lake read for 2026-11-25 13:00 to 22:00, as backfill reads it."""
    lake = write_coverage_lake(tmp_path_factory.mktemp("coverage-lake"))
    window = Window(epoch("2026-11-25 13:00"), epoch("2026-11-25 22:00"))
    with LocalAthena(lake) as athena:
        covered = athena.query(COVERED_MINUTES, covered_parameters(window)).rows
        listed = athena.query(LISTINGS).rows
    yield read_listings(covered, listed)


WINDOW = Window(epoch("2026-11-25 13:00"), epoch("2026-11-25 22:00"))


def test_the_known_gap_is_exactly_what_is_missing(listings: dict[str, Listing]) -> None:
    gappy = listings["GAPPY"]
    missing = missing_minutes(default_table(), "NYQ", gappy.covered, WINDOW)
    assert len(missing) == GAP_MINUTES
    assert (missing[0], missing[-1]) == (epoch("2026-11-25 15:00"), epoch("2026-11-25 15:16"))


def test_a_full_day_misses_nothing_and_rows_outside_the_session_do_not_count(
    listings: dict[str, Listing],
) -> None:
    full = listings["FULL"]
    assert full.exchange == "NMS"
    assert missing_minutes(default_table(), "NMS", full.covered, WINDOW) == []
    assert epoch("2026-11-25 21:30") in full.covered  # read, but outside the session


def test_a_missed_day_takes_its_exchange_from_other_days(listings: dict[str, Listing]) -> None:
    # MISSED has no row on 2026-11-25: its exchange comes from its other days
    missed = listings["MISSED"]
    assert (missed.exchange, missed.covered) == ("NMS", set())
    assert len(missing_minutes(default_table(), "NMS", missed.covered, WINDOW)) == 390


def test_the_parameters_are_athena_literals() -> None:
    window = Window(epoch("2026-11-25 23:30"), epoch("2026-11-26 00:30"))
    assert covered_parameters(window) == [
        "'2026-11-25'", "'2026-11-26'",
        "TIMESTAMP '2026-11-25 23:30:00'", "TIMESTAMP '2026-11-26 00:30:00'",
    ]  # fmt: skip


def test_athenas_text_minutes_read_like_the_local_engines() -> None:
    rows = [("AAPL", "NMS", "2026-11-25 15:03:00.000"), ("AAPL", "NYQ", "2026-11-25 15:01:00.000")]
    listing = read_listings(rows)["AAPL"]
    assert listing.covered == {epoch("2026-11-25 15:03"), epoch("2026-11-25 15:01")}
    assert listing.exchange == "NMS"  # the newest minute's
