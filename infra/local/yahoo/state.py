"""The simulated market's state: instruments, price walks, sessions, faults, records.

Thread-safe, because the server runs on its own event-loop thread while tests
arm faults and read records from theirs.
"""

from __future__ import annotations

import math
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from infra.local.yahoo.faults import Endpoint, Fault, FaultPlan
from infra.local.yahoo.instruments import DEFAULT_INSTRUMENTS, Instrument, synthetic_instrument
from infra.local.yahoo.payloads import JsonDict, chart, quote
from infra.local.yahoo.walk import Tick, Walk

_CRUMB_ALPHABET = string.ascii_letters + string.digits + "./"


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
    """Prices that move with the wall clock, deterministic for a given seed."""

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
        self._clock = clock
        self._anchor = math.floor(clock())
        self._lock = threading.RLock()
        self._walks: dict[str, Walk] = {}
        self._halted: dict[str, int] = {}
        self._crumbs: dict[str, str] = {}
        self._served: dict[str, dict[int, float]] = {}
        self._requests: list[ServedRequest] = []
        for instrument in instruments:
            self.add(instrument)

    # --- instruments and prices -------------------------------------------------

    def add(self, instrument: Instrument) -> None:
        """Serve ``instrument`` (replacing one of the same symbol), starting at its price."""
        walk = Walk(instrument, self.seed, self._anchor, self.trade_interval)
        with self._lock:
            self._walks[instrument.symbol] = walk

    def instrument(self, symbol: str) -> Instrument | None:
        """The instrument served under ``symbol`` (synthetic ones included)."""
        walk = self._walk(symbol)
        return walk.instrument if walk else None

    def halt(self, *symbols: str) -> None:
        """Stop trading: regularMarketTime and price freeze (unchanged-quote tests)."""
        with self._lock:
            for symbol in symbols:
                self._halted[symbol] = self._step_now()

    def resume(self, *symbols: str) -> None:
        """Trade again; the walk catches up to the clock."""
        with self._lock:
            for symbol in symbols:
                self._halted.pop(symbol, None)

    def quotes(self, symbols: Iterable[str]) -> list[JsonDict]:
        """v7 results for the known ``symbols``, in request order; unknown ones omitted."""
        with self._lock:
            walks = [w for w in map(self._walk, symbols) if w is not None]
            return [quote(w.instrument, self._advance(w)) for w in walks]

    def chart(self, symbol: str) -> JsonDict | None:
        """The v8 chart answer for ``symbol``, or ``None`` when it is unknown."""
        with self._lock:
            walk = self._walk(symbol)
            if walk is None:
                return None
            self._advance(walk)
            return chart(walk.instrument, walk.history)

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
        step = self._halted.get(walk.instrument.symbol, self._step_now())
        return walk.advance(step)

    def _step_now(self) -> int:
        """Index of the newest trade at the current time."""
        return max(0, math.floor((self._clock() - self._anchor) / self.trade_interval))

    # --- cookie and crumb -------------------------------------------------------

    def new_session(self) -> str:
        """Issue an A3 cookie value; its crumb is created with it."""
        cookie = _new_cookie()
        with self._lock:
            self._crumbs[cookie] = _new_crumb()
        return cookie

    def crumb_for(self, cookie: str | None) -> str | None:
        """The crumb bound to ``cookie``, ``None`` if the cookie is unknown or expired."""
        with self._lock:
            return self._crumbs.get(cookie) if cookie else None

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
