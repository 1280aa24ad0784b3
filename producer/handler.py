"""Lambda entry point: build clients once, run one invocation, log and return its summary."""

from __future__ import annotations

import asyncio
import functools
import os
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Metrics

from producer.invocation import InvocationSummary, ProducerState, run_invocation
from producer.log import logger
from producer.metrics import NAMESPACE, record_metrics
from producer.settings import ProducerSettings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_firehose import FirehoseClient
    from mypy_boto3_s3 import S3Client

metrics = Metrics(namespace=NAMESPACE)


@functools.lru_cache(maxsize=1)
def _clients(_endpoint: str) -> tuple[FirehoseClient, S3Client]:
    """boto3 clients, built on first use so importing needs no AWS environment."""
    return boto3.client("firehose"), boto3.client("s3")


@functools.lru_cache(maxsize=1)
def _state(_container: tuple[str, str]) -> ProducerState:
    """Crumb, currencies, the S3 list's ETag and what was sent, kept while the Lambda stays warm.

    Keyed by the endpoints, which never change inside one Lambda container, so that a
    new local stack in the same process (``quotepipe run`` twice) starts cold, as a
    new deployment would, instead of inheriting another market's crumb and trade times.
    """
    return ProducerState()


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """EventBridge schedule → one invocation of ticks → summary dict."""
    settings = ProducerSettings.from_env()
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    firehose, s3 = _clients(endpoint)
    summary: InvocationSummary = asyncio.run(
        run_invocation(
            settings,
            firehose=firehose,
            s3=s3,
            state=_state((endpoint, settings.yahoo_base_url)),
            remaining_ms=context.get_remaining_time_in_millis,
        )
    )
    record_metrics(metrics, summary, NAMESPACE)
    result = summary.to_dict()
    logger.info("invocation done", extra={"summary": result})
    return result
