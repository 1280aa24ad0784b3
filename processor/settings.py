"""Processor settings: one frozen object; explicit argument > environment variable > default.

The same pattern as ``producer.settings`` (the images share no settings module): each
field names its environment variable, ``from_env`` reads them, ``__post_init__`` checks them.

Environment variables (defaults in brackets):

- ``SILVER_BUCKET`` (required) bucket for silver and rejected CSV.
- ``BRONZE_PREFIX`` [quotes/] only bronze keys under it are processed.
- ``MAX_FUTURE_SKEW_SECONDS`` [300] how far ``trade_time`` may lie after ``fetched_at``.
- ``UPLOAD_PART_SIZE_MB`` [8] multipart part size for silver uploads, at least 5.
- ``MAX_REJECTED_ROWS`` [10000] rejected rows written per bronze object; the rest are counted.
- ``POWERTOOLS_METRICS_NAMESPACE`` [quotepipe] EMF namespace.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from processor.errors import SettingsError

_T = TypeVar("_T")
MIB = 1024 * 1024
MIN_PART_SIZE_MB = 5  # S3 wants parts of at least 5 MiB, all but the last
DEFAULT_METRICS_NAMESPACE = "quotepipe"


def _setting(default: _T, env: str) -> _T:
    """Attach the environment variable name to a field so ``from_env`` can find it."""
    return dataclasses.field(default=default, metadata={"env": env})


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Everything the processor needs to know besides its S3 client, validated once."""

    silver_bucket: str = _setting("", "SILVER_BUCKET")
    bronze_prefix: str = _setting("quotes/", "BRONZE_PREFIX")
    max_future_skew_seconds: int = _setting(300, "MAX_FUTURE_SKEW_SECONDS")
    part_size_mb: int = _setting(8, "UPLOAD_PART_SIZE_MB")
    # Bounds what one hostile object can write: 5 KB of gzip can hold millions of bad lines.
    max_rejected_rows: int = _setting(10_000, "MAX_REJECTED_ROWS")

    def __post_init__(self) -> None:
        """Fail before touching any data when a value cannot work."""
        if not self.silver_bucket:
            raise SettingsError("SILVER_BUCKET is not set")
        if self.max_future_skew_seconds < 0:
            raise SettingsError(
                f"max_future_skew_seconds must be >= 0, got {self.max_future_skew_seconds}"
            )
        if self.max_rejected_rows < 0:
            raise SettingsError(f"max_rejected_rows must be >= 0, got {self.max_rejected_rows}")
        if self.part_size_mb < MIN_PART_SIZE_MB:
            raise SettingsError(
                f"part_size_mb must be at least {MIN_PART_SIZE_MB}, got {self.part_size_mb}"
            )

    @property
    def part_size(self) -> int:
        """Multipart part size in bytes."""
        return self.part_size_mb * MIB

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings: keyword overrides, then ``environ`` or os.environ, then defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):
            if spec.name in overrides:
                values[spec.name] = overrides.pop(spec.name)
            elif (raw := env.get(spec.metadata["env"], "").strip()) != "":
                values[spec.name] = _parse(spec, raw)
        if overrides:
            raise SettingsError(f"unknown settings: {sorted(overrides)}")
        return cls(**values)


def metrics_namespace(env: Mapping[str, str] | None = None) -> str:
    """The EMF namespace: needed before settings are read, and the stack may not set it."""
    env = os.environ if env is None else env
    return env.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_METRICS_NAMESPACE


def _parse(spec: dataclasses.Field[Any], raw: str) -> Any:
    """Convert an environment string to the field's type, naming the variable on failure."""
    kind: type[Any] = type(spec.default)
    try:
        return kind(raw)
    except ValueError as exc:
        name = spec.metadata["env"]
        raise SettingsError(f"{name}={raw!r} is not a valid {kind.__name__}") from exc
