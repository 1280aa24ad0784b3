"""The ``quotepipe`` command: run the pipeline on one machine, query it, replay it, ship SQL.

Each subcommand imports what it needs when it runs, so ``quotepipe query`` does not
start moto and ``quotepipe replay`` against AWS needs no local-stack packages.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from infra.cli.arguments import (
    OneLineParser,
    existing_lake,
    http_url,
    lake_to_write,
    port_number,
    refresh_seconds,
    symbols_file,
)

DEFAULT_LAKE = Path("lake")


def _symbols(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


MAX_SECONDS = 86_400.0  # a day; time.sleep overflows on huge values


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_SECONDS:.0f} seconds")
    return value


def _add_run(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = commands.add_parser("run", help="run the whole pipeline on the embedded stack")
    run.add_argument("--ticks", type=_positive, default=2, help="producer ticks (default 2)")
    run.add_argument(
        "--interval", type=_seconds, default=5.0, help="seconds between ticks (default 5)"
    )
    source = run.add_mutually_exclusive_group()
    source.add_argument("--symbols", type=_symbols, default=(), help="comma-separated symbols")
    source.add_argument("--symbols-file", type=symbols_file, help="file with one symbol per line")
    run.add_argument(
        "--yahoo-url", type=http_url, help="send every Yahoo call here instead of the simulator"
    )
    run.add_argument(
        "--lake", type=lake_to_write, default=str(DEFAULT_LAKE), help="where to write the lake"
    )
    run.add_argument(
        "--follow-sessions",
        action="store_true",
        help="poll only symbols whose exchange is in session, as the deployed producer does",
    )
    run.add_argument(
        "--dashboard", nargs="?", const=8050, type=port_number, metavar="PORT",
        help="serve the live dashboard on 127.0.0.1:PORT (default 8050) during and after the run",
    )  # fmt: skip


def _add_backfill(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from infra.cli.arguments import utc_time

    backfill = commands.add_parser(
        "backfill", help="fill session minutes without a row from Yahoo's one-minute bars"
    )
    backfill.add_argument("--from", dest="start", type=utc_time, required=True, help="ISO UTC")
    backfill.add_argument("--to", dest="end", type=utc_time, required=True, help="ISO UTC")
    source = backfill.add_mutually_exclusive_group()
    source.add_argument(
        "--symbols", type=_symbols, default=(), help="comma-separated (default: silver's)"
    )
    source.add_argument("--symbols-file", type=symbols_file, help="file with one symbol per line")
    backfill.add_argument(
        "--yahoo-url", type=http_url, help="send every Yahoo call here (default YAHOO_BASE_URL)"
    )
    backfill.add_argument("--lake", type=lake_to_write, default=str(DEFAULT_LAKE))


def _add_query(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    query = commands.add_parser("query", help="run Athena SQL against the lake on this machine")
    query.add_argument("--lake", type=existing_lake, default=str(DEFAULT_LAKE))
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument(
        "--param",
        action="append",
        default=[],
        help="value for the next ? as Athena SQL literal text, e.g. \"'AAPL'\" (repeatable)",
    )
    query.add_argument("sql", help="one Athena SQL statement")


def _add_dashboard(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dashboard = commands.add_parser("dashboard", help="render the dashboards into one HTML file")
    # No default here: --athena reads no lake, so ./lake is checked only when it is read.
    dashboard.add_argument("--lake", type=existing_lake, help="default ./lake")
    dashboard.add_argument("--out", type=Path, help="output file (default LAKE/dashboard.html)")
    dashboard.add_argument("--serve", action="store_true", help="serve a live page instead")
    dashboard.add_argument("--host", default="127.0.0.1", help="--serve: address to bind")
    dashboard.add_argument("--port", type=port_number, default=8050, help="--serve: port")
    dashboard.add_argument(
        "--refresh", type=refresh_seconds, default=5.0, help="--serve: seconds between refreshes"
    )
    dashboard.add_argument("--athena", action="store_true", help="query Athena, not the lake")
    dashboard.add_argument("--workgroup", default=os.environ.get("ATHENA_WORKGROUP", "primary"))
    dashboard.add_argument("--database", default=os.environ.get("ATHENA_DATABASE", "quotepipe"))
    dashboard.add_argument("--output-location", default=os.environ.get("ATHENA_OUTPUT_LOCATION"))


def _add_compact(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    compact = commands.add_parser("compact", help="compact closed days of silver into gold Parquet")
    compact.add_argument("--lake", type=existing_lake, default=str(DEFAULT_LAKE))
    compact.add_argument("--from", dest="start", type=date.fromisoformat)
    compact.add_argument("--to", dest="end", type=date.fromisoformat)


def _add_athena(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    athena = commands.add_parser("athena", help="manage the Athena objects on AWS")
    actions = athena.add_subparsers(dest="action", required=True)
    apply = actions.add_parser("apply", help="create the database, table and views of sql/")
    apply.add_argument("--workgroup", default=os.environ.get("ATHENA_WORKGROUP", "primary"))
    apply.add_argument(
        "--output-location",
        default=os.environ.get("ATHENA_OUTPUT_LOCATION"),
        help="s3:// result location (optional when the workgroup enforces one)",
    )
    apply.add_argument("--silver-bucket", default=os.environ.get("SILVER_BUCKET"))
    apply.add_argument("--gold-bucket", default=os.environ.get("GOLD_BUCKET"))
    apply.add_argument(
        "--gold-watermark",
        default=os.environ.get("GOLD_WATERMARK"),
        help="first day the quotes view reads from silver (default: all of silver)",
    )
    apply.add_argument("--dry-run", action="store_true", help="print the statements only")


def _add_replay(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    replay = commands.add_parser("replay", help="re-process bronze into silver for some dates")
    replay.add_argument("--from", dest="start", type=date.fromisoformat, required=True)
    replay.add_argument("--to", dest="end", type=date.fromisoformat, required=True)
    replay.add_argument("--lake", type=existing_lake, help="replay the lake on disk instead of AWS")
    replay.add_argument("--bronze-bucket", default=os.environ.get("BRONZE_BUCKET"))
    replay.add_argument("--silver-bucket", default=os.environ.get("SILVER_BUCKET"))


def _add_redrive(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    redrive = commands.add_parser("redrive", help="hand the processor's failed events back to it")
    where = redrive.add_mutually_exclusive_group()
    where.add_argument("--queue-url", default=os.environ.get("PROCESSOR_DLQ_URL"))
    where.add_argument(
        "--lake", type=existing_lake, help="redrive the lake's dead-letters/processor/"
    )
    redrive.add_argument("--function-name", help="default: the function each record names")


def _add_probe(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from infra.cli.arguments import ca_bundle, probe_symbols

    probe = commands.add_parser("probe", help="try Yahoo from this machine through each transport")
    probe.add_argument(
        "--symbols",
        type=probe_symbols,
        default=("AAPL", "MSFT", "SHOP.TO"),
        help="comma-separated, at most 100 (default AAPL,MSFT,SHOP.TO)",
    )
    probe.add_argument("--yahoo-url", type=http_url, help="probe this URL instead of Yahoo")
    probe.add_argument("--transport", choices=("aiohttp", "curl_cffi", "all"), default="all")
    probe.add_argument("--ca-bundle", type=ca_bundle, help="PEM file of CAs to trust (HTTPS)")


def _add_resend(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    resend = commands.add_parser(
        "resend-dead-letters", help="send the producer's dead letters back to the stream"
    )
    resend.add_argument("--from", dest="start", type=date.fromisoformat)
    resend.add_argument("--to", dest="end", type=date.fromisoformat)
    resend.add_argument("--bronze-bucket", default=os.environ.get("BRONZE_BUCKET"))
    resend.add_argument("--stream", default=os.environ.get("DELIVERY_STREAM_NAME"))


def parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    # Typed as the base class so the _add_* helpers (and merged ones) keep their signature.
    top: argparse.ArgumentParser = OneLineParser(
        prog="quotepipe", description=__doc__.splitlines()[0]
    )
    commands = top.add_subparsers(dest="command", required=True)
    _add_run(commands)
    _add_query(commands)
    _add_backfill(commands)
    _add_replay(commands)
    _add_dashboard(commands)
    _add_compact(commands)
    _add_athena(commands)
    _add_redrive(commands)
    _add_probe(commands)
    _add_resend(commands)
    return top


def _run(args: argparse.Namespace) -> int:
    from infra.cli.report import run_and_report
    from infra.local.pipeline import RunOptions

    options = RunOptions(
        ticks=args.ticks,
        interval=args.interval,
        symbols=args.symbols,
        symbols_file=args.symbols_file,
        yahoo_url=args.yahoo_url,
        lake=args.lake,
        follow_sessions=args.follow_sessions,
    )
    return run_and_report(options, dashboard_port=args.dashboard)


def _query(args: argparse.Namespace) -> int:
    from infra.local.athena.engine import run_query_command

    return run_query_command(args.lake, args.sql, args.format, args.param)


def _backfill(args: argparse.Namespace) -> int:
    from infra.cli.backfill import BackfillOptions, backfill_command

    if args.start >= args.end:
        print("quotepipe backfill: --from must be before --to", file=sys.stderr)
        return 2
    options = BackfillOptions(
        start=args.start,
        end=args.end,
        symbols=args.symbols,
        symbols_file=args.symbols_file,
        yahoo_url=args.yahoo_url,
        lake=args.lake,
    )
    return backfill_command(options)


def _dashboard(args: argparse.Namespace) -> int:
    from infra.cli.dashboard import athena_command, dashboard_command, serve_command

    if args.athena:
        return athena_command(
            workgroup=args.workgroup,
            database=args.database,
            output_location=args.output_location,
            out=args.out or Path("dashboard.html"),
        )
    args.lake = args.lake or _default_lake()
    if args.serve:
        return serve_command(args.lake, host=args.host, port=args.port, refresh=args.refresh)
    return dashboard_command(args.lake, args.out or args.lake / "dashboard.html")


def _compact(args: argparse.Namespace) -> int:
    from infra.cli.compact import compact_command

    return compact_command(args.lake, args.start, args.end)


def _default_lake() -> Path:
    """./lake, which must exist: refused as argparse refuses a bad --lake (exit 2)."""
    try:
        return existing_lake(str(DEFAULT_LAKE))
    except argparse.ArgumentTypeError as exc:
        print(f"quotepipe dashboard: error: argument --lake: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def _athena(args: argparse.Namespace) -> int:
    from infra.aws.athena_apply import apply_command

    return apply_command(
        workgroup=args.workgroup,
        output_location=args.output_location,
        silver_bucket=args.silver_bucket,
        gold_bucket=args.gold_bucket,
        gold_watermark=args.gold_watermark,
        dry_run=args.dry_run,
    )


def _replay(args: argparse.Namespace) -> int:
    from infra.cli.replay import replay_command

    if args.start > args.end:
        print("quotepipe replay: --from is after --to", file=sys.stderr)
        return 2
    return replay_command(
        args.start, args.end, lake=args.lake, bronze=args.bronze_bucket, silver=args.silver_bucket
    )


def _redrive(args: argparse.Namespace) -> int:
    from infra.cli.redrive import redrive_command

    return redrive_command(
        queue_url=args.queue_url, lake=args.lake, function_name=args.function_name
    )


def _probe(args: argparse.Namespace) -> int:
    from infra.cli.probe import TRANSPORTS, probe_command

    transports = TRANSPORTS if args.transport == "all" else (args.transport,)
    return probe_command(
        symbols=args.symbols,
        yahoo_url=args.yahoo_url,
        transports=transports,
        ca_bundle=args.ca_bundle,
    )


def _resend(args: argparse.Namespace) -> int:
    from infra.cli.resend import resend_command

    return resend_command(
        bucket=args.bronze_bucket, stream=args.stream, start=args.start, end=args.end
    )


COMMANDS = {
    "run": _run,
    "query": _query,
    "backfill": _backfill,
    "replay": _replay,
    "dashboard": _dashboard,
    "compact": _compact,
    "athena": _athena,
    "redrive": _redrive,
    "probe": _probe,
    "resend-dead-letters": _resend,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``quotepipe`` console script."""
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:  # Ctrl-C before `run` handles signals itself, or in a query
        print(f"quotepipe {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
