"""Firehose key naming as real Firehose does it, from moto's keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from infra.local.stack.firehose_keys import delivered_key, render_prefix
from infra.local.stack.resources import StackDefinition

STREAM = StackDefinition.load().delivery_stream["ExtendedS3DestinationConfiguration"]
FIREHOSE_PREFIX = STREAM["Prefix"]
FIREHOSE_ERROR_PREFIX = STREAM["ErrorOutputPrefix"]

NAME = "quotepipe-bronze-1-2026-11-26-23-59-58-0b7c8f1e-2a4d-4a8e-9d55-3b1f0c2e7a10"


def test_render_prefix_uses_the_utc_arrival_date() -> None:
    arrival = datetime(2026, 11, 27, 1, 30, tzinfo=timezone(timedelta(hours=5)))
    assert render_prefix(FIREHOSE_PREFIX, arrival) == "quotes/dt=2026-11-26/"


def test_render_prefix_leaves_other_expressions() -> None:
    rendered = render_prefix(FIREHOSE_ERROR_PREFIX, datetime(2026, 1, 2, tzinfo=UTC))
    assert rendered == "errors/firehose/!{firehose:error-output-type}/dt=2026-01-02/"


def test_moto_key_maps_to_the_firehose_key() -> None:
    raw = f"{FIREHOSE_PREFIX}2026/11/26/23/{NAME}"
    assert delivered_key(raw, FIREHOSE_PREFIX) == f"quotes/dt=2026-11-26/{NAME}"


def test_keys_firehose_already_named_are_left_alone() -> None:
    assert delivered_key(f"quotes/dt=2026-11-26/{NAME}", FIREHOSE_PREFIX) is None
    assert delivered_key(f"{FIREHOSE_PREFIX}not-a-date/{NAME}", FIREHOSE_PREFIX) is None
    assert delivered_key(f"other/2026/11/26/23/{NAME}", "other/") is None
