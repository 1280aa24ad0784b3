"""JSON bodies in the shapes Yahoo's v7 quote and v8 chart endpoints return.

Field names, nesting and error objects follow recorded Yahoo answers so that a
client written against this server works against Yahoo unchanged.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from infra.local.yahoo.faults import Duplicate, Omit, Patch, Reorder, Stub, Transform, Truncate
from infra.local.yahoo.instruments import Instrument
from infra.local.yahoo.walk import Tick

JsonDict = dict[str, Any]

CHART_NOT_FOUND: JsonDict = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}


def quote_response(results: list[JsonDict]) -> JsonDict:
    """The v7 envelope."""
    return {"quoteResponse": {"result": results, "error": None}}


def _change(inst: Instrument, tick: Tick) -> tuple[float, float]:
    """Absolute and percent change against the previous close."""
    change = tick.price - inst.price
    return change, change / inst.price * 100.0


def quote(inst: Instrument, tick: Tick, market_state: str = "REGULAR") -> JsonDict:
    """One v7 result dict; ``regularMarketTime`` is the trade's time, not now."""
    venue = inst.venue
    change, change_pct = _change(inst, tick)
    result: JsonDict = {
        "language": "en-US",
        "region": "US",
        "quoteType": inst.quote_type,
        "typeDisp": inst.type_disp,
        "quoteSourceName": venue.source_name,
        "triggerable": True,
        "customPriceAlertConfidence": "HIGH",
        "currency": inst.currency,
        "exchange": venue.exchange,
        "shortName": inst.short_name,
        "longName": inst.long_name,
        "messageBoardId": f"finmb_{zlib.crc32(inst.symbol.encode()) % 10**8}",
        "exchangeTimezoneName": venue.timezone,
        "exchangeTimezoneShortName": venue.tz_short,
        "gmtOffSetMilliseconds": venue.gmt_offset_ms,
        "market": venue.market,
        "esgPopulated": False,
        "marketState": market_state,
        "regularMarketChangePercent": change_pct,
        "regularMarketPrice": tick.price,
        "priceHint": inst.decimals,
        "regularMarketChange": change,
        "regularMarketTime": tick.trade_time,
        "regularMarketDayHigh": tick.day_high,
        "regularMarketDayRange": f"{tick.day_low} - {tick.day_high}",
        "regularMarketDayLow": tick.day_low,
        "regularMarketVolume": tick.volume,
        "regularMarketPreviousClose": inst.price,
        "regularMarketOpen": inst.price,
        "fullExchangeName": venue.full_name,
        "financialCurrency": inst.currency,
        "sourceInterval": 15,
        "exchangeDataDelayedBy": 0,
        "tradeable": False,
        "cryptoTradeable": False,
        "symbol": inst.symbol,
    }
    if inst.long_name is None:
        del result["longName"]
    return result


def stub_quote(symbol: str) -> JsonDict:
    """What Yahoo returns for a symbol it knows of but cannot price right now."""
    return {
        "language": "en-US",
        "region": "US",
        "quoteType": "NONE",
        "typeDisp": "Equity",
        "quoteSourceName": "Delayed Quote",
        "triggerable": False,
        "customPriceAlertConfidence": "LOW",
        "exchange": "YHD",
        "fullExchangeName": "YHD",
        "marketState": "REGULAR",
        "tradeable": False,
        "cryptoTradeable": False,
        "sourceInterval": 15,
        "exchangeDataDelayedBy": 0,
        "symbol": symbol,
    }


def chart(inst: Instrument, history: tuple[Tick, ...]) -> JsonDict:
    """The v8 chart answer: meta of the newest trade plus the recent trades as bars."""
    last = history[-1]
    return {"chart": {"result": [_chart_result(inst, history, last)], "error": None}}


def _chart_result(inst: Instrument, history: tuple[Tick, ...], last: Tick) -> JsonDict:
    """One chart result; the bars repeat each trade's price as OHLC."""
    closes = [t.price for t in history]
    previous = (history[0], *history[:-1])
    volumes = [t.volume - p.volume for p, t in zip(previous, history, strict=True)]
    return {
        "meta": chart_meta(inst, last),
        "timestamp": [t.trade_time for t in history],
        "indicators": {
            "quote": [
                {
                    "open": closes,
                    "high": closes,
                    "low": closes,
                    "close": closes,
                    "volume": volumes,
                }
            ]
        },
    }


def chart_meta(inst: Instrument, tick: Tick) -> JsonDict:
    """The chart ``meta`` object (names and currency as v7, other key names)."""
    venue = inst.venue
    meta: JsonDict = {
        "currency": inst.currency,
        "symbol": inst.symbol,
        "exchangeName": venue.exchange,
        "fullExchangeName": venue.full_name,
        "instrumentType": inst.quote_type,
        "regularMarketTime": tick.trade_time,
        "hasPrePostMarketData": inst.quote_type == "EQUITY",
        "gmtoffset": venue.gmt_offset_ms // 1000,
        "timezone": venue.tz_short,
        "exchangeTimezoneName": venue.timezone,
        "regularMarketPrice": tick.price,
        "regularMarketDayHigh": tick.day_high,
        "regularMarketDayLow": tick.day_low,
        "regularMarketVolume": tick.volume,
        "longName": inst.long_name,
        "shortName": inst.short_name,
        "chartPreviousClose": inst.price,
        "previousClose": inst.price,
        "priceHint": inst.decimals,
        "dataGranularity": "1m",
        "range": "1d",
    }
    if inst.long_name is None:
        del meta["longName"]
    return meta


def transform(results: list[JsonDict], faults: Iterable[Transform]) -> list[JsonDict]:
    """Apply quote faults in arming order."""
    for fault in faults:
        results = _apply(results, fault)
    return results


def _apply(results: list[JsonDict], fault: Transform) -> list[JsonDict]:
    """One quote fault over a result list."""
    if isinstance(fault, Reorder):
        return results[::-1]
    if isinstance(fault, Duplicate):
        return results + [dict(r) for r in results]
    if isinstance(fault, Omit):
        return [r for r in results if r["symbol"] not in fault.symbols]
    if isinstance(fault, Truncate):
        return results  # cuts the serialised body, see app._json
    if isinstance(fault, Stub):
        return [stub_quote(r["symbol"]) if r["symbol"] in fault.symbols else r for r in results]
    return [patch(r, fault) if r["symbol"] in fault.symbols else r for r in results]


def patch(item: JsonDict, fault: Patch) -> JsonDict:
    """A copy of a quote dict or chart meta with the Patch's edits."""
    edited = {k: v for k, v in item.items() if k not in fault.drop}
    edited.update(fault.values)
    for key in ("shortName", "longName"):
        if fault.pad and isinstance(edited.get(key), str):
            edited[key] = f"{fault.pad}{edited[key]}{fault.pad}"
    return edited
