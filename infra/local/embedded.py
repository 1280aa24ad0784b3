"""What every command that writes through the embedded stack shares (`run`, `backfill`).

- ``LocalFunction`` — a Lambda handler in this process, in its own environment.
- ``handler_output`` — the handlers' JSON logs and EMF metrics go to ``LAKE/logs/``.
- ``LakeDelivery`` — the processor behind the bronze trigger, and the mirror that
  copies the buckets into the lake: after anything was sent to the delivery stream,
  ``deliver()`` processes what landed in bronze and writes it to the lake.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from infra.local.stack.context import LocalContext
from infra.local.stack.dead_letters import LakeDeadLetters, invocation_record
from infra.local.stack.lake import LakeMirror
from infra.local.stack.moto_server import LocalStack, environment
from infra.local.stack.trigger import BronzeTrigger, OnFailure, TriggerReport


@contextlib.contextmanager
def run_log(lake: Path) -> Iterator[TextIO]:
    """A log file of this run's own, ``LAKE/logs/run-<UTC second>-<pid>-<random>.jsonl``.

    Two runs on one lake may start in the same second (or, in tests, in one process):
    the random part keeps their names apart and mode "x" refuses to share a file.
    """
    logs = lake / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    name = f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
    with (logs / name).open("x", encoding="utf-8") as log:
        yield log


@contextlib.contextmanager
def handler_output(lake: Path) -> Iterator[tuple[TextIO, Path]]:
    """Send what the handlers print (JSON logs, EMF) to the run's log; yield the console."""
    console = sys.stdout
    with run_log(lake) as sink, contextlib.redirect_stdout(sink):
        yield console, Path(sink.name)


@dataclass
class LocalFunction:
    """One Lambda function in this process: its handler module and its own environment.

    Each run is a new container: the first invocation imports the handler module afresh,
    so clients and warm state built against an earlier run's stack are never reused.
    """

    module: str
    name: str
    env: dict[str, str]
    _handler: Callable[..., dict[str, Any]] | None = field(default=None, init=False, repr=False)

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """Call the handler as Lambda would, inside the function's environment."""
        with environment(self.env):
            # Imported inside the environment: Powertools reads its settings at import.
            if self._handler is None:
                self._handler = _cold_start(self.module)
            return self._handler(event, LocalContext(self.name))


def _cold_start(name: str) -> Callable[..., dict[str, Any]]:
    module = sys.modules.get(name)
    loaded = importlib.reload(module) if module else importlib.import_module(name)
    handler: Callable[..., dict[str, Any]] = loaded.lambda_handler
    return handler


@dataclass(frozen=True)
class LakeDelivery:
    """Bronze → processor → silver on the embedded stack, then both buckets into the lake."""

    trigger: BronzeTrigger
    mirror: LakeMirror

    @classmethod
    def open(cls, stack: LocalStack, lake: Path, processor_env: dict[str, str]) -> LakeDelivery:
        """The processor function with ``processor_env``, fed by ``stack``'s bronze trigger."""
        names = stack.names
        processor = LocalFunction("processor.handler", "quotepipe-processor", processor_env)
        trigger = BronzeTrigger(
            sqs=stack.client("sqs"),
            s3=stack.client("s3"),
            queue_url=stack.queue_url,
            firehose_prefix=stack.definition.firehose_prefix,
            invoke=processor.invoke,
            on_failure=_dead_letter(lake, stack, processor.name),
        )
        folders = {names.bronze_bucket: lake / "bronze", names.silver_bucket: lake / "silver"}
        return cls(trigger, LakeMirror(stack.client("s3"), folders))

    def deliver(self) -> tuple[TriggerReport, list[Path]]:
        """Process every bronze object that landed, then copy what changed into the lake."""
        drained = self.trigger.drain()
        return drained, self.mirror.sync()


def _dead_letter(lake: Path, stack: LocalStack, function: str) -> OnFailure:
    """Keep a failed S3 event as the processor's on-failure destination would, on the lake."""
    letters = LakeDeadLetters(lake)
    names = stack.names
    arn = f"arn:aws:lambda:{names.region}:{names.account_id}:function:{function}"

    def keep(event: dict[str, Any], error: Exception) -> None:
        letters.put(invocation_record(event, error, function_arn=arn, attempts=1))

    return keep


def processor_environment(stack: LocalStack) -> dict[str, str]:
    """The processor's environment as the template sets it, with the stack's endpoint."""
    return {**stack.definition.function_environment("ProcessorFunction"), **stack.aws_environment}
