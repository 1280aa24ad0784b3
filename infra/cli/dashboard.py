"""``quotepipe dashboard``: the dashboard page as a file (from the lake or Athena), or live.

- ``--lake DIR [--out FILE]``: the queries of ``sql/dashboards`` run by the local engine
  for the lake's newest UTC day, rendered into one self-contained HTML file.
- ``--athena``: the same page from Athena (``infra.dashboard.athena``), its footer
  showing each panel's bytes scanned and cost.
- ``--serve``: a live page on 127.0.0.1 that refreshes its panels in place
  (``infra.dashboard.live``).

A file is written to a temporary name and renamed, so a failed query never leaves a
half-written page (an older page stays as it was).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.dashboard.data import DashboardData, collect_lake
from infra.dashboard.page import duration, render
from infra.local.athena.engine import LocalAthena
from infra.sqlfiles.errors import AthenaError

__all__ = [
    "athena_command",
    "dashboard_command",
    "duration",
    "serve_command",
    "write_dashboard",
    "write_page",
]


def write_page(out: Path, page: str) -> Path:
    """Write ``page`` to ``out`` atomically: a temporary file beside it, then a rename."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(page)
        Path(temp).replace(out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return out


def lake_data(lake: Path, *, as_of: datetime | None = None) -> DashboardData:
    """Every panel of the lake's newest day."""
    with LocalAthena(lake) as athena:
        return collect_lake(athena, as_of or datetime.now(UTC))


def write_dashboard(lake: Path, out: Path, *, as_of: datetime | None = None) -> Path:
    """Query the lake and write the dashboard to ``out``; return ``out``."""
    return write_page(out, render(lake_data(lake, as_of=as_of)))


def dashboard_command(lake: Path, out: Path) -> int:
    """``quotepipe dashboard``: write the file and print its path; exit 1 on a query error."""
    try:
        path = write_dashboard(lake, out)
    except AthenaError as exc:
        print(f"quotepipe dashboard: {exc}", file=sys.stderr)
        return 1
    print(f"dashboard written to {path}")
    return 0


def serve_until_stopped(url: str) -> None:
    """Block until SIGINT (Ctrl-C) or SIGTERM: the live page is served meanwhile."""
    from infra.local.interrupts import Interrupted, StopSignals

    print(f"dashboard live at {url} (Ctrl-C to stop)")
    sys.stdout.flush()
    with contextlib.suppress(Interrupted, KeyboardInterrupt), StopSignals():
        threading.Event().wait()


def start_live(lake: Path, *, host: str = "127.0.0.1", port: int, refresh: float) -> Any:
    """The live server of ``lake``, started; ``None`` (and one line on stderr) if it cannot bind."""
    from infra.dashboard.live import LiveServer

    try:
        return LiveServer(lake, host=host, port=port, refresh=refresh).start()
    except OSError as exc:  # the port is taken, or the host is not this machine's
        print(f"quotepipe: cannot serve the dashboard on {host}:{port}: {exc}", file=sys.stderr)
        return None


def serve_command(lake: Path, *, host: str, port: int, refresh: float) -> int:
    """``quotepipe dashboard --serve``: serve the live page until stopped; exit 0."""
    server = start_live(lake, host=host, port=port, refresh=refresh)
    if server is None:
        return 1
    try:
        serve_until_stopped(server.url)
    finally:
        server.stop()
    return 0


def athena_data(source: Any, as_of: datetime) -> DashboardData:
    """Every panel for today's UTC date, run by Athena, with what each panel scanned."""
    from infra.dashboard.data import collect

    data = collect(source, as_of.astimezone(UTC).date().isoformat(), as_of)
    origin = f"Athena (workgroup {source.runner.workgroup}, database {source.runner.database})"
    return replace(data, scans=dict(source.scans), origin=origin)


def athena_command(
    *,
    workgroup: str,
    database: str,
    output_location: str | None,
    out: Path,
    client: Any = None,
    as_of: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """``quotepipe dashboard --athena``: the page from Athena; exit 1 naming a failed panel."""
    from infra.aws.costs import load_prices
    from infra.dashboard.athena import AthenaSource

    if client is None:
        import boto3
        from botocore.exceptions import BotoCoreError

        try:
            client = boto3.client("athena")
        except BotoCoreError as exc:  # no region, bad profile: one line, as for every command
            print(f"quotepipe dashboard: Athena client: {exc}", file=sys.stderr)
            return 1
    source = AthenaSource(client, workgroup=workgroup, database=database,
                          price=load_prices()["athena"], output_location=output_location,
                          sleep=sleep)  # fmt: skip
    try:
        data = athena_data(source, as_of or datetime.now(UTC))
    except AthenaError as exc:
        print(f"quotepipe dashboard: {exc.message}", file=sys.stderr)
        return 1
    write_page(out, render(data))
    queries = sum(s.queries for s in data.scans.values())
    cost = sum(s.cost_usd for s in data.scans.values())
    print(f"dashboard written to {out} ({queries} Athena queries, ${cost:.4f})")
    return 0
