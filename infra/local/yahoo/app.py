"""The aiohttp application: Yahoo's routes, its edge rules, and the armed faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

import orjson
from aiohttp import web

from infra.local.yahoo.bars import BAD_PERIODS
from infra.local.yahoo.faults import (
    ENDPOINTS,
    Delay,
    Patch,
    Respond,
    Transform,
    Truncate,
    invalid_cookie,
    invalid_crumb,
)
from infra.local.yahoo.payloads import CHART_NOT_FOUND, JsonDict, patch, quote_response, transform
from infra.local.yahoo.state import COOKIE_MAX_AGE, ServedRequest, SimulatedMarket

MARKET = web.AppKey("market", SimulatedMarket)
_TRANSFORMS: ContextVar[tuple[Transform, ...]] = ContextVar("transforms", default=())
"""Quote/chart faults taken by the middleware for the handler of the same request (task)."""
_NOT_FOUND_PAGE = "<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(body: JsonDict, status: int = 200) -> web.Response:
    """Yahoo's JSON answers: ``application/json;charset=utf-8``; a Truncate fault cuts them."""
    data = orjson.dumps(body)
    for fault in _TRANSFORMS.get():
        if isinstance(fault, Truncate):
            data = data[: max(1, int(len(data) * fault.keep))]
    return web.Response(body=data, status=status, content_type="application/json", charset="utf-8")


def _respond(fault: Respond) -> web.Response:
    """Turn an armed Respond fault into a response."""
    response = web.Response(text=fault.body, status=fault.status, content_type=fault.content_type)
    for name, value in fault.headers:
        response.headers[name] = value
    return response


def _market(request: web.Request) -> SimulatedMarket:
    """The market behind this app."""
    return request.app[MARKET]


def _requested(request: web.Request, kind: str) -> tuple[str, ...]:
    """Symbols a request names, normalised as Yahoo does (upper case, de-duplicated)."""
    if kind == "chart":
        raw = [request.match_info["symbol"]]
    elif kind == "quote":
        raw = request.query.get("symbols", "").split(",")
    else:
        return ()
    return tuple(dict.fromkeys(s.strip().upper() for s in raw if s.strip()))


def _kind(request: web.Request) -> str:
    """Endpoint kind from the matched route's name ("other" for unknown paths)."""
    name = request.match_info.route.name
    return name if name in ENDPOINTS else "other"


@web.middleware
async def _edge(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Yahoo's edge: User-Agent check, latency and faults; logs every request."""
    market, kind = _market(request), _kind(request)
    symbols, status = _requested(request, kind), 499  # 499: client went away (hang)
    try:
        response = await _answer(request, handler, market, kind, symbols)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        agent = request.headers.get("User-Agent", "")
        market.log(ServedRequest(kind, request.path, status, symbols, agent))


async def _answer(
    request: web.Request,
    handler: Handler,
    market: SimulatedMarket,
    kind: str,
    symbols: tuple[str, ...],
) -> web.StreamResponse:
    """Apply the edge rules and armed faults, then the route handler."""
    if market.require_browser_ua and "Mozilla/" not in request.headers.get("User-Agent", ""):
        return web.Response(text="Too Many Requests\r\n", status=429)
    if market.require_browser_fingerprint and "Sec-CH-UA" not in request.headers:
        # Yahoo (2025) refused clients whose TLS fingerprint is not a browser's; the
        # client hints a browser sends stand in for the fingerprint here.
        return web.Response(text="Too Many Requests\r\n", status=429)
    faults = market.faults.take(kind, symbols) if kind in ENDPOINTS else []
    delay = market.latency + sum(f.seconds for f in faults if isinstance(f, Delay))
    if delay > 0:
        await asyncio.sleep(delay)
    responds = [f for f in faults if isinstance(f, Respond)]
    if responds:
        return _respond(responds[0])
    _TRANSFORMS.set(tuple(f for f in faults if not isinstance(f, Delay | Respond)))
    return await handler(request)


async def _cookie(request: web.Request) -> web.Response:
    """fc.yahoo.com: a 404 page that sets A3 (no Domain, so it sticks to 127.0.0.1)."""
    cookie = _market(request).new_session()
    response = web.Response(text=_NOT_FOUND_PAGE, status=404, content_type="text/html")
    response.headers.add(
        "Set-Cookie", f"A3={cookie}; Max-Age={COOKIE_MAX_AGE}; Path=/; SameSite=Lax; HttpOnly"
    )
    return response


async def _crumb(request: web.Request) -> web.Response:
    """getcrumb: the session's crumb as plain text; 401 Invalid Cookie without one."""
    crumb = _market(request).crumb_for(request.cookies.get("A3"))
    if crumb is None:
        return _respond(invalid_cookie())
    return web.Response(text=crumb, content_type="text/plain")


async def _quote(request: web.Request) -> web.Response:
    """v7 quote: auth check, results for the known symbols, quote faults applied."""
    market = _market(request)
    error = market.auth_error(request.cookies.get("A3"), request.query.get("crumb"))
    if error is not None:
        return _respond(invalid_crumb() if error == "Invalid Crumb" else invalid_cookie())
    faults = _TRANSFORMS.get()
    results = transform(market.quotes(_requested(request, "quote")), faults)
    market.record(results)
    return _json(quote_response(results))


async def _chart(request: web.Request) -> web.Response:
    """v8 chart: one symbol, no crumb; Patch faults edit the meta.

    ``interval=1m`` with ``period1``/``period2`` answers one-minute bars (see ``bars``);
    any other request gets the meta and the recent trades.
    """
    market, symbol = _market(request), _requested(request, "chart")[0]
    if "period1" in request.query and request.query.get("interval") == "1m":
        periods = _periods(request)
        if periods is None:
            return _json(BAD_PERIODS, status=400)
        status, body = market.bars(symbol, *periods) or (404, None)
    else:
        status, body = 200, market.chart(symbol)
    if body is None:
        return _json(CHART_NOT_FOUND, status=404)
    if status != 200:
        return _json(body, status=status)
    result = body["chart"]["result"][0]
    for fault in _TRANSFORMS.get():
        if isinstance(fault, Patch):
            result["meta"] = patch(result["meta"], fault)
    market.record([result["meta"]])
    return _json(body)


def _periods(request: web.Request) -> tuple[int, int | None] | None:
    """period1 and period2 as epoch seconds (no period2: up to now, as on Yahoo)."""
    try:
        period1 = int(request.query["period1"])
        period2 = request.query.get("period2")
        return period1, None if period2 is None else int(period2)
    except ValueError:
        return None


def create_app(market: SimulatedMarket | None = None) -> web.Application:
    """The aiohttp application (for aiohttp's test server or an AppRunner)."""
    app = web.Application(middlewares=[_edge])
    app[MARKET] = market or SimulatedMarket()
    app.router.add_get("/", _cookie, name="cookie")
    app.router.add_get("/v1/test/getcrumb", _crumb, name="crumb")
    app.router.add_get("/v7/finance/quote", _quote, name="quote")
    app.router.add_get("/v8/finance/chart/{symbol}", _chart, name="chart")
    return app
