"""`quotepipe run`: the whole pipeline on one machine, ticking like the EventBridge schedule.

The producer and processor handlers run unchanged, in this process, against moto
and the simulated market (or ``--yahoo-url``); only endpoints differ from AWS.
Their JSON logs and EMF metrics go to ``<lake>/logs/`` so the console stays readable.
Each tick's objects are copied into the lake as the tick completes, so a run stopped
by SIGINT/SIGTERM (``RunResult.stopped_by``) or by an error in tick k+1 keeps ticks 1..k.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from infra.local.interrupts import Interrupted, StopSignals
from infra.local.stack.context import LocalContext
from infra.local.stack.dead_letters import LakeDeadLetters, invocation_record
from infra.local.stack.lake import LakeMirror
from infra.local.stack.moto_server import LocalStack, environment
from infra.local.stack.resources import StackNames
from infra.local.stack.trigger import BronzeTrigger, OnFailure
from infra.local.yahoo import DEMO_SYMBOLS, MarketServer

Say = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """What `quotepipe run` was asked to do."""

    ticks: int = 2
    interval: float = 5.0
    symbols: tuple[str, ...] = ()
    symbols_file: Path | None = None
    yahoo_url: str | None = None
    lake: Path = Path("lake")
    follow_sessions: bool = False  # the template turns it on; locally every tick polls all


@dataclass
class RunResult:
    """What a run produced: handler answers per completed tick and the files of the lake."""

    lake: Path
    market_url: str = ""
    ticks: list[dict[str, Any]] = field(default_factory=list)
    processed: list[dict[str, Any]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    stopped_by: Interrupted | None = None  # the signal that ended the run early
    log: Path | None = None  # the handlers' JSON logs and EMF metrics

    def add_files(self, written: list[Path]) -> None:
        """Count each lake file once, however often a tick rewrote it."""
        known = set(self.files)
        self.files += [f for f in dict.fromkeys(written) if f not in known]

    def kept(self, ticks: int) -> str:
        """Which ticks are in the lake, for the line printed when a run ends early."""
        done = len(self.ticks)
        if not done:
            return f"no tick of {ticks} completed: no object of this run is in {self.lake}/"
        which = "tick 1 is" if done == 1 else f"ticks 1-{done} are"
        return f"{which} in the lake {self.lake}/ ({ticks} asked for)"


def scheduled_event(names: StackNames) -> dict[str, Any]:
    """The event EventBridge Scheduler's rule target receives."""
    return {
        "version": "0",
        "id": f"local-{time.time_ns()}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": names.account_id,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": names.region,
        "resources": [f"arn:aws:events:{names.region}:{names.account_id}:rule/quotepipe-schedule"],
        "detail": {},
    }


def function_environment(
    options: RunOptions, stack: LocalStack, yahoo_url: str, function: str
) -> dict[str, str]:
    """A function's environment as the template sets it, with local endpoints and symbols."""
    env = {
        **stack.definition.function_environment(function),
        **stack.aws_environment,
        "YAHOO_BASE_URL": yahoo_url,
        "YAHOO_COOKIE_URL": yahoo_url,
        "SYMBOLS": ",".join(options.symbols or DEMO_SYMBOLS),
    }
    if options.symbols_file:
        env["SYMBOLS_SOURCE"] = str(options.symbols_file.resolve())
    if "FOLLOW_SESSIONS" in env:
        env["FOLLOW_SESSIONS"] = str(options.follow_sessions).lower()
    return env


@contextlib.contextmanager
def _market(options: RunOptions) -> Iterator[str]:
    if options.yahoo_url:
        yield options.yahoo_url.rstrip("/")
        return
    with MarketServer() as server:
        yield server.url


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
def _handler_output(lake: Path) -> Iterator[tuple[TextIO, Path]]:
    """Send what the handlers print (JSON logs, EMF) to the run's log; yield the console."""
    console = sys.stdout
    with run_log(lake) as sink, contextlib.redirect_stdout(sink):
        yield console, Path(sink.name)


def run_pipeline(options: RunOptions, say: Say | None = None) -> RunResult:
    """Run ``options.ticks`` producer ticks, process what lands, write each tick to the lake.

    A stop signal ends the run early with ``stopped_by`` set; an error is raised after
    saying which ticks the lake holds.
    """
    result = RunResult(lake=options.lake)
    with _handler_output(options.lake) as (console, log), StopSignals() as signals:
        result.log = log
        out = say or (lambda text: print(text, file=console, flush=True))
        try:
            with _market(options) as yahoo_url, LocalStack() as stack:
                result.market_url = yahoo_url
                out(f"embedded stack: AWS (moto) at {stack.endpoint}, Yahoo at {yahoo_url}")
                _tick_loop(options, stack, result, out, signals)
        except Interrupted as stop:
            result.stopped_by = stop
        except Exception:
            out(f"run failed in tick {len(result.ticks) + 1}: {result.kept(options.ticks)}")
            raise
    return result


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


def _functions(
    options: RunOptions, stack: LocalStack, yahoo_url: str
) -> tuple[LocalFunction, LocalFunction]:
    def env(logical_id: str) -> dict[str, str]:
        return function_environment(options, stack, yahoo_url, logical_id)

    return (
        LocalFunction("producer.handler", "quotepipe-producer", env("ProducerFunction")),
        LocalFunction("processor.handler", "quotepipe-processor", env("ProcessorFunction")),
    )


def _tick_loop(
    options: RunOptions, stack: LocalStack, result: RunResult, out: Say, signals: StopSignals
) -> None:
    producer, processor = _functions(options, stack, result.market_url)
    names = stack.names
    mirror = LakeMirror(
        stack.client("s3"),
        {names.bronze_bucket: result.lake / "bronze", names.silver_bucket: result.lake / "silver"},
    )
    trigger = BronzeTrigger(
        sqs=stack.client("sqs"),
        s3=stack.client("s3"),
        queue_url=stack.queue_url,
        firehose_prefix=stack.definition.firehose_prefix,
        invoke=processor.invoke,
        on_failure=_dead_letter(result.lake, stack, processor.name),
    )
    for tick in range(1, options.ticks + 1):
        started = time.monotonic()
        summary = producer.invoke(scheduled_event(stack.names))
        drained = trigger.drain()
        # A tick counts as done once its objects are in the lake and its line is printed.
        with signals.deferred():
            result.add_files(mirror.sync())
            result.ticks.append(summary)
            result.processed.extend(drained.results)
            out(describe_tick(tick, options.ticks, summary, drained.results, drained.failed))
        if tick < options.ticks:
            time.sleep(max(0.0, options.interval - (time.monotonic() - started)))


def _dead_letter(lake: Path, stack: LocalStack, function: str) -> OnFailure:
    """Keep a failed S3 event as the processor's on-failure destination would, on the lake."""
    letters = LakeDeadLetters(lake)
    names = stack.names
    arn = f"arn:aws:lambda:{names.region}:{names.account_id}:function:{function}"

    def keep(event: dict[str, Any], error: Exception) -> None:
        letters.put(invocation_record(event, error, function_arn=arn, attempts=1))

    return keep


def describe_tick(
    tick: int,
    ticks: int,
    summary: dict[str, Any],
    processed: list[dict[str, Any]],
    failed: int = 0,
) -> str:
    """One console line per tick: what was fetched, sent and processed, and what went wrong."""
    missing = summary.get("symbols_missing") or []
    rows = sum(int(p.get("rows_written", 0)) for p in processed)
    rejected = sum(int(p.get("rows_rejected", 0)) for p in processed)
    parts = [
        f"tick {tick}/{ticks}: {summary.get('quotes_sent', 0)}/"
        f"{summary.get('symbols_requested', 0)} quotes sent "
        f"({summary.get('bytes_sent', 0)} bytes, "
        f"Firehose records: {summary.get('records_sent', 0)})",
        f"missing: {', '.join(missing) or 'none'}",
        f"silver rows: {rows}, rejected: {rejected}",
    ]
    if failed:
        parts.append(
            f"processor failed on {failed} event(s): kept in dead-letters/processor/ "
            "(quotepipe redrive --lake)"
        )
    errors = _yahoo_errors(summary)
    if errors:
        parts.append(f"Yahoo errors: {errors} (details in the logs)")
    if summary.get("bad_symbol_count"):
        bad = ", ".join(str(b.get("entry")) for b in summary.get("bad_symbols", [])[:5])
        parts.append(f"bad symbols: {summary['bad_symbol_count']} ({bad})")
    return "; ".join(parts)


def _yahoo_errors(summary: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for one in summary.get("ticks", []):
        for kind, count in one.get("yahoo_errors", {}).items():
            counts[kind] = counts.get(kind, 0) + int(count)
    return ", ".join(f"{kind}: {count}" for kind, count in sorted(counts.items()))
