"""A local Yahoo Finance: the endpoints the producer calls, over a simulated market.

Routes (paths as on Yahoo, so one base URL serves as both ``YAHOO_COOKIE_URL``
and ``YAHOO_BASE_URL``):

- ``GET /`` — like fc.yahoo.com: 404 HTML page plus ``Set-Cookie: A3=…``.
- ``GET /v1/test/getcrumb`` — the crumb as text/plain; 401 without a valid A3.
- ``GET /v7/finance/quote?symbols=A,B&crumb=…`` — needs A3 and its crumb, else
  401 ``{"finance":{"result":null,"error":{"code":"Unauthorized",…}}}``;
  unknown symbols are left out of ``quoteResponse.result``.
- ``GET /v8/finance/chart/{symbol}`` — no crumb; unknown → 404 ``chart.error``. With
  ``interval=1m&period1=…&period2=…``: one-minute bars consistent with the quotes
  served (see ``bars``), 422 beyond 7 days per request or 30 days back.
- Time: everything reads the market's ``clock``; ``SimulatedMarket(sessions=True)``
  trades and reports ``marketState`` by ``producer.sessions`` (see ``state``, ``trading``).
- Without a browser User-Agent (``Mozilla/…``) every route answers 429
  ``Too Many Requests`` text, as Yahoo does (``require_browser_ua=False`` to switch off);
  with ``require_browser_fingerprint=True`` so does every request without a browser's
  client hints (``Sec-CH-UA``), standing in for Yahoo's TLS fingerprinting.
- ``MarketServer(market, tls=self_signed(tmp_path))`` serves HTTPS with a throwaway
  certificate that clients trust by CA file (``YAHOO_CA_BUNDLE``).

Faults (see ``faults``) are armed on the market, per endpoint and count::

    market = SimulatedMarket(latency=0.1)               # every request +100 ms
    market.inject(too_many_requests(retry_after=1), on="quote", times=3)
    market.inject(invalid_crumb())                        # next quote: 401 once
    market.inject(omit("AAPL"), times=None)               # v7 never has AAPL
    market.inject(hang(30), on="chart")                   # next chart hangs
    market.inject(truncated(), on="quote")                # next v7 JSON cut short
    market.rotate_crumbs()                                # held crumbs go stale
    with MarketServer(market) as server:
        ...  # YAHOO_BASE_URL = YAHOO_COOKIE_URL = server.url (or server.localhost_url)
    market.served_price("VOD.L", trade_time)              # pence, as served
    market.requests("quote")                              # (kind, path, status, symbols)
"""

from __future__ import annotations

from infra.local.yahoo.app import create_app
from infra.local.yahoo.faults import (
    ENDPOINTS,
    Delay,
    Duplicate,
    Endpoint,
    Fault,
    Omit,
    Patch,
    Reorder,
    Respond,
    Stub,
    Truncate,
    drop_long_name,
    duplicate,
    empty_crumb,
    hang,
    html_200,
    invalid_cookie,
    invalid_crumb,
    omit,
    oversized_name,
    pad_names,
    rate_limit_text,
    rename,
    reorder,
    server_error,
    stub,
    too_many_requests,
    trade_time_at,
    truncated,
)
from infra.local.yahoo.instruments import (
    DEFAULT_INSTRUMENTS,
    DEMO_SYMBOLS,
    UNKNOWN_SYMBOL,
    Instrument,
    Venue,
    synthetic_symbols,
)
from infra.local.yahoo.server import MarketServer
from infra.local.yahoo.state import ServedRequest, SimulatedMarket

__all__ = [
    "DEFAULT_INSTRUMENTS",
    "DEMO_SYMBOLS",
    "ENDPOINTS",
    "UNKNOWN_SYMBOL",
    "Delay",
    "Duplicate",
    "Endpoint",
    "Fault",
    "Instrument",
    "MarketServer",
    "Omit",
    "Patch",
    "Reorder",
    "Respond",
    "ServedRequest",
    "SimulatedMarket",
    "Stub",
    "Truncate",
    "Venue",
    "create_app",
    "drop_long_name",
    "duplicate",
    "empty_crumb",
    "hang",
    "html_200",
    "invalid_cookie",
    "invalid_crumb",
    "omit",
    "oversized_name",
    "pad_names",
    "rate_limit_text",
    "rename",
    "reorder",
    "server_error",
    "stub",
    "synthetic_symbols",
    "too_many_requests",
    "trade_time_at",
    "truncated",
]
