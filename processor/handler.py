"""Processor Lambda: bronze S3 notifications → silver CSV."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from processor.dispatch import handle_event
from processor.observe import Observer
from processor.settings import Settings, metrics_namespace

logger = Logger()
metrics = Metrics(namespace=metrics_namespace())


@cache
def _s3() -> Any:
    """One client per container, built on first use so importing needs no AWS setup."""
    return boto3.client("s3")


@cache
def _settings() -> Settings:
    return Settings.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Process the bronze objects the S3 event names; a failure is raised for Lambda to retry."""
    return handle_event(event, _s3(), _settings(), Observer(logger, metrics))
