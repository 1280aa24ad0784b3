"""Bronze fields → a silver row or a rejection with a reason: the processor's judgement.

Checks run in a fixed order and the first failure names the reason, so replaying
the same line always rejects it the same way. Text is cleaned (see ``silver``),
numbers are normalised so Athena's casts read them, and prices are converted with
the FX rates the producer observed alongside the quote.
"""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

from firehose.codec import BRONZE_FIELDS, BRONZE_VERSION, SOURCES
from processor.memo import Memo
from processor.partitions import EARLIEST_VISIBLE_EPOCH, PROJECTION_START
from processor.reasons import Invalid, Reason, Rejection
from processor.silver import SilverRow, clean_name, clean_text, format_fields, parse_line

_SYMBOL = re.compile(r"[A-Z0-9^][A-Z0-9.\-=^&]{0,23}")
_CURRENCY = re.compile(r"[A-Z]{3}")
EARLIEST_TIME = 946_684_800  # 2000-01-01: older epochs are a unit or parsing mistake
LATEST_TIME = 4_102_444_800  # 2100-01-01
_COLUMNS = len(BRONZE_FIELDS)
_new_tuple = tuple.__new__  # NamedTuple's own __new__ adds a Python call per row
_FIXED_LOW, _FIXED_HIGH = 1e-4, float(2**33)
# Converted amounts are written with six decimals: at or below half a millionth they
# would read 0.0, which is not a price (and a division by a tiny rate can overflow to inf).
_MIN_MONEY = 5e-7
_MAX_BIGINT = 1 << 63  # the quotes view casts volume to BIGINT

__all__ = ["Accepted", "Judged", "Reason", "Rejection", "Validator", "fmt_money", "iso_utc"]


class Accepted(NamedTuple):
    """A valid line: its silver row plus what partitioning and de-duplication need."""

    row: SilverRow
    trade_epoch: int
    dt: str


class Judged(NamedTuple):
    """A valid line as the hot path needs it: the silver CSV line, its dedupe key and date."""

    line: str
    symbol: str
    trade_epoch: int
    dt: str


class _Fx(NamedTuple):
    per_usd: float
    usd_cad: float
    usd_cad_text: str


class _Static(NamedTuple):
    """The cleaned text columns, which repeat for a symbol from tick to tick, as CSV pieces."""

    symbol: str
    currency: str
    head: str  # symbol, name, exchange, currency: quoted and escaped
    state: str  # market_state: quoted and escaped


class _Times(NamedTuple):
    trade_epoch: int
    dt: str
    tail: str  # trade_time, fetched_at, source_key: quoted and escaped


def fmt_money(value: float) -> str:
    """``repr(round(value, 6))``: converted amounts carry six decimals at most."""
    if _FIXED_LOW <= value < _FIXED_HIGH:
        # Same text, three times faster: in this range a double's spacing is below 1e-6,
        # so the shortest repr of the rounded value is its 6-decimal form, zeros trimmed.
        text = ("%.6f" % value).rstrip("0")  # noqa: UP031 - fastest fixed-point formatting
        return text + "0" if text[-1] == "." else text
    return repr(round(value, 6))


def iso_utc(epoch: int) -> str:
    """Epoch seconds as ``YYYY-MM-DDTHH:MM:SSZ``, the silver time format."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Validator:
    """Validates the lines of one bronze object; caches what repeats from line to line.

    Text columns, time pairs and FX triples repeat across a million lines, so each
    distinct one is checked once; what stays per line is the price arithmetic.
    """

    def __init__(self, source_key: str, *, max_future_skew_s: int, now: int | None = None) -> None:
        self._source_key = clean_text(source_key)
        self._skew = max_future_skew_s
        # Athena's projection ends at NOW: a trade dated later would be invisible until then.
        self._latest = (int(time.time()) if now is None else now) + max_future_skew_s
        self._static = Memo(_static, limit=16_384)  # one per listed symbol
        self._times = Memo(self._check_times, limit=2_048)  # a tick's worth of time pairs
        self._fx = Memo(_rates, limit=1_024)

    def judge(self, fields: list[str]) -> Judged | Rejection:
        """One line's silver CSV line, or why it has none (one call per line: the hot path)."""
        if len(fields) != _COLUMNS or fields[0] != BRONZE_VERSION:
            upgraded = _from_version_1(fields)
            if upgraded is None:
                return _bad_shape(len(fields), fields[0][:20] if fields else "")
            fields = upgraded
        if fields[13] not in SOURCES:
            return Rejection(Reason.BAD_SOURCE, f"source {fields[13][:20]!r}")
        try:
            key = (fields[1], fields[2], fields[3], fields[4], fields[8])
            text = self._static.get(key) or self._static.miss(key)
            value, change, volume = _numbers(fields[5], fields[6], fields[7])
            pair = (fields[9], fields[10])
            times = self._times.get(pair) or self._times.miss(pair)
            rates = (text.currency, fields[11], fields[12])
            fx = self._fx.get(rates) or self._fx.miss(rates)
        except Invalid as invalid:
            return invalid.rejection
        usd = value / fx.per_usd
        cad = usd * fx.usd_cad
        if not (_MIN_MONEY < usd < math.inf and _MIN_MONEY < cad < math.inf):
            return _converted_out_of_range(usd, cad)
        line = (  # the SilverRow columns in order; numbers never need escaping
            f'{text.head},"{value!r}","{fmt_money(usd)}","{fmt_money(cad)}",'
            f'"{fx.usd_cad_text}","{change}","{volume}",{text.state},{times.tail},"{fields[13]}"\n'
        )
        return _new_tuple(Judged, (line, text.symbol, times.trade_epoch, times.dt))

    def check(self, fields: list[str]) -> Accepted | Rejection:
        """Judge one line and read its row back: ``judge`` as a typed row, for callers and tests."""
        judged = self.judge(fields)
        if isinstance(judged, Rejection):
            return judged
        return Accepted(SilverRow(*parse_line(judged.line)), judged.trade_epoch, judged.dt)

    def _check_times(self, texts: tuple[str, str]) -> _Times:
        trade, fetched = _epoch(texts[0], "trade_time"), _epoch(texts[1], "fetched_at")
        if trade > fetched + self._skew:
            raise Invalid(
                Reason.TRADE_TIME_IN_FUTURE, f"trade_time {trade - fetched} s after fetched_at"
            )
        trade_iso = iso_utc(trade)
        if not EARLIEST_VISIBLE_EPOCH <= trade <= self._latest:
            raise Invalid(Reason.TRADE_TIME_OUT_OF_RANGE, _outside_projection(trade_iso))
        return _Times(
            trade, trade_iso[:10], format_fields((trade_iso, iso_utc(fetched), self._source_key))
        )


def _converted_out_of_range(usd: float, cad: float) -> Rejection:
    """A huge price or a tiny rate: the conversion overflowed or would round to zero."""
    detail = f"price_usd {usd!r}, price_cad {cad!r}: must be finite and above 5e-07"
    return Rejection(Reason.CONVERTED_PRICE_OUT_OF_RANGE, detail)


def _outside_projection(trade_iso: str) -> str:
    return (
        f"trade_time {trade_iso} outside the dates Athena reads "
        f"({PROJECTION_START.isoformat()} to now)"
    )


_KNOWN_VERSIONS = ("1", BRONZE_VERSION)


def _from_version_1(fields: list[str]) -> list[str] | None:
    """A line written before ``source`` existed is a live quote."""
    if len(fields) == _COLUMNS - 1 and fields[0] == "1":
        return [*fields, "quote"]
    return None


@lru_cache(maxsize=1_024)
def _bad_shape(count: int, version: str) -> Rejection:
    """Why a line of the wrong shape is rejected; cached, as an object of garbage repeats it."""
    if count == 0 or (count == 1 and not version):
        return Rejection(Reason.WRONG_COLUMN_COUNT, "blank line")
    if version not in _KNOWN_VERSIONS:
        return Rejection(Reason.UNKNOWN_VERSION, f"version {version!r}")
    return Rejection(Reason.WRONG_COLUMN_COUNT, f"{count} columns, expected {_COLUMNS}")


def _static(texts: tuple[str, str, str, str, str]) -> _Static:
    symbol, name, exchange, currency, state = texts
    if not _SYMBOL.fullmatch(symbol.strip()):
        raise Invalid(Reason.BAD_SYMBOL, f"symbol {symbol[:40]!r}")
    if not _CURRENCY.fullmatch(currency):
        raise Invalid(Reason.BAD_CURRENCY, f"currency {currency[:20]!r}")
    return _Static(
        symbol.strip(),
        currency,
        format_fields((symbol.strip(), clean_name(name), clean_text(exchange).strip(), currency)),
        format_fields((clean_text(state).strip(),)),
    )


def _float(text: str, reason: Reason, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise Invalid(reason, f"{what} {text[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise Invalid(reason, f"{what} {text[:40]!r} is not finite")
    return value


def _positive(text: str, what: str, reason: Reason = Reason.BAD_PRICE) -> float:
    value = _float(text, reason, what)
    if value <= 0.0:
        raise Invalid(reason, f"{what} {text[:40]!r} is not positive")
    return value


def _numbers(price: str, change: str, volume: str) -> tuple[float, str, str]:
    """Price, change_pct and volume in silver form; the careful checks run only on failure."""
    try:
        value = float(price)
        pct = float(change) if change else 0.0
        count = int(volume) if volume else 0
    except ValueError:
        value, pct, count = math.nan, 0.0, 0
    if 0.0 < value < math.inf and -math.inf < pct < math.inf and 0 <= count < _MAX_BIGINT:
        return value, repr(pct) if change else "", str(count) if volume else ""
    _positive(price, "price")
    _optional_float(change)
    _volume(volume)
    raise Invalid(Reason.BAD_PRICE, f"price {price[:40]!r}")  # not reached: one check failed


def _optional_float(text: str) -> str:
    return repr(_float(text, Reason.BAD_CHANGE_PCT, "change_pct")) if text else ""


def _volume(text: str) -> str:
    if not text:
        return ""
    try:
        value = int(text)
    except ValueError:
        raise Invalid(Reason.BAD_VOLUME, f"volume {text[:40]!r} is not an integer") from None
    if value < 0:
        raise Invalid(Reason.BAD_VOLUME, f"volume {value} is negative")
    if value >= _MAX_BIGINT:
        raise Invalid(Reason.BAD_VOLUME, f"volume {text[:40]!r} does not fit a BIGINT")
    return str(value)


def _epoch(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise Invalid(Reason.BAD_TIME, f"{what} {text[:40]!r} is not epoch seconds") from None
    if not EARLIEST_TIME <= value < LATEST_TIME:
        raise Invalid(Reason.IMPLAUSIBLE_TIME, f"{what} {value} outside 2000..2100")
    return value


def _rates(texts: tuple[str, str, str]) -> _Fx:
    """FX rates for one (currency, fx_rate, fx_usd_cad) triple; USD needs no fx_rate."""
    currency, per_usd, usd_cad = texts
    if not per_usd and currency != "USD":
        raise Invalid(Reason.MISSING_FX_RATE, f"no fx_rate for {currency}")
    if not usd_cad:
        raise Invalid(Reason.MISSING_FX_RATE, "no fx_usd_cad")
    rate = _positive(per_usd, "fx_rate", Reason.BAD_FX_RATE) if per_usd else 1.0
    cad = _positive(usd_cad, "fx_usd_cad", Reason.BAD_FX_RATE)
    return _Fx(rate, cad, fmt_money(cad))
