"""Golden results of the views of sql/views over the golden lake, worked out by hand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from infra.local.athena.engine import LocalAthena
from tests.sql.golden_lake import (
    COLUMNS,
    HOSTILE_NAME,
    KEY_A,
    KEY_B,
    KEY_C,
    csv_line,
    quote,
    write_object,
)


def ts(text: str) -> datetime:
    """A naive UTC timestamp, as the views return them."""
    return datetime.fromisoformat(text)


def test_quotes_keeps_one_row_per_symbol_and_trade_time(athena: LocalAthena) -> None:
    result = athena.query("SELECT symbol, trade_time FROM quotes ORDER BY symbol, trade_time")
    assert result.rows == [
        ("AAPL", ts("2026-11-25 23:58:00")),
        ("AAPL", ts("2026-11-25 23:59:30")),
        ("AAPL", ts("2026-11-26 00:00:10")),
        ("AAPL", ts("2026-11-26 00:03:00")),
        ("AAPL", ts("2026-11-26 00:06:00")),
        ("SHOP.TO", ts("2026-11-26 14:30:00")),
        ("SHOP.TO", ts("2026-11-26 14:33:00")),
        ("TMUS", ts("2026-11-26 14:31:00")),
        ("TMUS", ts("2026-11-26 14:36:00")),
        ("VOD.L", ts("2026-11-26 09:00:00")),
    ]


def test_quotes_keeps_the_copy_fetched_last(athena: LocalAthena) -> None:
    result = athena.query(
        "SELECT price, fetched_at, source_key FROM quotes "
        "WHERE symbol = 'AAPL' AND trade_time = TIMESTAMP '2026-11-26 00:03:00'"
    )
    assert result.rows == [(98.5, ts("2026-11-26 00:03:09"), KEY_B)]


def test_quotes_exact_copies_tie_break_on_source_key(athena: LocalAthena) -> None:
    result = athena.query(
        "SELECT source_key FROM quotes "
        "WHERE symbol = 'AAPL' AND trade_time = TIMESTAMP '2026-11-26 00:00:10'"
    )
    assert result.rows == [(KEY_B,)]


def test_quotes_types_and_empty_numbers(athena: LocalAthena) -> None:
    result = athena.query(
        "SELECT typeof(price), typeof(volume), typeof(trade_time), price_usd, change_pct, dt "
        "FROM quotes WHERE symbol = 'TMUS' AND trade_time = TIMESTAMP '2026-11-26 14:36:00'"
    )
    assert result.rows == [("DOUBLE", "BIGINT", "TIMESTAMP", None, None, "2026-11-26")]


def test_quotes_keep_dt_across_the_utc_day_boundary(athena: LocalAthena) -> None:
    result = athena.query("SELECT dt, count(*) FROM quotes WHERE symbol = 'AAPL' GROUP BY dt")
    assert sorted(result.rows) == [("2026-11-25", 2), ("2026-11-26", 3)]


def test_quotes_non_usd_rows_keep_both_prices(athena: LocalAthena) -> None:
    result = athena.query(
        "SELECT symbol, currency, price, price_usd, price_cad, fx_usd_cad FROM quotes "
        "WHERE currency <> 'USD' ORDER BY symbol, trade_time"
    )
    assert result.rows == [
        ("SHOP.TO", "CAD", 140.0, 100.0, 140.0, 1.4),
        ("SHOP.TO", "CAD", 141.4, 101.0, 141.4, 1.4),
        ("VOD.L", "GBP", 0.72, 0.9, 1.26, 1.4),
    ]


def test_hostile_name_comes_back_exactly(athena: LocalAthena) -> None:
    result = athena.query("SELECT DISTINCT name FROM quotes WHERE symbol = 'TMUS'")
    assert result.rows == [(HOSTILE_NAME,)]


def test_latest_quotes_one_row_per_symbol_newest_trade(athena: LocalAthena) -> None:
    result = athena.query(
        "SELECT symbol, trade_time, price, price_usd, source_key FROM latest_quotes ORDER BY symbol"
    )
    assert result.rows == [
        ("AAPL", ts("2026-11-26 00:06:00"), 103.0, 103.0, KEY_B),
        ("SHOP.TO", ts("2026-11-26 14:33:00"), 141.4, 101.0, KEY_C),
        ("TMUS", ts("2026-11-26 14:36:00"), 251.0, None, KEY_C),
        ("VOD.L", ts("2026-11-26 09:00:00"), 0.72, 0.9, KEY_C),
    ]


def test_ohlc_5m(athena: LocalAthena) -> None:
    result = athena.query(
        "SELECT symbol, bucket_start, open, high, low, close, samples, dt FROM ohlc_5m "
        "ORDER BY symbol, bucket_start"
    )
    assert result.rows == [
        ("AAPL", ts("2026-11-25 23:55:00"), 100.0, 101.0, 100.0, 101.0, 2, "2026-11-25"),
        ("AAPL", ts("2026-11-26 00:00:00"), 102.0, 102.0, 98.5, 98.5, 2, "2026-11-26"),
        ("AAPL", ts("2026-11-26 00:05:00"), 103.0, 103.0, 103.0, 103.0, 1, "2026-11-26"),
        ("SHOP.TO", ts("2026-11-26 14:30:00"), 100.0, 101.0, 100.0, 101.0, 2, "2026-11-26"),
        ("TMUS", ts("2026-11-26 14:30:00"), 250.25, 250.25, 250.25, 250.25, 1, "2026-11-26"),
        ("VOD.L", ts("2026-11-26 09:00:00"), 0.9, 0.9, 0.9, 0.9, 1, "2026-11-26"),
    ]


def test_daily_summary(athena: LocalAthena) -> None:
    result = athena.query("SELECT * FROM daily_summary ORDER BY symbol, dt")
    assert result.columns == ("symbol", "dt", "open", "high", "low", "close", "samples")
    assert result.rows == [
        ("AAPL", "2026-11-25", 100.0, 101.0, 100.0, 101.0, 2),
        ("AAPL", "2026-11-26", 102.0, 103.0, 98.5, 103.0, 3),
        ("SHOP.TO", "2026-11-26", 100.0, 101.0, 100.0, 101.0, 2),
        ("TMUS", "2026-11-26", 250.25, 250.25, 250.25, 250.25, 1),
        ("VOD.L", "2026-11-26", 0.9, 0.9, 0.9, 0.9, 1),
    ]


def test_view_columns_follow_the_contract(athena: LocalAthena) -> None:
    quotes = athena.query("SELECT * FROM quotes LIMIT 0").columns
    assert quotes[:15] == (
        *("symbol", "name", "exchange", "currency", "price", "price_usd", "price_cad"),
        *("fx_usd_cad", "change_pct", "volume", "market_state", "trade_time", "fetched_at"),
        "source_key",
        "source",
    )
    assert athena.query("SELECT * FROM latest_quotes LIMIT 0").columns == quotes
    ohlc = athena.query("SELECT * FROM ohlc_5m LIMIT 0").columns
    assert ohlc[:7] == ("symbol", "bucket_start", "open", "high", "low", "close", "samples")


def test_a_live_quote_wins_over_a_bar_row_and_old_objects_read_as_quotes(tmp_path: Path) -> None:
    # GIVEN an object from before backfill (14 columns) with a live quote at 15:00, and a
    # later object of rows rebuilt from one-minute bars for 15:00 (fetched later) and 15:01
    live = quote("NVDA", "2026-11-26T15:00:00Z", "100.0", "100.0", fetched="2026-11-26T15:00:09Z",
                 key=KEY_A)  # fmt: skip
    write_object(tmp_path, "2026-11-26", "before-backfill.csv", [live])
    bars = [
        [
            *quote(
                "NVDA",
                f"2026-11-26T15:0{m}:00Z",
                price,
                price,
                fetched="2026-11-26T18:00:00Z",
                key=KEY_C,
            ),
            "bar_1m",
        ]
        for m, price in ((0, "99.0"), (1, "99.5"))
    ]
    path = tmp_path / "silver" / "quotes" / "dt=2026-11-26" / "backfill.csv"
    path.write_text("".join(csv_line(r) for r in [[*COLUMNS, "source"], *bars]), encoding="utf-8")
    # WHEN the typed view is read
    with LocalAthena(tmp_path) as athena:
        rows = athena.query(
            "SELECT trade_time, price, source FROM quotes WHERE symbol = 'NVDA' ORDER BY 1"
        ).rows
    # THEN the live quote wins its minute, the bar fills the other, NULL source means quote
    assert rows == [
        (ts("2026-11-26T15:00:00"), 100.0, "quote"),
        (ts("2026-11-26T15:01:00"), 99.5, "bar_1m"),
    ]
