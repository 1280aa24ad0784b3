"""AWS on one machine: moto in server mode, with the stack's resources created through the API.

Everything talks to it with ordinary boto3 clients over HTTP; the handlers find it
through ``AWS_ENDPOINT_URL``, exactly as they would find any S3-compatible endpoint.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

import boto3
from moto.server import ThreadedMotoServer

from infra.local.resources import (
    BRONZE_PREFIX,
    FIREHOSE_ERROR_PREFIX,
    FIREHOSE_PREFIX,
    StackNames,
)


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


class LocalStack:
    """moto on 127.0.0.1 with buckets, delivery stream, queue and notification in place."""

    def __init__(self, names: StackNames | None = None) -> None:
        self.names = names or StackNames()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""

    def __enter__(self) -> Self:
        # One access-log line per API call would drown what the pipeline prints.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.create_resources()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.stop()

    @property
    def aws_environment(self) -> dict[str, str]:
        """What a process needs in its environment to use this stack with plain boto3."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": self.names.region,
            "AWS_REGION": self.names.region,
        }

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` on this stack."""
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint,
            region_name=self.names.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def create_resources(self) -> None:
        """Create the stack's resources as the template defines them."""
        names = self.names
        s3 = self.client("s3")
        for bucket in (names.bronze_bucket, names.silver_bucket):
            s3.create_bucket(Bucket=bucket)
        self.client("sqs").create_queue(QueueName=names.bronze_queue)
        s3.put_bucket_notification_configuration(
            Bucket=names.bronze_bucket,
            NotificationConfiguration={"QueueConfigurations": [_bronze_notification(names)]},
        )
        self.client("firehose").create_delivery_stream(
            DeliveryStreamName=names.delivery_stream,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration=_firehose_destination(names),
        )

    @property
    def queue_url(self) -> str:
        """URL of the bronze notification queue."""
        url: str = self.client("sqs").get_queue_url(QueueName=self.names.bronze_queue)["QueueUrl"]
        return url


def _bronze_notification(names: StackNames) -> dict[str, Any]:
    return {
        "QueueArn": names.queue_arn,
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": BRONZE_PREFIX}]}},
    }


def _firehose_destination(names: StackNames) -> dict[str, Any]:
    return {
        "RoleARN": f"arn:aws:iam::{names.account_id}:role/quotepipe-firehose",
        "BucketARN": names.bucket_arn(names.bronze_bucket),
        "Prefix": FIREHOSE_PREFIX,
        "ErrorOutputPrefix": FIREHOSE_ERROR_PREFIX,
        "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
        "CompressionFormat": "UNCOMPRESSED",
    }
