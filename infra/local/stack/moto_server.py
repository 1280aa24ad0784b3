"""AWS on one machine: moto in server mode, with the stack's resources created through the API.

Everything talks to it with ordinary boto3 clients over HTTP; the handlers find it
through ``AWS_ENDPOINT_URL``, exactly as they would find any S3-compatible endpoint.
"""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Self

import boto3
from moto.server import ThreadedMotoServer

from infra.local.stack.resources import StackDefinition, StackNames


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
    """moto on 127.0.0.1 with the template's buckets, stream, trigger and Glue table in place.

    moto's state is per process: one LocalStack at a time in a process.
    """

    def __init__(self, definition: StackDefinition | None = None) -> None:
        self.definition = definition or StackDefinition.load()
        self.names = StackNames.from_definition(self.definition)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""

    def __enter__(self) -> Self:
        # One access-log line per API call would drown what the pipeline prints.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        # moto keeps its state per process, not per server: start from an empty account.
        urllib.request.urlopen(
            urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=10
        ).close()
        self.create_resources()
        return self

    def __exit__(self, *exc_info: object) -> None:
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
        """Create the stack's resources from the template's definitions."""
        stack, names = self.definition, self.names
        s3 = self.client("s3")
        for bucket in (names.bronze_bucket, names.silver_bucket):
            s3.create_bucket(Bucket=bucket)
        self.client("sqs").create_queue(QueueName=names.bronze_queue)
        s3.put_bucket_notification_configuration(
            Bucket=names.bronze_bucket,
            NotificationConfiguration={
                "QueueConfigurations": [stack.bronze_notification(names.queue_arn)]
            },
        )
        self.client("firehose").create_delivery_stream(**stack.delivery_stream)
        glue = self.client("glue")
        glue.create_database(DatabaseInput=stack.glue_database)
        glue.create_table(DatabaseName=stack.glue_database["Name"], TableInput=stack.glue_table)

    @property
    def queue_url(self) -> str:
        """URL of the bronze notification queue."""
        url: str = self.client("sqs").get_queue_url(QueueName=self.names.bronze_queue)["QueueUrl"]
        return url
