"""The chart endpoint's one-minute bars: Yahoo's range rules and the answer's shape.

``/v8/finance/chart/SYM?interval=1m&period1=…&period2=…`` returns the minutes in
[period1, period2) up to now: ``timestamp`` holds minute starts, and
``indicators.quote[0]`` the ``open/high/low/close/volume`` arrays, with nulls for a
minute of the session in which nothing traded. Minutes outside the venue's sessions
are absent, as on Yahoo; so are minutes before the market's first trade (it did not
exist yet). A range without any minute has no ``timestamp`` and ``quote: [{}]``,
which is how Yahoo answers a weekend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from infra.local.yahoo.instruments import Instrument
from infra.local.yahoo.payloads import JsonDict, chart_meta
from infra.local.yahoo.walk import MinuteBar, Tick

MAX_SPAN_SECONDS = 7 * 86_400
"""Yahoo: at most 7 days of 1m bars per request."""
MAX_AGE_SECONDS = 30 * 86_400
"""Yahoo: 1m bars only for about the last 30 days."""
BAD_PERIODS: JsonDict = {
    "chart": {
        "result": None,
        "error": {"code": "Bad Request", "description": "Invalid input - period1 and period2"},
    }
}
"""A period that is not an integer (wording not verified against Yahoo)."""
SPAN_ERROR = "Only 7 days worth of 1m granularity data are allowed to be fetched per request."


def _error(code: str, description: str) -> JsonDict:
    """Yahoo's chart error envelope."""
    return {"chart": {"result": None, "error": {"code": code, "description": description}}}


def range_error(period1: int, period2: int, now: float) -> tuple[int, JsonDict] | None:
    """The status and body Yahoo refuses a 1m range with, or None when it is served."""
    if period2 <= period1:
        # Wording not verified against Yahoo; its 400 for a reversed range reads like this.
        text = "Invalid input - start date cannot be after end date."
        return 400, _error("Bad Request", f"{text} startDate = {period1}, endDate = {period2}")
    if period2 - period1 > MAX_SPAN_SECONDS:
        return 422, _error("Unprocessable Entity", SPAN_ERROR)
    if period1 < now - MAX_AGE_SECONDS:
        # Wording not verified against a recorded answer: it follows what yfinance users
        # quote for a 1m request that starts more than 30 days back.
        text = (
            f"1m data not available for startTime={period1} and endTime={period2}. "
            "The requested range must be within the last 30 days."
        )
        return 422, _error("Unprocessable Entity", text)
    return None


def bars_answer(
    inst: Instrument,
    last: Tick,
    minutes: Sequence[int],
    bar_of: Callable[[int], MinuteBar | None],
) -> JsonDict:
    """The 200 answer: the meta of the newest trade plus one bar (or nulls) per minute."""
    meta = dict(chart_meta(inst, last), range="")
    result: JsonDict = {"meta": meta, "indicators": {"quote": [{}]}}
    if minutes:
        bars = [bar_of(minute) for minute in minutes]
        result["timestamp"] = list(minutes)
        result["indicators"]["quote"] = [_columns(bars)]
    return {"chart": {"result": [result], "error": None}}


def _columns(bars: Sequence[MinuteBar | None]) -> JsonDict:
    """Yahoo's column arrays (volume first, as Yahoo orders them); None becomes null."""
    return {
        "volume": [b.volume if b else None for b in bars],
        "open": [b.open if b else None for b in bars],
        "high": [b.high if b else None for b in bars],
        "low": [b.low if b else None for b in bars],
        "close": [b.close if b else None for b in bars],
    }
