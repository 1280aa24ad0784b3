"""What `quotepipe run` prints when the pipeline has run: the lake and the latest quotes."""

from __future__ import annotations

import sys

from infra.cli.dashboard import serve_until_stopped, start_live, write_dashboard
from infra.local.athena.engine import LocalAthena, format_result
from infra.local.gold import compact_lake
from infra.local.pipeline import RunOptions, RunResult, run_pipeline

DASHBOARD_REFRESH_SECONDS = 5.0
LATEST_SQL = """
SELECT symbol, name, currency, price, price_usd, price_cad,
       round(change_pct, 3) AS change_pct, trade_time
FROM latest_quotes
ORDER BY symbol
"""


def _count(result: RunResult, *folders: str) -> int:
    """Files written under ``lake/<folders…>/`` (by path parts, whatever the lake is called)."""
    return sum(
        1 for f in result.files if f.relative_to(result.lake).parts[: len(folders)] == folders
    )


def summarise(result: RunResult) -> str:
    """The lines printed after the last tick."""
    silver = result.lake / "silver"
    return "\n".join(
        [
            f"lake written to {result.lake}/: "
            f"{_count(result, 'bronze')} bronze objects, "
            f"{_count(result, 'silver', 'quotes')} silver objects, "
            f"{_count(result, 'silver', 'rejected')} rejected objects",
            f"silver CSV: {silver}/quotes/dt=*/*.csv",
            f"handler logs and metrics: {result.log or result.lake / 'logs'}",
        ]
    )


def run_and_report(options: RunOptions, *, dashboard_port: int | None = None) -> int:
    """Run the pipeline, then print the lake summary and the latest quotes.

    A run stopped by a signal prints one line on stderr and exits as a shell expects
    of that signal (130 for SIGINT, 143 for SIGTERM). With ``dashboard_port`` the live
    dashboard is served from before the first tick, and after the run until Ctrl-C.
    """
    if dashboard_port is None:
        return _run_and_report(options)
    options.lake.mkdir(parents=True, exist_ok=True)
    server = start_live(options.lake, port=dashboard_port, refresh=DASHBOARD_REFRESH_SECONDS)
    if server is None:
        return 1
    try:
        print(f"dashboard: {server.url} (live while the pipeline runs, and after)")
        code = _run_and_report(options)
        if code == 0:
            serve_until_stopped(server.url)
        return code
    finally:
        server.stop()


def _run_and_report(options: RunOptions) -> int:
    result = run_pipeline(options)
    if result.stopped_by is not None:
        stop = result.stopped_by
        print(
            f"quotepipe run: stopped by {stop.signal.name}: {result.kept(options.ticks)}",
            file=sys.stderr,
        )
        return stop.exit_code
    print(summarise(result))
    # Days that closed while the lake accumulated go to gold, so later queries stay fast.
    compacted = compact_lake(options.lake)
    if compacted.written:
        print(compacted.summary())
    with LocalAthena(options.lake) as athena:
        latest = athena.query(LATEST_SQL)
    print("\nlatest quotes (quotepipe query 'SELECT * FROM latest_quotes'):")
    print(format_result(latest, "table"))
    dashboard = write_dashboard(options.lake, options.lake / "dashboard.html")
    print(f"\ndashboard: {dashboard} (open it in a browser; no network needed)")
    sys.stdout.flush()
    return 0
