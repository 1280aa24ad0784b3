"""The simulated market's state: instruments, price walks, sessions, faults, records.

Thread-safe, because the server runs on its own event-loop thread while tests
arm faults and read records from theirs.

Everything that depends on time reads the one ``clock`` (epoch seconds) the market
is given: trades, ``regularMarketTime``, ``marketState``, the minute bars and cookie
expiry. Tests pass a clock they move by hand and set exact moments (a holiday, an
early close, a DST change), and give the same moment to the session logic they test::

    clock = FakeClock(datetime(2026, 11, 27, 18, 0, tzinfo=UTC).timestamp())
    market = SimulatedMarket(clock=clock, sessions=True)   # follows producer.sessions
    market.quotes(["AAPL"])[0]["marketState"]               # "POST": early close
    default_table().in_session("NMS", datetime.fromtimestamp(clock(), UTC))  # False

``sessions=False`` (the default, and ``quotepipe run``'s) trades at any hour with
``marketState`` REGULAR, so tests on the real clock see trades whenever they run.
"""

from __future__ import annotations

import math
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from infra.local.yahoo.bars import bars_answer, range_error
from infra.local.yahoo.faults import Endpoint, Fault, FaultPlan
from infra.local.yahoo.instruments import DEFAULT_INSTRUMENTS, Instrument, synthetic_instrument
from infra.local.yahoo.payloads import JsonDict, chart, quote
from infra.local.yahoo.trading import AlwaysOpen, Schedule, SessionSchedule
from infra.local.yahoo.walk import Tick, Walk
from producer.sessions import SessionTable, default_table

_CRUMB_ALPHABET = string.ascii_letters + string.digits + "./"
COOKIE_MAX_AGE = 31_557_600
"""Seconds an A3 cookie (and its crumb) stays valid on the market's clock: a year, as Yahoo's."""


@dataclass(frozen=True)
class ServedRequest:
    """One request as the server saw it, for assertions on retries and batching."""

    kind: str
    path: str
    status: int
    symbols: tuple[str, ...] = ()
    user_agent: str = ""


def _new_cookie() -> str:
    """An A3 value shaped like Yahoo's (``d=…&S=…``)."""
    return f"d=AQABB{secrets.token_urlsafe(36)}&S=AQAAA{secrets.token_urlsafe(16)}"


def _new_crumb() -> str:
    """Eleven characters, like real crumbs (``Dq7t.iOuX/m``)."""
    return "".join(secrets.choice(_CRUMB_ALPHABET) for _ in range(11))


class SimulatedMarket:
    """Prices that move with the clock, deterministic for a given seed (see the module doc)."""

    def __init__(
        self,
        *,
        seed: int = 42,
        instruments: Iterable[Instrument] = DEFAULT_INSTRUMENTS,
        trade_interval: float = 1.0,
        latency: float = 0.0,
        synthetic: bool = True,
        require_browser_ua: bool = True,
        require_browser_fingerprint: bool = False,
        clock: Callable[[], float] = time.time,
        sessions: bool = False,
        table: SessionTable | None = None,
    ) -> None:
        if trade_interval < 1.0:
            raise ValueError("trade_interval >= 1 s keeps regularMarketTime unique per trade")
        self.seed = seed
        self.trade_interval = trade_interval
        self.latency = latency
        self.synthetic = synthetic
        self.require_browser_ua = require_browser_ua
        self.require_browser_fingerprint = require_browser_fingerprint
        self.faults = FaultPlan()
        self.sessions = sessions
        self._table = table if table is not None else default_table()
        self._schedules: dict[str, Schedule] = {}
        self._clock = clock
        self._anchor = math.floor(clock())
        self._lock = threading.RLock()
        self._walks: dict[str, Walk] = {}
        self._halted: set[str] = set()
        self._crumbs: dict[str, str] = {}
        self._issued: dict[str, float] = {}
        self._served: dict[str, dict[int, float]] = {}
        self._requests: list[ServedRequest] = []
        for instrument in instruments:
            self.add(instrument)

    # --- instruments and prices -------------------------------------------------

    def add(self, instrument: Instrument) -> None:
        """Serve ``instrument`` (replacing one of the same symbol), starting at its price."""
        schedule = self._schedule(instrument.venue.exchange)
        walk = Walk(instrument, self.seed, self._anchor, self.trade_interval, schedule)
        with self._lock:
            self._walks[instrument.symbol] = walk

    def _schedule(self, exchange: str) -> Schedule:
        """When ``exchange`` trades: its sessions with ``sessions=True``, else always."""
        if not self.sessions:
            return AlwaysOpen()
        with self._lock:
            if exchange not in self._schedules:
                self._schedules[exchange] = SessionSchedule.of(self._table, exchange)
            return self._schedules[exchange]

    def market_state(self, symbol: str) -> str | None:
        """Yahoo's ``marketState`` of ``symbol``'s venue now; None for an unknown symbol."""
        walk = self._walk(symbol)
        return None if walk is None else self._state(walk)

    def _state(self, walk: Walk) -> str:
        return self._schedule(walk.instrument.venue.exchange).state(self._clock())

    def instrument(self, symbol: str) -> Instrument | None:
        """The instrument served under ``symbol`` (synthetic ones included)."""
        walk = self._walk(symbol)
        return walk.instrument if walk else None

    def halt(self, *symbols: str) -> None:
        """Stop trading: regularMarketTime and price freeze (unchanged-quote tests)."""
        with self._lock:
            for walk in filter(None, map(self._walk, symbols)):
                self._advance(walk)
                self._halted.add(walk.instrument.symbol)

    def resume(self, *symbols: str) -> None:
        """Trade again from now on; the halted minutes keep no trades (null bars)."""
        with self._lock:
            for walk in filter(None, map(self._walk, symbols)):
                if walk.instrument.symbol in self._halted:
                    self._halted.discard(walk.instrument.symbol)
                    walk.skip_to(self._clock())

    def quotes(self, symbols: Iterable[str]) -> list[JsonDict]:
        """v7 results for the known ``symbols``, in request order; unknown ones omitted."""
        with self._lock:
            walks = [w for w in map(self._walk, symbols) if w is not None]
            return [quote(w.instrument, self._advance(w), self._state(w)) for w in walks]

    def chart(self, symbol: str) -> JsonDict | None:
        """The v8 chart answer for ``symbol``, or ``None`` when it is unknown."""
        with self._lock:
            walk = self._walk(symbol)
            if walk is None:
                return None
            self._advance(walk)
            return chart(walk.instrument, walk.history)

    def bars(
        self, symbol: str, period1: int, period2: int | None = None
    ) -> tuple[int, JsonDict] | None:
        """Status and body of a 1m chart request for [period1, period2); None when unknown."""
        with self._lock:
            walk = self._walk(symbol)
            if walk is None:
                return None
            now = self._clock()
            period2 = math.floor(now) + 1 if period2 is None else period2
            refused = range_error(period1, period2, now)
            if refused is not None:
                return refused
            last = self._advance(walk)
            start, end = max(period1, walk.first_minute), min(period2, math.floor(now) + 1)
            minutes = self._schedule(walk.instrument.venue.exchange).open_minutes(start, end)
            return 200, bars_answer(walk.instrument, last, minutes, walk.bar)

    def _walk(self, symbol: str) -> Walk | None:
        """Find or (for synthetic symbols) create the walk of ``symbol``."""
        with self._lock:
            walk = self._walks.get(symbol)
            if walk is None and self.synthetic:
                invented = synthetic_instrument(symbol, self.seed)
                if invented is not None:
                    self.add(invented)
                    walk = self._walks[symbol]
            return walk

    def _advance(self, walk: Walk) -> Tick:
        """Bring a walk up to the clock, unless its symbol is halted."""
        if walk.instrument.symbol in self._halted:
            return walk.last
        return walk.advance(self._clock())

    # --- cookie and crumb -------------------------------------------------------

    def new_session(self) -> str:
        """Issue an A3 cookie value; its crumb is created with it."""
        cookie = _new_cookie()
        with self._lock:
            self._crumbs[cookie] = _new_crumb()
            self._issued[cookie] = self._clock()
        return cookie

    def crumb_for(self, cookie: str | None) -> str | None:
        """The crumb bound to ``cookie``, ``None`` if the cookie is unknown or expired."""
        with self._lock:
            if not cookie or self._clock() >= self._issued.get(cookie, 0.0) + COOKIE_MAX_AGE:
                return None
            return self._crumbs.get(cookie)

    def auth_error(self, cookie: str | None, crumb: str | None) -> str | None:
        """Why a quote request is refused ("Invalid Cookie"/"Invalid Crumb"), or ``None``."""
        expected = self.crumb_for(cookie)
        if expected is None:
            return "Invalid Cookie"
        return None if crumb == expected else "Invalid Crumb"

    def rotate_crumbs(self) -> None:
        """Give every session a new crumb, so held crumbs answer 401 Invalid Crumb."""
        with self._lock:
            self._crumbs = {cookie: _new_crumb() for cookie in self._crumbs}

    def expire_cookies(self) -> None:
        """Forget all sessions, so held cookies answer 401 Invalid Cookie."""
        with self._lock:
            self._crumbs.clear()

    # --- faults -----------------------------------------------------------------

    def inject(
        self, fault: Fault, on: Endpoint | Iterable[Endpoint] = "quote", times: int | None = 1
    ) -> None:
        """Arm ``fault`` for the next ``times`` requests to ``on`` (None: until cleared)."""
        self.faults.add(fault, on, times)

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self.faults.clear()

    # --- records ----------------------------------------------------------------

    def record(self, items: Iterable[JsonDict]) -> None:
        """Remember the prices actually sent (after faults), keyed by symbol and time."""
        with self._lock:
            for item in items:
                price, when = item.get("regularMarketPrice"), item.get("regularMarketTime")
                if isinstance(price, float | int) and isinstance(when, int):
                    self._served.setdefault(item["symbol"], {})[when] = float(price)

    def log(self, request: ServedRequest) -> None:
        """Append to the request log."""
        with self._lock:
            self._requests.append(request)

    def served_price(self, symbol: str, trade_time: int) -> float | None:
        """The regularMarketPrice served for ``symbol`` at that regularMarketTime (Yahoo units)."""
        with self._lock:
            return self._served.get(symbol, {}).get(trade_time)

    def served(self, symbol: str) -> list[tuple[int, float]]:
        """Every (regularMarketTime, price) served for ``symbol``, oldest first."""
        with self._lock:
            return sorted(self._served.get(symbol, {}).items())

    def served_fx(self, pair: str) -> list[tuple[int, float]]:
        """Every (time, rate) served for an FX pair such as ``CAD=X`` (USD→CAD)."""
        return self.served(pair)

    def requests(self, kind: str | None = None) -> tuple[ServedRequest, ...]:
        """The request log, optionally only one endpoint kind."""
        with self._lock:
            return tuple(r for r in self._requests if kind is None or r.kind == kind)
