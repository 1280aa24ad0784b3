"""`quotepipe redrive --lake DIR`: the lake's failed processor events, processed in this process.

The records in ``DIR/dead-letters/processor/`` are handed, one by one, to the
processor's Lambda handler running against the embedded stack: the bronze objects
each event names are loaded from the lake first, and whatever silver the handler
writes goes back to the lake at once. A record is deleted only after its event was
processed; its handler logs go to ``DIR/logs/``.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from infra.cli.redrive import FailedInvocation, RedriveError, RedriveReport, redrive
from infra.local.stack import LocalContext, LocalStack, bucket_keys, environment
from infra.local.stack.dead_letters import LakeDeadLetters

FUNCTION = "ProcessorFunction"


class LocalDelivery:
    """The processor handler in this process, against the embedded stack and the lake."""

    def __init__(self, stack: LocalStack, lake: Path) -> None:
        self.stack, self.lake = stack, lake
        self.s3 = stack.client("s3")
        self.env = {**stack.definition.function_environment(FUNCTION), **stack.aws_environment}
        self.name = f"{stack.definition.refs['AWS::StackName']}-processor"
        self._written: set[str] = set()

    def __call__(self, failed: FailedInvocation) -> None:
        """Process one event; raise ``RedriveError`` if the handler failed."""
        for bucket, key in _objects(failed.payload):
            self._load(bucket, key)
        handler = _fresh_handler()
        try:
            with environment(self.env):
                handler.lambda_handler(failed.payload, LocalContext(self.name))
        except Exception as exc:  # anything the handler raised: Lambda would retry it too
            raise RedriveError(f"processing failed again: {type(exc).__name__}: {exc}") from exc
        self._save_silver()

    def _load(self, bucket: str, key: str) -> None:
        """Put the lake's copy of a bronze object where the event says it is."""
        path = self.lake / "bronze" / key
        if not path.is_file():
            return  # the handler will report the missing object
        with contextlib.suppress(self.s3.exceptions.BucketAlreadyOwnedByYou):
            self.s3.create_bucket(Bucket=bucket)
        self.s3.upload_file(str(path), bucket, key)

    def _save_silver(self) -> None:
        """Write what this event added to silver to the lake, now."""
        bucket = self.stack.names.silver_bucket
        for key in bucket_keys(self.s3, bucket):
            if key not in self._written:
                target = self.lake / "silver" / key
                target.parent.mkdir(parents=True, exist_ok=True)
                self.s3.download_file(bucket, key, str(target))
                self._written.add(key)


def _objects(event: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(bucket, decoded key) of each S3 record in an event, skipping what is not one."""
    records = event.get("Records")
    for record in records if isinstance(records, list) else []:
        try:
            yield record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"])
        except (KeyError, TypeError):
            continue


def _fresh_handler() -> Any:
    """The handler module with its per-container client and settings rebuilt for this stack."""
    module = importlib.import_module("processor.handler")
    module._s3.cache_clear()  # a new "container" per redrive run: clients for this stack
    module._settings.cache_clear()
    return module


def redrive_lake(lake: Path) -> RedriveReport:
    """Redrive every record of the lake's on-failure folder; handler logs go to the lake."""
    logs = lake / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"redrive-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.jsonl"
    with (
        LocalStack() as stack,
        log.open("w", encoding="utf-8") as sink,
        contextlib.redirect_stdout(sink),
    ):
        try:
            return redrive(LakeDeadLetters(lake), LocalDelivery(stack, lake))
        finally:
            _fresh_handler()  # leave no client bound to this stack's endpoint behind
