"""Run the market app on a private thread and event loop, for sync callers."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Self

from aiohttp import web

from infra.local.yahoo.app import create_app
from infra.local.yahoo.state import SimulatedMarket

if TYPE_CHECKING:
    from infra.local.yahoo.tls import TlsFiles


class MarketServer:
    """Runs the app on its own thread and event loop, for sync code and the embedded stack.

    With ``tls`` (see ``tls.self_signed``) it serves HTTPS; clients trust ``tls.cert``.
    """

    def __init__(
        self,
        market: SimulatedMarket | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tls: TlsFiles | None = None,
    ) -> None:
        self.market = market or SimulatedMarket()
        self.host = host
        self.port = port
        self.tls = tls
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """Base URL for both YAHOO_COOKIE_URL and YAHOO_BASE_URL."""
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def localhost_url(self) -> str:
        """The same server by host name, for clients whose cookie jar refuses IP hosts."""
        return f"{self.scheme}://localhost:{self.port}"

    @property
    def scheme(self) -> str:
        """``https`` when serving with a certificate."""
        return "http" if self.tls is None else "https"

    def start(self) -> Self:
        """Start serving; returns once the port is bound (or raises why not)."""
        self._thread = threading.Thread(target=self._run, name="market-server", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError("market server failed to start") from self._error
        return self

    def stop(self) -> None:
        """Stop serving; pending (hung) requests are cancelled."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join()
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        """Thread body: a private event loop running the server until stopped."""
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # surfaced to start() if it happens before ready
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        """Bind, signal readiness, wait for stop, clean up."""
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        runner = web.AppRunner(
            create_app(self.market), handler_cancellation=True, access_log=None, shutdown_timeout=1
        )
        await runner.setup()
        try:
            context = None if self.tls is None else self.tls.server_context()
            site = web.TCPSite(runner, self.host, self.port, ssl_context=context)
            await site.start()
            self.port = runner.addresses[0][1]
            self._ready.set()
            await self._stop.wait()
        finally:
            await runner.cleanup()
