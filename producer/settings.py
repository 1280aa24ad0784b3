"""Producer settings: one frozen object; explicit argument > environment variable > default.

Environment variables (defaults in brackets):

- ``SYMBOLS`` [""] comma list; ``SYMBOLS_SOURCE`` [""] file path or ``s3://bucket/key`` (wins).
- ``MAX_SYMBOLS`` [10000] entries beyond this are reported as bad.
- ``DELIVERY_STREAM_NAME`` [""] Firehose stream; ``BRONZE_BUCKET`` [""] for
  ``errors/producer/`` dead letters (none when empty).
- ``YAHOO_BASE_URL`` [https://query2.finance.yahoo.com], ``YAHOO_COOKIE_URL`` [https://fc.yahoo.com],
  ``YAHOO_USER_AGENT`` [a desktop browser; aiohttp only: curl_cffi sends its browser's own].
- ``YAHOO_TRANSPORT`` [auto] ``aiohttp``, ``curl_cffi`` or ``auto`` (``producer.yahoo.backends``);
  ``YAHOO_CA_BUNDLE`` [""] PEM file of the CAs to trust instead of the system's (local HTTPS).
- ``YAHOO_BATCH_SIZE`` [50] symbols per ``/v7/finance/quote``; ``YAHOO_CONCURRENCY`` [8] requests
  in flight; ``YAHOO_TIMEOUT_SECONDS`` [10] per request.
- ``YAHOO_MAX_ATTEMPTS`` [4] per request; ``YAHOO_BACKOFF_BASE_SECONDS`` [0.5],
  ``YAHOO_BACKOFF_MAX_SECONDS`` [8] exponential backoff with jitter; ``YAHOO_RATE_LIMIT_TRIP`` [6]
  consecutive 429 answers after which the tick stops asking.
- ``TICKS_PER_INVOCATION`` [1], ``TICK_INTERVAL_SECONDS`` [60], ``TICK_BUDGET_SECONDS`` [40]
  Yahoo time per tick; ``SAFETY_MARGIN_SECONDS`` [5] kept free before the Lambda timeout.
- ``FOLLOW_SESSIONS`` [false] poll only symbols whose exchange is in session (``sessions``).

The scheduled backfill (``BackfillSettings``) adds: ``BACKFILL_LOOKBACK_HOURS`` [3] how far
back each run looks; ``FIREHOSE_BUFFER_SECONDS`` [60] the stream's buffer interval and
``BACKFILL_MARGIN_SECONDS`` [240] on top of it: minutes more recent than both may still be
in flight and are left alone; ``ATHENA_WORKGROUP`` [primary], ``ATHENA_DATABASE``
[quotepipe], ``ATHENA_OUTPUT_LOCATION`` [""] (unless the workgroup enforces one),
``ATHENA_POLL_SECONDS`` [1] between GetQueryExecution calls.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from aws_lambda_powertools.shared.functions import strtobool

from producer.errors import SettingsError

_T = TypeVar("_T")
_S = TypeVar("_S")
TRANSPORTS = ("aiohttp", "curl_cffi", "auto")

DEFAULT_BASE_URL = "https://query2.finance.yahoo.com"
DEFAULT_COOKIE_URL = "https://fc.yahoo.com"
DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)


def _setting(default: _T, env: str) -> _T:
    """Attach the environment variable name to a field so ``from_env`` can find it."""
    return dataclasses.field(default=default, metadata={"env": env})


@dataclass(frozen=True, kw_only=True, slots=True)
class ProducerSettings:
    """Everything the producer reads from its environment, validated once."""

    symbols: str = _setting("", "SYMBOLS")
    symbols_source: str = _setting("", "SYMBOLS_SOURCE")
    max_symbols: int = _setting(10_000, "MAX_SYMBOLS")
    delivery_stream_name: str = _setting("", "DELIVERY_STREAM_NAME")
    bronze_bucket: str = _setting("", "BRONZE_BUCKET")
    yahoo_base_url: str = _setting(DEFAULT_BASE_URL, "YAHOO_BASE_URL")
    yahoo_cookie_url: str = _setting(DEFAULT_COOKIE_URL, "YAHOO_COOKIE_URL")
    yahoo_user_agent: str = _setting(DEFAULT_USER_AGENT, "YAHOO_USER_AGENT")
    yahoo_transport: str = _setting("auto", "YAHOO_TRANSPORT")
    yahoo_ca_bundle: str = _setting("", "YAHOO_CA_BUNDLE")
    batch_size: int = _setting(50, "YAHOO_BATCH_SIZE")
    concurrency: int = _setting(8, "YAHOO_CONCURRENCY")
    timeout_seconds: float = _setting(10.0, "YAHOO_TIMEOUT_SECONDS")
    max_attempts: int = _setting(4, "YAHOO_MAX_ATTEMPTS")
    backoff_base_seconds: float = _setting(0.5, "YAHOO_BACKOFF_BASE_SECONDS")
    backoff_max_seconds: float = _setting(8.0, "YAHOO_BACKOFF_MAX_SECONDS")
    rate_limit_trip: int = _setting(6, "YAHOO_RATE_LIMIT_TRIP")
    ticks_per_invocation: int = _setting(1, "TICKS_PER_INVOCATION")
    tick_interval_seconds: float = _setting(60.0, "TICK_INTERVAL_SECONDS")
    tick_budget_seconds: float = _setting(40.0, "TICK_BUDGET_SECONDS")
    safety_margin_seconds: float = _setting(5.0, "SAFETY_MARGIN_SECONDS")
    follow_sessions: bool = _setting(False, "FOLLOW_SESSIONS")

    def __post_init__(self) -> None:
        """Fail before any I/O when a value cannot work."""
        positive = ("max_symbols", "batch_size", "concurrency", "max_attempts", "rate_limit_trip")
        for name in (*positive, "ticks_per_invocation"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("timeout_seconds", "tick_budget_seconds"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name} must be positive, got {getattr(self, name)}")
        if self.yahoo_transport not in TRANSPORTS:
            raise SettingsError(
                f"YAHOO_TRANSPORT must be one of {TRANSPORTS}, got {self.yahoo_transport!r}"
            )
        if self.tick_interval_seconds < 0 or self.safety_margin_seconds < 0:
            raise SettingsError("tick_interval_seconds and safety_margin_seconds must be >= 0")

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> ProducerSettings:
        """Build settings: keyword overrides, then ``environ`` or os.environ, then defaults."""
        return settings_from_env(cls, environ, overrides)


@dataclass(frozen=True, kw_only=True, slots=True)
class BackfillSettings:
    """What the scheduled backfill adds to the producer's settings (``backfill_handler``)."""

    lookback_hours: float = _setting(3.0, "BACKFILL_LOOKBACK_HOURS")
    buffer_seconds: int = _setting(60, "FIREHOSE_BUFFER_SECONDS")
    margin_seconds: int = _setting(240, "BACKFILL_MARGIN_SECONDS")
    athena_workgroup: str = _setting("primary", "ATHENA_WORKGROUP")
    athena_database: str = _setting("quotepipe", "ATHENA_DATABASE")
    athena_output_location: str = _setting("", "ATHENA_OUTPUT_LOCATION")
    athena_poll_seconds: float = _setting(1.0, "ATHENA_POLL_SECONDS")

    def __post_init__(self) -> None:
        """Fail before any I/O when a value cannot work."""
        if self.lookback_hours <= 0 or self.athena_poll_seconds <= 0:
            raise SettingsError("BACKFILL_LOOKBACK_HOURS and ATHENA_POLL_SECONDS must be positive")
        if self.buffer_seconds < 0 or self.margin_seconds < 0:
            raise SettingsError("FIREHOSE_BUFFER_SECONDS and BACKFILL_MARGIN_SECONDS must be >= 0")

    @property
    def in_flight(self) -> timedelta:
        """How recent a minute may be and still have rows on their way through Firehose."""
        return timedelta(seconds=self.buffer_seconds + self.margin_seconds)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> BackfillSettings:
        """Build settings: keyword overrides, then ``environ`` or os.environ, then defaults."""
        return settings_from_env(cls, environ, overrides)


def settings_from_env(
    cls: type[_S], environ: Mapping[str, str] | None, overrides: dict[str, Any]
) -> _S:
    """One way to read any settings class: overrides, then the environment, then defaults."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        if spec.name in overrides:
            values[spec.name] = overrides.pop(spec.name)
        elif (raw := env.get(spec.metadata["env"], "").strip()) != "":
            values[spec.name] = _parse(spec, raw)
    if overrides:
        raise SettingsError(f"unknown settings: {sorted(overrides)}")
    return cls(**values)


def _parse(spec: dataclasses.Field[Any], raw: str) -> Any:
    """Convert an environment string to the field's type, naming the variable on failure."""
    kind: type[Any] = type(spec.default)
    try:
        return strtobool(raw) if kind is bool else kind(raw)
    except ValueError as exc:
        name = spec.metadata["env"]
        raise SettingsError(f"{name}={raw!r} is not a valid {kind.__name__}") from exc
