"""Headless Chromium driven over the DevTools protocol, for the dashboard tests.

Chromium is Debian's ``chromium`` package, which ``.ci/run`` installs before the tests
(``apt-get install -y chromium``); the tests never install it. The page is driven over the
DevTools protocol on 127.0.0.1, so console messages, exceptions and failed loads are all seen.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

CHROMIUM_FLAGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"),
    *("--disable-component-update", "--disable-sync", "--no-first-run"),
    *("--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"),
]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, which .ci/run installs (the tests do not)."""
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("chromium is missing: `apt-get install chromium` (.ci/run does)")
    return found


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[str]:
    """A headless Chromium; yields its DevTools WebSocket URL (127.0.0.1)."""
    profile = tmp_path / "profile"
    proc = subprocess.Popen(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "DevTools listening on " in line:
                yield line.split("DevTools listening on ", 1)[1].strip()
                break
        else:
            pytest.fail("chromium exited before opening DevTools")
    finally:
        proc.terminate()
        proc.wait()


def is_error(event: dict[str, Any]) -> bool:
    """A DevTools event that DevTools would show as a red console line."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.consoleAPICalled":
        return params.get("type") in {"error", "assert"}
    if method == "Log.entryAdded":
        return bool(params["entry"]["level"] == "error")
    return method == "Runtime.exceptionThrown"


class Page:
    """A minimal DevTools client: one tab, its console and exceptions."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws, self.next_id, self.session = ws, 0, ""
        self.events: list[dict[str, Any]] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer, keeping the events seen meanwhile."""
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        await self.ws.send_json(message)
        while True:
            reply = await self.ws.receive_json()
            if reply.get("id") == self.next_id:
                assert "error" not in reply, reply
                return dict(reply["result"])
            self.events.append(reply)

    async def wait_for(self, method: str) -> None:
        """Read events until ``method`` arrives."""
        while not any(e.get("method") == method for e in self.events):
            self.events.append(await self.ws.receive_json())

    def errors(self) -> list[dict[str, Any]]:
        """Console errors, uncaught exceptions and failed loads."""
        return [e["params"] for e in self.events if is_error(e)]


async def open_tab(ws: aiohttp.ClientWebSocketResponse, url: str) -> Page:
    """A new tab showing ``url``, loaded, with its console and exceptions recorded."""
    page = Page(ws)
    target = await page.send("Target.createTarget", url="about:blank")
    attached = await page.send("Target.attachToTarget", targetId=target["targetId"], flatten=True)
    page.session = attached["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        await page.send(f"{domain}.enable")
    await page.send("Page.navigate", url=url)
    await page.wait_for("Page.loadEventFired")
    return page


async def evaluate(page: Page, expression: str) -> Any:
    """The value of a JavaScript expression in the tab (JSON-serialisable)."""
    answer = await page.send("Runtime.evaluate", expression=expression, returnByValue=True)
    assert "exceptionDetails" not in answer, answer
    return answer["result"].get("value")
