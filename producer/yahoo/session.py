"""Yahoo's cookie + crumb handshake, cached across warm invocations and renewed once on 401.

The cookie comes from ``YAHOO_COOKIE_URL`` (it answers 404 and sets ``A3`` — the 404 is
expected); the crumb is the plain-text body of ``/v1/test/getcrumb``. A renewal runs
under a lock, so a burst of 401 answers renews the pair once. A crumb Yahoo keeps
rate-limiting asks the transport to escalate (``YAHOO_TRANSPORT=auto``: to curl_cffi)
and, when it did, shakes hands once more on the new transport.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from producer.errors import RateLimitedError
from producer.log import logger
from producer.yahoo.transport import status_kind

if TYPE_CHECKING:
    from producer.settings import ProducerSettings
    from producer.yahoo.transport import YahooHttp

CRUMB_PATH = "/v1/test/getcrumb"
_CRUMB = re.compile(r"^[^\s<>\"'{}]{1,64}$")


def yahoo_url(settings: ProducerSettings, path: str) -> str:
    """Join a Yahoo path to YAHOO_BASE_URL, keeping any path prefix the base carries."""
    return settings.yahoo_base_url.rstrip("/") + path


@dataclass
class CrumbCache:
    """The cookie and crumb that outlive one event loop (kept at module level by the handler)."""

    crumb: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    renewals: int = 0


class CrumbAuth:
    """Hands out the current crumb and renews cookie + crumb once per stale crumb."""

    def __init__(self, http: YahooHttp, cache: CrumbCache) -> None:
        self.http = http
        self.cache = cache
        self._lock = asyncio.Lock()
        self._base = http.settings.yahoo_base_url
        if cache.crumb is not None and cache.cookies:
            http.backend.set_cookies(cache.cookies, self._base)

    async def crumb(self) -> str:
        """The crumb to use now, fetching cookie and crumb when none is cached."""
        current = self.cache.crumb
        return current if current is not None else await self.renew(None)

    async def renew(self, stale: str | None) -> str:
        """Replace ``stale`` (None: nothing yet); a crumb another task already renewed is reused."""
        async with self._lock:
            current = self.cache.crumb
            if current is not None and current != stale:
                return current
            self.cache.crumb = None
            try:
                crumb = await self._handshake()
            except RateLimitedError:
                if not self.http.escalate():
                    raise
                logger.info("crumb rate-limited: handshake again on the new transport")
                crumb = await self._handshake()
            self.cache.cookies = self.http.backend.cookies(self._base)
            self.cache.crumb = crumb
            self.cache.renewals += 1
            return crumb

    async def _handshake(self) -> str:
        """A fresh cookie, then its crumb."""
        self.http.backend.clear_cookies()
        await self.http.get(self.http.settings.yahoo_cookie_url)
        return await self.fetch_crumb()

    async def fetch_crumb(self) -> str:
        """Read the crumb for the cookie held now, refusing anything but a short plain token."""
        answer = await self.http.get(yahoo_url(self.http.settings, CRUMB_PATH))
        if answer.status != 200:
            raise self.http.failure(
                status_kind(answer.status),
                "crumb refused",
                status=answer.status,
                snippet=answer.snippet(),
            )
        text = answer.body.decode("utf-8", "replace").strip()
        if "html" in answer.content_type or not _CRUMB.match(text):
            raise self.http.failure(
                "bad_body", "crumb is not a token", status=200, snippet=answer.snippet()
            )
        return text
