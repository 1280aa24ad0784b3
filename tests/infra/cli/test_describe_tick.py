"""The console line of a tick says what went wrong, not only what went right."""

from __future__ import annotations

from infra.local.pipeline import describe_tick

PROCESSED = [{"rows_written": 5, "rows_rejected": 1}, {"rows_written": 2, "rows_rejected": 0}]


def test_a_clean_tick() -> None:
    summary = {"quotes_sent": 7, "symbols_requested": 8, "bytes_sent": 900, "records_sent": 1,
               "symbols_missing": ["ZZZZ"], "ticks": [{"yahoo_errors": {}}]}  # fmt: skip
    line = describe_tick(1, 2, summary, PROCESSED)
    assert line == (
        "tick 1/2: 7/8 quotes sent (900 bytes, Firehose records: 1); missing: ZZZZ; "
        "silver rows: 7, rejected: 1"
    )


def test_yahoo_errors_and_bad_symbols_are_named() -> None:
    summary = {
        "symbols_requested": 2,
        "symbols_missing": ["AAPL", "MSFT"],
        "bad_symbol_count": 1,
        "bad_symbols": [{"entry": "bad sym!", "reason": "characters"}],
        "ticks": [
            {"yahoo_errors": {"connection": 3}},
            {"yahoo_errors": {"connection": 1, "http_429": 2}},
        ],
    }
    line = describe_tick(2, 2, summary, [])
    assert "missing: AAPL, MSFT" in line
    assert line.endswith(
        "Yahoo errors: connection: 4, http_429: 2 (details in the logs); bad symbols: 1 (bad sym!)"
    )
