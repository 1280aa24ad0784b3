"""The HTTP client libraries behind ``transport.Backend``: aiohttp, curl_cffi, or both in turn.

``YAHOO_TRANSPORT`` picks one:

- ``aiohttp`` — small and fast; sends the configured browser User-Agent.
- ``curl_cffi`` — libcurl impersonating Chrome (``AsyncSession(impersonate="chrome")``):
  a browser's TLS and HTTP/2 fingerprint, which Yahoo has demanded at times (2025: 429
  for every other client). The impersonated browser sends its own User-Agent and
  client hints; we never override them, or the fingerprint would contradict itself.
- ``auto`` (default) — aiohttp until Yahoo rate-limits the crumb or every quote
  request of a tick, then curl_cffi for the rest of the container's life
  (``TransportMemory`` lives in the handler's module-level state).

``YAHOO_CA_BUNDLE`` names a PEM file of the certificate authorities to trust instead
of the system's, for a local market over HTTPS; verification is never switched off.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from yarl import URL

from producer.errors import FetchError
from producer.log import logger
from producer.yahoo.transport import Answer, parse_retry_after

if TYPE_CHECKING:
    from producer.settings import ProducerSettings
    from producer.yahoo.transport import Backend

IMPERSONATE = "chrome"


@dataclass
class TransportMemory:
    """What ``auto`` remembers between warm invocations: whether it switched to curl_cffi."""

    escalated: bool = False


class AiohttpBackend:
    """aiohttp with a cookie jar that keeps cookies from IP hosts and a browser User-Agent."""

    name = "aiohttp"

    def __init__(self, settings: ProducerSettings) -> None:
        tls: ssl.SSLContext | bool = True
        if settings.yahoo_ca_bundle:
            tls = ssl.create_default_context(cafile=settings.yahoo_ca_bundle)
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=max(settings.concurrency, 1) * 2, ssl=tls),
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            headers={"User-Agent": settings.yahoo_user_agent, "Accept": "*/*"},
        )

    async def send(self, url: str, params: Mapping[str, str] | None, timeout: float) -> Answer:
        """One GET read in full; aiohttp's errors become ``FetchError`` here."""
        try:
            async with self.session.get(
                url, params=params, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as response:
                body = await response.read()
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                return Answer(response.status, body, response.content_type, retry_after)
        except TimeoutError as exc:
            raise FetchError("timeout", f"no answer within {timeout:.2f}s: {url}") from exc
        except aiohttp.ClientError as exc:
            raise FetchError("connection", f"{type(exc).__name__}: {exc}") from exc

    def cookies(self, url: str) -> dict[str, str]:
        return {
            name: m.value for name, m in self.session.cookie_jar.filter_cookies(URL(url)).items()
        }

    def set_cookies(self, cookies: Mapping[str, str], url: str) -> None:
        self.session.cookie_jar.update_cookies(cookies, URL(url))

    def clear_cookies(self) -> None:
        self.session.cookie_jar.clear()

    def escalate(self) -> bool:
        return False

    async def close(self) -> None:
        await self.session.close()


class CurlBackend:
    """curl_cffi impersonating Chrome: the browser's TLS fingerprint and its own headers."""

    name = "curl_cffi"

    def __init__(self, settings: ProducerSettings) -> None:
        # Imported here: the module loads libcurl, which aiohttp-only containers never need.
        from curl_cffi.requests import AsyncSession

        verify: Any = settings.yahoo_ca_bundle or True  # curl_cffi takes a CA file path too
        self.session: Any = AsyncSession(
            impersonate=IMPERSONATE,
            verify=verify,
            max_clients=max(settings.concurrency, 1) * 2,
        )

    async def send(self, url: str, params: Mapping[str, str] | None, timeout: float) -> Answer:
        """One GET; curl_cffi's errors become ``FetchError`` here."""
        from curl_cffi.requests.exceptions import RequestException, Timeout

        try:
            response = await self.session.get(url, params=dict(params or {}), timeout=timeout)
        except Timeout as exc:
            raise FetchError("timeout", f"no answer within {timeout:.2f}s: {url}") from exc
        except RequestException as exc:
            raise FetchError("connection", f"{type(exc).__name__}: {exc}") from exc
        headers = response.headers
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        retry_after = parse_retry_after(headers.get("Retry-After"))
        return Answer(response.status_code, response.content, content_type, retry_after)

    def cookies(self, url: str) -> dict[str, str]:
        return dict(self.session.cookies.get_dict())

    def set_cookies(self, cookies: Mapping[str, str], url: str) -> None:
        host = URL(url).host or ""
        for name, value in cookies.items():
            self.session.cookies.set(name, value, domain=host)

    def clear_cookies(self) -> None:
        self.session.cookies.clear()

    def escalate(self) -> bool:
        return False

    async def close(self) -> None:
        await self.session.close()


class AutoBackend:
    """aiohttp until Yahoo pushes back, then curl_cffi (remembered in ``TransportMemory``)."""

    def __init__(self, settings: ProducerSettings, memory: TransportMemory) -> None:
        self._settings = settings
        self._memory = memory
        self._opened: list[Backend] = []
        self._active: Backend = self._open(CurlBackend if memory.escalated else AiohttpBackend)

    @property
    def name(self) -> str:
        return self._active.name

    def _open(self, kind: type[AiohttpBackend] | type[CurlBackend]) -> Backend:
        backend = kind(self._settings)
        self._opened.append(backend)
        return backend

    async def send(self, url: str, params: Mapping[str, str] | None, timeout: float) -> Answer:
        return await self._active.send(url, params, timeout)

    def cookies(self, url: str) -> dict[str, str]:
        return self._active.cookies(url)

    def set_cookies(self, cookies: Mapping[str, str], url: str) -> None:
        self._active.set_cookies(cookies, url)

    def clear_cookies(self) -> None:
        self._active.clear_cookies()

    def escalate(self) -> bool:
        """Switch to curl_cffi once; ``False`` when already there."""
        if self._memory.escalated and self._active.name == CurlBackend.name:
            return False
        logger.warning("Yahoo rate-limits aiohttp: switching to curl_cffi (impersonating Chrome)")
        self._memory.escalated = True
        self._active = self._open(CurlBackend)
        return True

    async def close(self) -> None:
        for backend in self._opened:
            await backend.close()


@asynccontextmanager
async def open_backend(
    settings: ProducerSettings, memory: TransportMemory | None = None
) -> AsyncIterator[Backend]:
    """The backend ``YAHOO_TRANSPORT`` names, closed on exit (its sessions are loop-bound)."""
    backend: Backend
    if settings.yahoo_transport == "aiohttp":
        backend = AiohttpBackend(settings)
    elif settings.yahoo_transport == "curl_cffi":
        backend = CurlBackend(settings)
    else:
        backend = AutoBackend(settings, memory if memory is not None else TransportMemory())
    try:
        yield backend
    finally:
        await backend.close()
