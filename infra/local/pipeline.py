"""`quotepipe run`: the whole pipeline on one machine, ticking like the EventBridge schedule.

The producer and processor handlers run unchanged, in this process, against moto
and the simulated market (or ``--yahoo-url``); only endpoints differ from AWS.
Their JSON logs and EMF metrics go to ``<lake>/logs/`` so the console stays readable.
Each tick's objects are copied into the lake as the tick completes, so a run stopped
by SIGINT/SIGTERM (``RunResult.stopped_by``) or by an error in tick k+1 keeps ticks 1..k.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.local.embedded import (
    LakeDelivery,
    LocalFunction,
    handler_output,
    processor_environment,
)
from infra.local.interrupts import Interrupted, StopSignals
from infra.local.stack.moto_server import LocalStack
from infra.local.stack.resources import StackNames
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


def run_pipeline(options: RunOptions, say: Say | None = None) -> RunResult:
    """Run ``options.ticks`` producer ticks, process what lands, write each tick to the lake.

    A stop signal ends the run early with ``stopped_by`` set; an error is raised after
    saying which ticks the lake holds.
    """
    result = RunResult(lake=options.lake)
    with handler_output(options.lake) as (console, log), StopSignals() as signals:
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


def _tick_loop(
    options: RunOptions, stack: LocalStack, result: RunResult, out: Say, signals: StopSignals
) -> None:
    env = function_environment(options, stack, result.market_url, "ProducerFunction")
    producer = LocalFunction("producer.handler", "quotepipe-producer", env)
    delivery = LakeDelivery.open(stack, result.lake, processor_environment(stack))
    for tick in range(1, options.ticks + 1):
        started = time.monotonic()
        summary = producer.invoke(scheduled_event(stack.names))
        drained = delivery.trigger.drain()
        # A tick counts as done once its objects are in the lake and its line is printed.
        with signals.deferred():
            result.add_files(delivery.mirror.sync())
            result.ticks.append(summary)
            result.processed.extend(drained.results)
            out(describe_tick(tick, options.ticks, summary, drained.results, drained.failed))
        if tick < options.ticks:
            time.sleep(max(0.0, options.interval - (time.monotonic() - started)))


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
