"""``quotepipe dashboard --serve``: the dashboard page, kept current without a reload.

An aiohttp server on 127.0.0.1 (unless told otherwise) in a thread of its own, so it
can run beside ``quotepipe run``. ``GET /`` is the page of ``infra.dashboard.page`` plus
a small inline script; every ``refresh`` seconds the script asks ``GET /api/panels``
for each panel's fresh HTML and swaps the panels in place. Each answer opens the local
engine anew, because it loads silver when it opens: a tick written since the last
refresh is in the next one. The server only reads the lake; a failing query shows in
its panel, and a lake that cannot be loaded shows in every panel, never a dead page.
"""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from aiohttp import web

from infra.dashboard.data import PANELS, DashboardData, collect_lake
from infra.dashboard.page import byline, panels, render, title
from infra.local.athena.engine import LocalAthena
from infra.sqlfiles.errors import AthenaError

DEFAULT_PORT = 8050
DEFAULT_REFRESH_SECONDS = 5.0
NO_STORE = {"Cache-Control": "no-store"}  # every answer is a fresh read of the lake
# Swaps each panel for the server's fresh one; a failed fetch says so and tries again.
SCRIPT = """(() => {
  const every = %(ms)d, status = document.getElementById('live-status');
  async function refresh() {
    try {
      const answer = await fetch('api/panels', {cache: 'no-store'});
      if (!answer.ok) throw new Error('HTTP ' + answer.status);
      const page = await answer.json();
      for (const [key, html] of Object.entries(page.panels)) {
        const old = document.getElementById('panel-' + key);
        if (old) old.outerHTML = html;
      }
      document.title = page.title;
      document.getElementById('page-title').textContent = page.title;
      document.getElementById('page-byline').textContent = page.byline;
      status.textContent = 'live: updated ' + page.generated + ' UTC, every %(s)s s';
      status.className = 'meta';
    } catch (err) {
      status.textContent = 'live: refresh failed (' + err.message + '), retrying';
      status.className = 'meta stale';
    } finally {
      setTimeout(refresh, every);
    }
  }
  setTimeout(refresh, every);
})();"""


def snapshot(lake: Path, as_of: datetime | None = None) -> DashboardData:
    """Every panel of the lake as it is now; errors kept in their panels."""
    as_of = as_of or datetime.now(UTC)
    try:
        with LocalAthena(lake) as athena:
            return collect_lake(athena, as_of, tolerant=True)
    except AthenaError as exc:  # the lake itself could not be loaded: say so everywhere
        message = " ".join(exc.message.split())
        day = as_of.date().isoformat()
        return DashboardData(day, as_of, {}, {}, errors=dict.fromkeys(PANELS, message))


def live_block(refresh: float) -> str:
    """The status line and the refresh script the live page carries."""
    script = SCRIPT % {"ms": round(refresh * 1000), "s": f"{refresh:g}"}
    status = escape(f"live: refreshing every {refresh:g} s")
    return f'<p class="meta" id="live-status">{status}</p><script>{script}</script>'


def panels_json(data: DashboardData) -> dict[str, Any]:
    """What ``/api/panels`` answers: each panel's HTML, the heading and the byline."""
    return {
        "title": title(data),
        "byline": byline(data),
        "generated": f"{data.as_of:%Y-%m-%d %H:%M:%S}",
        "panels": panels(data),
        "errors": data.errors,
    }


class LiveServer:
    """The live dashboard of one lake, served from a thread until ``stop``."""

    def __init__(
        self,
        lake: Path,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        refresh: float = DEFAULT_REFRESH_SECONDS,
    ) -> None:
        self.lake, self.host, self.port, self.refresh = lake, host, port, refresh
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._failed: OSError | None = None
        self._lock: asyncio.Lock | None = None

    @property
    def url(self) -> str:
        """Where the page is, once started (the bound port when asked for port 0)."""
        return f"http://{self.host}:{self.port}/"

    def app(self) -> web.Application:
        """The two routes: the page and its panels as JSON."""
        app = web.Application()
        app.router.add_get("/", self._page)
        app.router.add_get("/api/panels", self._panels)
        return app

    async def _data(self) -> DashboardData:
        """One snapshot at a time: each opens DuckDB over the whole lake."""
        assert self._lock is not None
        async with self._lock:
            return await asyncio.to_thread(snapshot, self.lake)

    async def _page(self, _: web.Request) -> web.Response:
        page = render(await self._data(), live=live_block(self.refresh))
        return web.Response(text=page, content_type="text/html", headers=NO_STORE)

    async def _panels(self, _: web.Request) -> web.Response:
        body = json.dumps(panels_json(await self._data()))
        return web.Response(text=body, content_type="application/json", headers=NO_STORE)

    def start(self) -> LiveServer:
        """Bind and serve in a daemon thread; an ``OSError`` if the address cannot be bound."""
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name="quotepipe-dashboard", daemon=True
        )
        self._thread.start()
        ready.wait()
        if self._failed is not None:
            raise self._failed
        return self

    def _serve(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        runner = web.AppRunner(self.app(), access_log=None)
        try:
            loop.run_until_complete(self._bind(runner))
        except OSError as exc:
            self._failed = exc
            loop.run_until_complete(runner.cleanup())
            loop.close()
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    async def _bind(self, runner: web.AppRunner) -> None:
        self._lock = asyncio.Lock()
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        self.port = int(runner.addresses[0][1])  # the real port when asked for 0

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=30)
