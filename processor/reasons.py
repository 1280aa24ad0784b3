"""Why a bronze line has no silver row: the reasons the rejected CSV carries."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Reason(StrEnum):
    """Why a bronze line was rejected; the text lands in the rejected CSV."""

    MALFORMED_CSV = "malformed_csv"
    NOT_UTF8 = "not_utf8"
    WRONG_COLUMN_COUNT = "wrong_column_count"
    UNKNOWN_VERSION = "unknown_version"
    BAD_SYMBOL = "bad_symbol"
    BAD_CURRENCY = "bad_currency"
    BAD_PRICE = "bad_price"
    BAD_CHANGE_PCT = "bad_change_pct"
    BAD_VOLUME = "bad_volume"
    BAD_TIME = "bad_time"
    IMPLAUSIBLE_TIME = "implausible_time"
    TRADE_TIME_IN_FUTURE = "trade_time_in_future"
    TRADE_TIME_OUT_OF_RANGE = "trade_time_out_of_range"
    MISSING_FX_RATE = "missing_fx_rate"
    BAD_FX_RATE = "bad_fx_rate"
    CONVERTED_PRICE_OUT_OF_RANGE = "converted_price_out_of_range"
    LINE_TOO_LONG = "line_too_long"
    BAD_SOURCE = "bad_source"


class Rejection(NamedTuple):
    """A line that cannot become a silver row, and why."""

    reason: Reason
    detail: str


class Invalid(Exception):
    """A check failed; carries the rejection out of nested helpers."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.rejection = Rejection(reason, detail)
