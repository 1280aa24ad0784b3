"""Lambda entry point of the scheduled backfill: clients once, one run, summary returned."""

from __future__ import annotations

import asyncio
import functools
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Metrics

from producer.backfill.scheduled import (
    BackfillEvent,
    BackfillState,
    Services,
    athena_runner,
    run_backfill,
)
from producer.log import logger
from producer.metrics import NAMESPACE, record_backfill_metrics
from producer.settings import BackfillSettings, ProducerSettings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_firehose import FirehoseClient
    from mypy_boto3_s3 import S3Client

metrics = Metrics(namespace=NAMESPACE)


@functools.lru_cache(maxsize=1)
def _clients(_endpoint: str) -> tuple[FirehoseClient, S3Client, Any]:
    """boto3 clients (Firehose, S3, Athena), built on first use; keyed by the endpoint."""
    return boto3.client("firehose"), boto3.client("s3"), boto3.client("athena")


@functools.lru_cache(maxsize=1)
def _state(_container: tuple[str, str]) -> BackfillState:
    """The symbol list's ETag, the crumb and the transport, kept while the container is warm.

    Keyed by the endpoints, as the producer's state is: a new local stack starts cold.
    """
    return BackfillState()


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Schedule (or a manual ``{"from": …, "to": …}``) → one backfill run → summary dict."""
    settings, backfill = ProducerSettings.from_env(), BackfillSettings.from_env()
    request = BackfillEvent.parse(event)
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    firehose, s3, athena = _clients(endpoint)
    services = Services(athena=athena_runner(athena, backfill), firehose=firehose, s3=s3)
    summary = asyncio.run(
        run_backfill(
            settings,
            backfill,
            request,
            services,
            state=_state((endpoint, settings.yahoo_base_url)),
            now=datetime.now(UTC),
            seconds_left=lambda: context.get_remaining_time_in_millis() / 1000.0,
        )
    )
    record_backfill_metrics(metrics, summary)
    result = summary.to_dict()
    logger.info("backfill done", extra={"summary": result})
    return result
