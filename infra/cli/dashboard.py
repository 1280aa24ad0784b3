"""``quotepipe dashboard``: the queries of ``sql/dashboards`` rendered into one HTML file.

The file is self-contained (inline CSS and SVG, no script, no network) so it opens
anywhere. Panels: latest prices, a 5-minute OHLC chart per symbol, top movers, daily
summary (30 days), freshness, pipeline health and the worst coverage of the last 7 days,
each for the newest UTC day (dt) in the lake. Every panel carries ``data-rows`` so a
test can check it rendered data.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from infra.local.athena.engine import AthenaError, LocalAthena, QueryResult
from infra.sqlfiles.catalog import load_section

CHART_W, CHART_H, PAD = 360, 140, 8
STALE_SECONDS = 15 * 60
COVERAGE_TARGET = 0.99  # the share of session minutes below which a row is marked
COVERAGE_DAYS = 7
NULL_HTML = "&ndash;"
CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}
h1{margin:0 0 4px}section.panel{background:#fff;border-radius:8px;padding:12px 16px;
margin:16px 0;box-shadow:0 1px 3px #0002}table{border-collapse:collapse;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid #e3e6ea;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.up{color:#147a3d}.down{color:#b3261e}
.stale,.gap{background:#fdecea}.charts{display:flex;flex-wrap:wrap;gap:12px}
figure{margin:0;border:1px solid #e3e6ea;border-radius:6px;padding:6px}
figcaption{font-weight:600}.scroll{overflow-x:auto}.empty{color:#777;font-style:italic}.meta{color:#555}
"""


@dataclass(frozen=True, slots=True)
class DashboardData:
    """Everything the page shows, queried once."""

    day: str
    as_of: datetime
    results: dict[str, QueryResult]
    charts: dict[str, QueryResult]


def sql_string(text: str) -> str:
    """A SQL string literal, as an Athena execution parameter."""
    return "'" + text.replace("'", "''") + "'"


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def parameters(day: str, as_of: datetime) -> dict[str, list[str]]:
    """The ``?`` values of each dashboard query for one day."""
    moment = f"TIMESTAMP '{as_of.astimezone(UTC):%Y-%m-%d %H:%M:%S}'"
    return {
        "latest_prices": [sql_string(_shift(day, -1))],
        "top_movers": [sql_string(day)],
        "daily_30d": [sql_string(_shift(day, -29)), sql_string(day)],
        "freshness": [moment, sql_string(_shift(day, -1))],
        "pipeline_health": [sql_string(_shift(day, -1)), sql_string(day)],
        "coverage_worst": [sql_string(_shift(day, 1 - COVERAGE_DAYS)), sql_string(day)],
    }


def collect(athena: LocalAthena, *, as_of: datetime | None = None) -> DashboardData:
    """Run every dashboard query for the newest day in the lake."""
    as_of = as_of or datetime.now(UTC)
    newest = athena.query("SELECT max(dt) FROM silver_quotes").rows[0][0]
    day = str(newest or as_of.astimezone(UTC).date().isoformat())
    files = {f.path.stem: f for f in load_section("dashboards", athena.sql_dir)}
    results = {
        name: athena.query_file(files[name], params)
        for name, params in parameters(day, as_of).items()
    }
    symbols = [row[0] for row in results["latest_prices"].rows]
    charts = {
        s: athena.query_file(files["intraday_ohlc"], [sql_string(s), sql_string(day)])
        for s in symbols
    }
    return DashboardData(day, as_of, results, charts)


def number(value: Any, digits: int = 2) -> str:
    """A price or percentage for people: small prices keep more digits, counts none."""
    if value is None:
        return NULL_HTML
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float) and 0 < abs(value) < 1:
        digits = max(digits, 4)
    return f"{value:,.{digits}f}" if isinstance(value, float) else escape(str(value))


def duration(seconds: int) -> str:
    """An age for people: ``3h 05m``, ``4m 10s``."""
    hours, rest = divmod(abs(int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"
    return f"-{text}" if seconds < 0 else text


def _cell(column: str, value: Any) -> str:
    if isinstance(value, datetime):
        return f"<td>{value:%Y-%m-%d %H:%M:%S}</td>"
    if column.endswith("_seconds") and isinstance(value, int):
        return f'<td class="num" title="{value} s">{duration(value)}</td>'
    if column == "coverage" and isinstance(value, float):
        return f'<td class="num" title="{value}">{value:.2%}</td>'
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f'<td class="num">{number(value)}</td>'
    return f"<td>{escape(str(value)) if value is not None else NULL_HTML}</td>"


def table(result: QueryResult, row_class: Any = None) -> str:
    """A plain HTML table of a query result."""
    head = "".join(f"<th>{escape(c)}</th>" for c in result.columns)
    rows = []
    for row in result.rows:
        css = row_class(dict(zip(result.columns, row, strict=True))) if row_class else ""
        attr = f' class="{css}"' if css else ""
        cells = "".join(_cell(c, v) for c, v in zip(result.columns, row, strict=True))
        rows.append(f"<tr{attr}>{cells}</tr>")
    body = f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
    return f'<div class="scroll"><table>{body}</table></div>'


def panel(key: str, title: str, rows: int, body: str, note: str = "") -> str:
    """One dashboard panel; ``data-rows`` says how many rows it shows."""
    content = body if rows else '<p class="empty">no data for this day</p>'
    meta = f'<p class="meta">{escape(note)}</p>' if note else ""
    return (
        f'<section class="panel" id="panel-{key}" data-rows="{rows}">'
        f"<h2>{escape(title)}</h2>{meta}{content}</section>"
    )


def _scale(rows: list[dict[str, Any]]) -> tuple[float, float]:
    """The price range of a chart, widened a little when every price is the same."""
    low, high = min(r["low"] for r in rows), max(r["high"] for r in rows)
    if high == low:
        margin = abs(high) * 0.01 or 1.0
        return low - margin, high + margin
    return low, high


def _y(value: float, low: float, high: float) -> float:
    return PAD + (high - value) / (high - low) * (CHART_H - 2 * PAD)


def _candle(r: dict[str, Any], x: float, width: float, low: float, high: float) -> str:
    """One bucket: a high-low wick, an open-close body, a tooltip."""
    top, bottom = sorted((_y(r["open"], low, high), _y(r["close"], low, high)))
    color = "#147a3d" if r["close"] >= r["open"] else "#b3261e"
    label = f"{r['bucket_start']:%H:%M} O {r['open']} H {r['high']} L {r['low']} C {r['close']}"
    return (
        f'<g class="candle"><title>{escape(label)}</title>'
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_y(r["high"], low, high):.1f}" '
        f'y2="{_y(r["low"], low, high):.1f}" stroke="{color}"/>'
        f'<rect x="{x - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
        f'height="{max(bottom - top, 2):.1f}" fill="{color}"/></g>'
    )


def candles(result: QueryResult) -> str:
    """An inline SVG candlestick chart of 5-minute OHLC buckets (USD), closes joined."""
    rows = [dict(zip(result.columns, r, strict=True)) for r in result.rows]
    low, high = _scale(rows)
    step = (CHART_W - 2 * PAD - 40) / len(rows)
    xs = [PAD + step * (i + 0.5) for i in range(len(rows))]
    width = min(step * 0.6, 14.0)
    closes = " ".join(
        f"{x:.1f},{_y(r['close'], low, high):.1f}" for x, r in zip(xs, rows, strict=True)
    )
    first, last = rows[0]["bucket_start"], rows[-1]["bucket_start"]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" height="{CHART_H + 14}" '
        f'viewBox="0 0 {CHART_W} {CHART_H + 14}" role="img">'
        f'<polyline points="{closes}" fill="none" stroke="#3b6fd8" stroke-width="1.5"/>'
        + "".join(_candle(r, x, width, low, high) for x, r in zip(xs, rows, strict=True))
        + f'<text x="{CHART_W - 2}" y="12" text-anchor="end" font-size="10">{number(high)}</text>'
        f'<text x="{CHART_W - 2}" y="{CHART_H - PAD}" text-anchor="end" font-size="10">'
        f"{number(low)}</text>"
        f'<text x="{PAD}" y="{CHART_H + 12}" font-size="10">{first:%H:%M}</text>'
        f'<text x="{CHART_W - 42}" y="{CHART_H + 12}" text-anchor="end" font-size="10">'
        f"{last:%H:%M} UTC</text></svg>"
    )


def chart_panel(charts: dict[str, QueryResult]) -> str:
    """One chart per symbol that has USD prices on the day."""
    figures = [
        f'<figure data-symbol="{escape(s)}"><figcaption>{escape(s)}</figcaption>'
        f"{candles(r)}</figure>"
        for s, r in charts.items()
        if r.rows
    ]
    body = f'<div class="charts">{"".join(figures)}</div>'
    return panel("charts", "Intraday price, 5-minute OHLC (USD)", len(figures), body)


def _move_class(row: dict[str, Any]) -> str:
    change = row.get("change_pct")
    return "" if change is None else ("up" if change >= 0 else "down")


def _stale_class(row: dict[str, Any]) -> str:
    return "stale" if (row.get("fetch_age_seconds") or 0) > STALE_SECONDS else ""


def _gap_class(row: dict[str, Any]) -> str:
    coverage = row.get("coverage")
    return "gap" if coverage is not None and coverage < COVERAGE_TARGET else ""


def coverage_panel(data: DashboardData) -> str:
    """The symbols with the worst share of session minutes covered, worst first."""
    result, first = data.results["coverage_worst"], _shift(data.day, 1 - COVERAGE_DAYS)
    note = (
        f"UTC days {first} to {data.day}: session minutes with at least one quote; "
        f"rows under {COVERAGE_TARGET:.0%} marked"
    )
    title = f"Coverage — worst symbols of the last {COVERAGE_DAYS} days"
    return panel("coverage", title, len(result.rows), table(result, _gap_class), note)


def render(data: DashboardData) -> str:
    """The whole page."""
    r = data.results
    panels = [
        panel("latest", "Latest prices", len(r["latest_prices"].rows), table(r["latest_prices"])),
        chart_panel(data.charts),
        panel("movers", "Top movers", len(r["top_movers"].rows),
              table(r["top_movers"], _move_class), "change_pct: vs previous close"),
        panel("daily", "Daily summary, last 30 days (USD)", len(r["daily_30d"].rows),
              table(r["daily_30d"])),
        panel("freshness", "Freshness", len(r["freshness"].rows),
              table(r["freshness"], _stale_class), f"ages at {data.as_of:%Y-%m-%d %H:%M:%S} UTC"),
        panel("health", "Pipeline health (per hour of bronze arrival)",
              len(r["pipeline_health"].rows), table(r["pipeline_health"])),
        coverage_panel(data),
    ]  # fmt: skip
    title = f"quotepipe dashboard — {data.day}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{CSS}</style></head><body><h1>{escape(title)}</h1>"
        f'<p class="meta">UTC day {escape(data.day)}; generated {data.as_of:%Y-%m-%d %H:%M:%S}'
        f" UTC from the lake's silver data.</p>{''.join(panels)}</body></html>\n"
    )


def write_dashboard(lake: Path, out: Path, *, as_of: datetime | None = None) -> Path:
    """Query the lake and write the dashboard to ``out``; return ``out``."""
    with LocalAthena(lake) as athena:
        page = render(collect(athena, as_of=as_of))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def dashboard_command(lake: Path, out: Path) -> int:
    """``quotepipe dashboard``: write the file and print its path; exit 1 on a query error."""
    try:
        path = write_dashboard(lake, out)
    except AthenaError as exc:
        print(f"quotepipe dashboard: {exc}", file=sys.stderr)
        return 1
    print(f"dashboard written to {path}")
    return 0
