"""Processor settings: an explicit argument beats an environment variable, which beats the default.

Environment variables:

- ``SILVER_BUCKET`` — bucket for silver and rejected CSV (required).
- ``BRONZE_PREFIX`` — only bronze keys under it are processed (default ``quotes/``).
- ``MAX_FUTURE_SKEW_SECONDS`` — how far ``trade_time`` may lie after ``fetched_at`` (300).
- ``UPLOAD_PART_SIZE_MB`` — multipart part size for silver uploads, ≥ 5 (8).
- ``POWERTOOLS_METRICS_NAMESPACE`` — EMF namespace (``quotepipe``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from processor.errors import ConfigError

DEFAULT_BRONZE_PREFIX = "quotes/"
DEFAULT_MAX_FUTURE_SKEW_S = 300
DEFAULT_PART_SIZE_MB = 8
DEFAULT_METRICS_NAMESPACE = "quotepipe"
MIB = 1024 * 1024


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Everything the processor needs to know besides its S3 client."""

    silver_bucket: str
    bronze_prefix: str = DEFAULT_BRONZE_PREFIX
    max_future_skew_s: int = DEFAULT_MAX_FUTURE_SKEW_S
    part_size: int = DEFAULT_PART_SIZE_MB * MIB  # bytes; S3 wants >= 5 MiB for all but the last

    @classmethod
    def resolve(
        cls,
        *,
        silver_bucket: str | None = None,
        bronze_prefix: str | None = None,
        max_future_skew_s: int | None = None,
        part_size_mb: int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Build settings from arguments, then ``env`` (default ``os.environ``), then defaults."""
        env = os.environ if env is None else env
        bucket = silver_bucket or env.get("SILVER_BUCKET", "")
        if not bucket:
            raise ConfigError("SILVER_BUCKET is not set")
        return cls(
            silver_bucket=bucket,
            bronze_prefix=_pick(bronze_prefix, env.get("BRONZE_PREFIX"), DEFAULT_BRONZE_PREFIX),
            max_future_skew_s=_int(
                max_future_skew_s, env, "MAX_FUTURE_SKEW_SECONDS", DEFAULT_MAX_FUTURE_SKEW_S, 0
            ),
            part_size=MIB * _int(part_size_mb, env, "UPLOAD_PART_SIZE_MB", DEFAULT_PART_SIZE_MB, 5),
        )


def metrics_namespace(env: Mapping[str, str] | None = None) -> str:
    """The EMF namespace: Powertools needs one, and the stack may not set it."""
    env = os.environ if env is None else env
    return env.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_METRICS_NAMESPACE


def _pick(explicit: str | None, from_env: str | None, default: str) -> str:
    if explicit is not None:
        return explicit
    return from_env if from_env is not None else default


def _int(explicit: int | None, env: Mapping[str, str], name: str, default: int, low: int) -> int:
    value = explicit
    if value is None:
        try:
            value = int(env.get(name, default))
        except ValueError as exc:
            raise ConfigError(f"{name} is not an integer") from exc
    if value < low:
        raise ConfigError(f"{name} must be at least {low}, got {value}")
    return value
