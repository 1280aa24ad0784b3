"""The Lambda handler end to end on moto S3."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from processor.errors import BronzeReadError
from tests.processor.helpers import (
    BRONZE_KEY,
    TRADE,
    TRADE_2019,
    line,
    put_bronze,
    s3_event,
    silver_objects,
)
from tests.support import lambda_context, load_event


def emitted(output: str) -> list[dict[str, Any]]:
    """The JSON documents (logs and EMF) the handler printed."""
    return [json.loads(x) for x in output.splitlines() if x.startswith("{")]


def test_s3_event_processes_each_object_and_reports_counts(
    fresh_handler: Any,
    s3: Any,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # GIVEN the two bronze objects the recorded notification names
    put_bronze(s3, BRONZE_KEY, line() + line() + line(price=-1.0))
    gz_key = "quotes/dt=2026-11-26/manual upload T-Mobile+US (1).gz"
    put_bronze(s3, gz_key, gzip.compress(line(symbol="AAPL").encode()))
    # WHEN the handler receives it
    result = fresh_handler.lambda_handler(load_event("s3_bronze_object_created"), lambda_context())
    # THEN both were processed and the totals balance
    assert result == {
        "objects": 2,
        "lines_in": 4,
        "rows_written": 2,
        "rows_rejected": 1,
        "duplicates": 1,
        "blank_lines": 0,
    }
    docs = emitted(capsys.readouterr().out)
    metrics = [d for d in docs if "_aws" in d]
    counts = [
        [m[n] for n in ("BronzeLines", "SilverRows", "RejectedRows", "DuplicateRows")]
        for m in metrics
    ]
    assert counts == [[[3], [1], [1], [1]], [[1], [1], [0], [0]]]
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "quotepipe"
    logs = [r for r in caplog.records if r.getMessage() == "bronze object processed"]
    assert [getattr(r, "key", None) for r in logs] == [BRONZE_KEY, gz_key]
    assert getattr(logs[0], "reasons", None) == {"bad_price": 1}


def test_s3_test_event_is_ignored(fresh_handler: Any, s3: Any) -> None:
    result = fresh_handler.lambda_handler(load_event("s3_test_event"), lambda_context())
    assert result["objects"] == 0
    assert silver_objects(s3) == {}


def test_errors_are_raised_for_lambda_to_retry(fresh_handler: Any, s3: Any) -> None:
    # GIVEN an event naming a bronze object that is not there
    with pytest.raises(BronzeReadError):
        fresh_handler.lambda_handler(s3_event(BRONZE_KEY), lambda_context())


def test_same_event_twice_leaves_silver_byte_identical(fresh_handler: Any, s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, line() + line(trade_time=TRADE + 86_400, fetched_at=TRADE + 86_440))
    fresh_handler.lambda_handler(s3_event(BRONZE_KEY), lambda_context())
    first = silver_objects(s3)
    fresh_handler.lambda_handler(s3_event(BRONZE_KEY), lambda_context())
    assert silver_objects(s3) == first
    assert len(first) == 3  # two silver objects and the stats object


def test_importing_the_handler_needs_no_aws_settings() -> None:
    # GIVEN an environment with no AWS or processor settings at all
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SILVER", "POWER"))}
    # WHEN the handler module is imported in a fresh interpreter THEN nothing fails
    code = "import processor.handler as h; print(callable(h.lambda_handler))"
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True
    )
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr


def test_a_trade_time_athena_cannot_see_is_rejected_and_counted(
    fresh_handler: Any, s3: Any
) -> None:
    # GIVEN a bronze object with a good quote and one traded in 2019 (before the projection)
    put_bronze(s3, BRONZE_KEY, line() + line(trade_time=TRADE_2019, fetched_at=TRADE_2019 + 40))
    # WHEN the handler processes it
    result = fresh_handler.lambda_handler(s3_event(BRONZE_KEY), lambda_context())
    # THEN the 2019 line is a rejected row with its reason, in a partition Athena reads
    assert (result["rows_written"], result["rows_rejected"]) == (1, 1)
    objects = silver_objects(s3)
    assert not [k for k in objects if "dt=2019" in k]
    (rejected,) = [v for k, v in objects.items() if k.startswith("rejected/dt=2026-11-26/")]
    assert b'"trade_time_out_of_range"' in rejected


def test_overflowing_or_vanishing_conversions_are_rejected_not_written(
    fresh_handler: Any, s3: Any
) -> None:
    # GIVEN a good quote, one whose CAD price overflows, one whose tiny rate overflows USD,
    # and one whose huge rate makes the USD price round to 0.0
    put_bronze(
        s3,
        BRONZE_KEY,
        line()
        + line(symbol="HUGE", price=1.5e308)
        + line(symbol="TINY", currency="EUR", fx_rate=1e-300, price=1e10)
        + line(symbol="ZERO", currency="JPY", fx_rate=1e12, price=0.5),
    )
    # WHEN the handler processes it
    result = fresh_handler.lambda_handler(s3_event(BRONZE_KEY), lambda_context())
    # THEN only the good quote reaches silver; the others are rejected with the reason
    assert (result["rows_written"], result["rows_rejected"]) == (1, 3)
    objects = silver_objects(s3)
    (silver,) = [v for k, v in objects.items() if k.startswith("quotes/")]
    assert b"inf" not in silver and b'"0.0"' not in silver
    (rejected,) = [v for k, v in objects.items() if k.startswith("rejected/")]
    assert rejected.count(b'"converted_price_out_of_range"') == 3
