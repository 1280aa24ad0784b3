"""One polite HTTP layer for every Yahoo call: bounded concurrency, retries, body checks.

Retries 429, 5xx, timeouts and connection errors with exponential backoff and
jitter, honouring ``Retry-After``, never past the tick's deadline. A JSON answer
whose body is cut short or is not JSON (an HTML page with 200) is retried the same
way: proxies and Yahoo's edge send both, and the next attempt usually works. A body
that reads "Too Many Requests" is a 429 whatever its status. After
``rate_limit_trip`` consecutive 429 answers the tick stops asking Yahoo at all;
both that and a 429 that outlasts the retries raise ``RateLimitedError``. Bodies
are checked before parsing, so an HTML 429 page is an error with its status and a
snippet, never JSON or a crumb.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from producer.errors import FetchError, RateLimitedError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from producer.settings import ProducerSettings

SNIPPET_CHARS = 120
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_OK = frozenset({200})
_RATE_LIMIT_TEXT = b"too many requests"


@dataclass
class FetchStats:
    """Counts a tick reports: requests made, retries, errors by kind, fields cut to their limit."""

    requests: int = 0
    retries: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    rate_limited: bool = False
    truncated: Counter[str] = field(default_factory=Counter)
    transport_switches: int = 0


@dataclass(frozen=True, slots=True)
class Answer:
    """A response read in full, so the connection goes back to the pool at once."""

    status: int
    body: bytes
    content_type: str
    retry_after: float | None

    def snippet(self) -> str:
        """A short, single-line excerpt for logs and error messages."""
        text = self.body[:SNIPPET_CHARS].decode("utf-8", "replace")
        return " ".join(text.split())

    def json(self) -> Any:
        """Parse the body as JSON only when it looks like JSON."""
        if self.body.lstrip()[:1] not in (b"{", b"["):
            raise FetchError("bad_body", "not JSON", status=self.status, snippet=self.snippet())
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise FetchError(
                "bad_body", "invalid JSON", status=self.status, snippet=self.snippet()
            ) from exc


class Backend(Protocol):
    """The one HTTP client behind every Yahoo call (implementations in ``backends``).

    The client and session code talk only to this: one GET read in full, the
    cookies for a URL, and ``escalate`` — "Yahoo rate-limits this client; switch to a
    more browser-like one if allowed" (``True`` when it did).
    """

    @property
    def name(self) -> str: ...

    async def send(self, url: str, params: Mapping[str, str] | None, timeout: float) -> Answer:
        """One GET; raises ``FetchError`` (``timeout``/``connection``) when no answer came."""
        ...

    def cookies(self, url: str) -> dict[str, str]: ...

    def set_cookies(self, cookies: Mapping[str, str], url: str) -> None: ...

    def clear_cookies(self) -> None: ...

    def escalate(self) -> bool: ...

    async def close(self) -> None: ...


def status_kind(status: int) -> str:
    """Name an HTTP failure the way the tick summary counts it."""
    if status == 429:
        return "http_429"
    return "http_5xx" if status >= 500 else "http_status"


def _rate_limit_status(status: int, body: bytes) -> int:
    """429 for a "Too Many Requests" body: Yahoo's edge sends it with a 200 too."""
    return 429 if body[:40].strip().lower().startswith(_RATE_LIMIT_TEXT) else status


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, moment - (time.time() if now is None else now))


class YahooHttp:
    """Sends GETs for one tick, sharing its deadline, concurrency limit and 429 breaker."""

    def __init__(
        self,
        backend: Backend,
        settings: ProducerSettings,
        *,
        deadline: float,
        stats: FetchStats | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self.deadline = deadline
        self.stats = stats if stats is not None else FetchStats()
        self._rng = rng
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._consecutive_429 = 0

    async def get(self, url: str, params: Mapping[str, str] | None = None) -> Answer:
        """GET with retries; returns the final answer (any status) or raises ``FetchError``."""
        answer, _ = await self._retrying(url, params, frozenset())
        return answer

    async def get_json(
        self, url: str, params: Mapping[str, str] | None = None, *, accept: frozenset[int] = _OK
    ) -> tuple[Answer, Any]:
        """GET and parse JSON; an answer in ``accept`` that is not JSON is retried like a 5xx."""
        answer, payload = await self._retrying(url, params, accept)
        if answer.status not in accept:
            raise self.failure(
                status_kind(answer.status), url, status=answer.status, snippet=answer.snippet()
            )
        return answer, payload

    async def _retrying(
        self, url: str, params: Mapping[str, str] | None, json_statuses: frozenset[int]
    ) -> tuple[Answer, Any]:
        """Send until an answer is final; parse JSON for ``json_statuses``, or raise."""
        attempt = 0
        while True:
            self._check_open()
            wait = None
            try:
                answer = await self._send(url, params)
                self._note_status(answer.status)
                wait = answer.retry_after
                return answer, self._final(url, answer, json_statuses)
            except FetchError as exc:
                failure: FetchError = exc
            attempt += 1
            await self._back_off(attempt, wait, failure)

    @staticmethod
    def _final(url: str, answer: Answer, json_statuses: frozenset[int]) -> Any:
        """The parsed body of a final answer; raise for one worth another attempt."""
        if answer.status in RETRY_STATUSES:
            error = RateLimitedError if answer.status == 429 else FetchError
            kind = status_kind(answer.status)
            raise error(kind, url, status=answer.status, snippet=answer.snippet())
        return answer.json() if answer.status in json_statuses else None

    def failure(self, kind: str, message: str, **detail: Any) -> FetchError:
        """Count an error that is not retried and return it for raising."""
        self.stats.errors[kind] += 1
        return FetchError(kind, message, **detail)

    async def _send(self, url: str, params: Mapping[str, str] | None) -> Answer:
        """One request through the backend, inside the concurrency limit and the deadline."""
        remaining = self.deadline - time.monotonic()
        timeout = max(0.01, min(self.settings.timeout_seconds, remaining))
        async with self._slots:
            self._check_open()
            self.stats.requests += 1
            answer = await self.backend.send(url, params, timeout)
        status = _rate_limit_status(answer.status, answer.body)
        return answer if status == answer.status else dataclasses.replace(answer, status=status)

    def escalate(self) -> bool:
        """Ask the backend to switch to a browser-like client; a switch resets the breaker."""
        if not self.backend.escalate():
            return False
        self.stats.transport_switches += 1
        self._consecutive_429 = 0
        self.stats.rate_limited = False
        return True

    def _note_status(self, status: int) -> None:
        """Track consecutive 429s: a run of them trips the breaker for the rest of the tick."""
        self._consecutive_429 = self._consecutive_429 + 1 if status == 429 else 0
        if self._consecutive_429 >= self.settings.rate_limit_trip:
            self.stats.rate_limited = True

    def _check_open(self) -> None:
        """Refuse to ask Yahoo once rate limited or out of time."""
        if self.stats.rate_limited:
            self.stats.errors["rate_limited"] += 1
            raise RateLimitedError("rate_limited", "stopped asking after repeated 429 answers")
        if time.monotonic() >= self.deadline:
            self.stats.errors["budget"] += 1
            raise FetchError("budget", "tick time budget spent")

    async def _back_off(self, attempt: int, retry_after: float | None, failure: FetchError) -> None:
        """Sleep before the next attempt, or raise ``failure`` when no attempt is left."""
        self.stats.errors[failure.kind] += 1
        if attempt >= self.settings.max_attempts or self.stats.rate_limited:
            raise failure
        ceiling = min(
            self.settings.backoff_max_seconds,
            self.settings.backoff_base_seconds * 2 ** (attempt - 1),
        )
        delay = ceiling * (0.5 + 0.5 * self._rng())
        if retry_after is not None:
            delay = max(delay, retry_after)
        if time.monotonic() + delay >= self.deadline:
            raise failure
        self.stats.retries += 1
        await asyncio.sleep(delay)
