"""Processor fixtures: an in-process moto S3 with the bronze and silver buckets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from processor import handler
from tests.processor.helpers import BRONZE_BUCKET, SILVER_BUCKET


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and the processor's settings: nothing may reach real AWS."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "SILVER_BUCKET": SILVER_BUCKET,
        "POWERTOOLS_SERVICE_NAME": "quotepipe-processor",
        "POWERTOOLS_METRICS_NAMESPACE": "quotepipe",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def s3(aws_env: None) -> Iterator[Any]:
    """A moto S3 client with empty bronze and silver buckets."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BRONZE_BUCKET)
        client.create_bucket(Bucket=SILVER_BUCKET)
        yield client


@pytest.fixture
def fresh_handler(s3: Any) -> Iterator[Any]:
    """The handler module with its cached client and settings rebuilt inside moto."""
    handler._s3.cache_clear()
    handler._settings.cache_clear()
    yield handler
    handler._s3.cache_clear()
    handler._settings.cache_clear()
