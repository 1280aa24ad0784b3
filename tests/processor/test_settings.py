"""Settings: explicit argument > environment variable > default."""

from __future__ import annotations

import pytest

from processor.errors import SettingsError
from processor.settings import MIB, Settings, metrics_namespace


def test_defaults() -> None:
    settings = Settings.from_env({"SILVER_BUCKET": "silver"})
    assert settings == Settings(
        silver_bucket="silver", bronze_prefix="quotes/", max_future_skew_seconds=300, part_size_mb=8
    )


def test_environment_beats_defaults_and_arguments_beat_environment() -> None:
    env = {
        "SILVER_BUCKET": "env-silver",
        "BRONZE_PREFIX": "bronze/",
        "MAX_FUTURE_SKEW_SECONDS": "60",
        "UPLOAD_PART_SIZE_MB": "16",
    }
    from_env = Settings.from_env(env)
    assert (from_env.silver_bucket, from_env.bronze_prefix) == ("env-silver", "bronze/")
    assert (from_env.max_future_skew_seconds, from_env.part_size) == (60, 16 * MIB)
    explicit = Settings.from_env(
        env, silver_bucket="arg", bronze_prefix="", max_future_skew_seconds=0
    )
    assert (explicit.silver_bucket, explicit.bronze_prefix, explicit.max_future_skew_seconds) == (
        "arg", "", 0,
    )  # fmt: skip


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"SILVER_BUCKET": "s", "UPLOAD_PART_SIZE_MB": "4"},
        {"SILVER_BUCKET": "s", "MAX_FUTURE_SKEW_SECONDS": "soon"},
        {"SILVER_BUCKET": "s", "MAX_FUTURE_SKEW_SECONDS": "-1"},
        {"SILVER_BUCKET": "s", "MAX_REJECTED_ROWS": "-1"},
        {"SILVER_BUCKET": "s", "MAX_REJECTED_ROWS": "lots"},
    ],
)
def test_bad_settings_are_settings_errors(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_unknown_setting_is_named() -> None:
    with pytest.raises(SettingsError, match="part_size"):
        Settings.from_env({"SILVER_BUCKET": "s"}, part_size=5)


def test_metrics_namespace_has_a_default() -> None:
    assert metrics_namespace({}) == "quotepipe"
    assert metrics_namespace({"POWERTOOLS_METRICS_NAMESPACE": "other"}) == "other"
