"""Turn Yahoo's v7 quote and v8 chart JSON into ``YahooQuote`` and ``Bars`` records.

A result without a price (``quoteType: "NONE"`` stubs) is "not found" (``None``) so the
caller can retry it through the chart endpoint; a result whose fields have the wrong
type raises ``MalformedQuoteError`` for that symbol only.

Text fields are bounded (``FIELD_LIMITS``, in characters, after stripping): a longer
value is cut to the limit and the field is named in ``YahooQuote.truncated`` so the
tick counts it. The limits are far above anything Yahoo sends for a real listing
(longest names seen are about 120 characters; symbols at most 24, which the symbol
list enforces) and keep a bronze line around 1.5 KB, far below a Firehose record.

One-minute bars (``bars_from_chart``) keep Yahoo's nulls: a minute without trades is a
``Bar`` whose five values are None, never a dropped minute or a zero price.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from producer.errors import FetchError, MalformedQuoteError

FIELD_LIMITS: dict[str, int] = {
    "symbol": 32,
    "name": 256,
    "exchange": 64,
    "currency": 8,
    "market_state": 32,
}


@dataclass(frozen=True, slots=True)
class YahooQuote:
    """One quote as Yahoo reported it: currency and price still in Yahoo's units."""

    symbol: str
    name: str
    exchange: str
    currency: str
    price: float
    change_pct: float | None
    volume: int | None
    market_state: str
    trade_time: int
    truncated: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Bar:
    """One minute of a 1m chart; every value None when nothing traded in it."""

    minute_start: int
    open: float | None
    high: float | None
    low: float | None
    close: float | None
    volume: int | None


@dataclass(frozen=True, slots=True)
class Bars:
    """A listing's one-minute bars, oldest first, and its chart meta (Yahoo's units)."""

    symbol: str
    name: str
    exchange: str  # meta.exchangeName: the code v7 calls ``exchange`` (NMS, TOR, LSE…)
    currency: str  # as Yahoo says it, minor units included (GBp)
    data_delayed_by: int | None  # meta.exchangeDataDelayedBy when Yahoo sends it
    minutes: tuple[Bar, ...]
    truncated: tuple[str, ...] = ()


def v7_results(payload: Any) -> list[Any]:
    """The result list of a ``/v7/finance/quote`` answer, or ``bad_body`` when absent."""
    response = payload.get("quoteResponse") if isinstance(payload, dict) else None
    results = response.get("result") if isinstance(response, dict) else None
    if not isinstance(results, list):
        raise FetchError(
            "bad_body", "v7 answer without quoteResponse.result", snippet=str(payload)[:120]
        )
    return results


def quote_from_v7(item: Any) -> YahooQuote | None:
    """Parse one v7 result; ``None`` for a price-less stub."""
    if not isinstance(item, dict) or not isinstance(item.get("symbol"), str):
        raise MalformedQuoteError(f"v7 result without a symbol: {str(item)[:120]}")
    if item.get("quoteType") == "NONE" or item.get("regularMarketPrice") is None:
        return None
    return _build(item, item["symbol"], "regularMarketChangePercent", _text(item.get("exchange")))


def quote_from_chart(payload: Any) -> YahooQuote | None:
    """Parse a ``/v8/finance/chart/SYM`` answer's meta; ``None`` when Yahoo has no data."""
    chart = payload.get("chart") if isinstance(payload, dict) else None
    results = chart.get("result") if isinstance(chart, dict) else None
    if not results:
        return None
    meta = results[0].get("meta") if isinstance(results[0], dict) else None
    if not isinstance(meta, dict) or not isinstance(meta.get("symbol"), str):
        raise MalformedQuoteError(f"chart answer without meta.symbol: {str(payload)[:120]}")
    if meta.get("regularMarketPrice") is None:
        return None
    fields = dict(meta, regularMarketChangePercent=_chart_change_pct(meta))
    exchange = _text(meta.get("exchangeName"))  # the same code v7 calls ``exchange``
    return _build(fields, meta["symbol"], "regularMarketChangePercent", exchange)


def bars_from_chart(payload: Any) -> Bars | None:
    """Parse a 1m ``/v8/finance/chart`` answer; ``None`` when it has no result."""
    chart = payload.get("chart") if isinstance(payload, dict) else None
    results = chart.get("result") if isinstance(chart, dict) else None
    if not results:
        return None
    result = results[0] if isinstance(results[0], dict) else {}
    meta = result.get("meta")
    if not isinstance(meta, dict) or not isinstance(meta.get("symbol"), str):
        raise MalformedQuoteError(f"chart answer without meta.symbol: {str(payload)[:120]}")
    try:
        minutes = _bars(result)
        delay = _optional_int(meta.get("exchangeDataDelayedBy"))
    except (KeyError, IndexError, TypeError, ValueError, OverflowError) as exc:
        raise MalformedQuoteError(f"{meta['symbol'][:40]}: unusable bars {str(exc)[:80]}") from exc
    texts = {
        "symbol": meta["symbol"].strip(),
        "name": _name(meta, meta["symbol"]),
        "exchange": _text(meta.get("exchangeName")),
        "currency": _text(meta.get("currency")),
    }
    long = tuple(key for key, text in texts.items() if len(text) > FIELD_LIMITS[key])
    bounded = {key: text[: FIELD_LIMITS[key]] for key, text in texts.items()}
    return Bars(**bounded, data_delayed_by=delay, minutes=minutes, truncated=long)


def _bars(result: dict[str, Any]) -> tuple[Bar, ...]:
    """Zip ``timestamp`` with the quote columns; an absent column is all nulls."""
    stamps = result.get("timestamp") or []
    if not isinstance(stamps, list):
        raise TypeError("timestamp is not a list")
    quote = result.get("indicators", {}).get("quote", [{}])[0] if stamps else {}
    columns = {name: _column(quote, name, len(stamps)) for name in _BAR_COLUMNS}
    minutes: dict[int, Bar] = {}
    for index, stamp in enumerate(stamps):
        # Yahoo's newest entry may carry the current second: key bars by their minute.
        start = int(_number(stamp)) // 60 * 60
        minutes.setdefault(start, _bar(start, columns, index))
    return tuple(sorted(minutes.values(), key=lambda bar: bar.minute_start))


def _bar(start: int, columns: dict[str, list[Any]], index: int) -> Bar:
    """The bar at ``index`` of the columns; nulls stay None."""
    return Bar(
        minute_start=start,
        open=_optional_number(columns["open"][index]),
        high=_optional_number(columns["high"][index]),
        low=_optional_number(columns["low"][index]),
        close=_optional_number(columns["close"][index]),
        volume=_optional_int(columns["volume"][index]),
    )


_BAR_COLUMNS = ("open", "high", "low", "close", "volume")


def _column(quote: Any, name: str, length: int) -> list[Any]:
    """One column of ``indicators.quote[0]``, as long as ``timestamp``."""
    values = quote.get(name) if isinstance(quote, dict) else None
    if values is None:
        return [None] * length
    if not isinstance(values, list) or len(values) != length:
        raise ValueError(f"{name} does not match timestamp")
    return values


def _build(fields: dict[str, Any], symbol: str, change_key: str, exchange: str) -> YahooQuote:
    """Assemble a quote, naming the symbol and field when a value has the wrong type."""
    texts = {
        "symbol": symbol.strip(),
        "name": _name(fields, symbol),
        "exchange": exchange,
        "currency": _text(fields.get("currency")),
        "market_state": _text(fields.get("marketState")),
    }
    long = tuple(key for key, text in texts.items() if len(text) > FIELD_LIMITS[key])
    bounded = {key: text[: FIELD_LIMITS[key]] for key, text in texts.items()}
    try:
        return YahooQuote(
            **bounded,
            price=_number(fields["regularMarketPrice"]),
            change_pct=_optional_number(fields.get(change_key)),
            volume=_optional_int(fields.get("regularMarketVolume")),
            trade_time=int(_number(fields["regularMarketTime"])),
            truncated=long,
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise MalformedQuoteError(f"{symbol[:40]}: unusable field {str(exc)[:80]}") from exc


def _chart_change_pct(meta: dict[str, Any]) -> float | None:
    """Chart meta has no change percent: derive it from the previous close."""
    previous: Any = meta.get("chartPreviousClose", meta.get("previousClose"))
    price: Any = meta.get("regularMarketPrice")
    if not _is_number(previous) or not _is_number(price) or previous == 0:
        return None
    return (float(price) - float(previous)) / float(previous) * 100.0


def _name(fields: dict[str, Any], symbol: str) -> str:
    """longName, else shortName, else the symbol: Yahoo often omits longName."""
    for key in ("longName", "shortName", "displayName"):
        if text := _text(fields.get(key)):
            return text
    return symbol.strip()


def _text(value: Any) -> str:
    """Strip padding; anything that is not a string is absent."""
    return value.strip() if isinstance(value, str) else ""


def _is_number(value: Any) -> bool:
    """JSON numbers only (bool is an int in Python, not a price)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any) -> float:
    """A required number; Yahoo's ``{"raw": …}`` objects are accepted too."""
    if isinstance(value, dict) and "raw" in value:
        value = value["raw"]
    if not _is_number(value):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _optional_number(value: Any) -> float | None:
    """An optional number: absent or null stays None."""
    return None if value is None else _number(value)


def _optional_int(value: Any) -> int | None:
    """Volumes are integers; a float volume is truncated, not refused."""
    return None if value is None else int(_number(value))
