"""The dashboard page: panels of tables and inline SVG charts, from ``DashboardData``.

One renderer for every data source (the lake, Athena) and both ways of showing it (a
file, the live server). The page is self-contained: inline CSS and SVG, no network.
Every panel is a ``<section id="panel-KEY" data-rows="N">`` so a test can check it
rendered data, and so the live page can swap one panel for a fresher one.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from infra.dashboard.data import COVERAGE_DAYS, PANELS, DashboardData, Scan, shift
from infra.local.athena.engine import QueryResult

CHART_W, CHART_H, PAD = 360, 140, 8
STALE_SECONDS = 15 * 60
COVERAGE_TARGET = 0.99  # the share of session minutes below which a row is marked
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
.error{color:#b3261e;white-space:pre-wrap}footer{margin-top:24px}
"""


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


def panel(name: str, rows: int, body: str, note: str = "", error: str = "") -> str:
    """The panel of query ``name``; ``data-rows`` says how many rows it shows.

    A failed query shows its message in the panel, so one bad query leaves a live page.
    """
    key, title = PANELS[name]
    if error:
        content = f'<p class="error">query {name} failed: {escape(error)}</p>'
    else:
        content = body if rows else '<p class="empty">no data for this day</p>'
    meta = f'<p class="meta">{escape(note)}</p>' if note else ""
    flag = ' data-error="1"' if error else ""
    return (
        f'<section class="panel" id="panel-{key}" data-rows="{rows}"{flag}>'
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


def chart_panel(data: DashboardData) -> str:
    """One chart per symbol that has USD prices on the day."""
    figures = [
        f'<figure data-symbol="{escape(s)}"><figcaption>{escape(s)}</figcaption>'
        f"{candles(r)}</figure>"
        for s, r in data.charts.items()
        if r.rows
    ]
    body = f'<div class="charts">{"".join(figures)}</div>'
    note = ""
    if data.symbols_shown > len(data.charts):
        note = (
            f"the first {len(data.charts)} of {data.symbols_shown} symbols; "
            "query ohlc_5m for the others"
        )
    error = data.errors.get("intraday_ohlc", "")
    return panel("intraday_ohlc", len(figures), body, note=note, error=error)


def _move_class(row: dict[str, Any]) -> str:
    change = row.get("change_pct")
    return "" if change is None else ("up" if change >= 0 else "down")


def _stale_class(row: dict[str, Any]) -> str:
    return "stale" if (row.get("fetch_age_seconds") or 0) > STALE_SECONDS else ""


def _gap_class(row: dict[str, Any]) -> str:
    coverage = row.get("coverage")
    return "gap" if coverage is not None and coverage < COVERAGE_TARGET else ""


def _table_panel(data: DashboardData, name: str, row_class: Any = None, note: str = "") -> str:
    result = data.results[name]
    body = table(result, row_class)
    return panel(name, len(result.rows), body, note, data.errors.get(name, ""))


def panels(data: DashboardData) -> dict[str, str]:
    """Each panel's HTML by its key (``latest``, ``charts``…), in page order."""
    first = shift(data.day, 1 - COVERAGE_DAYS)
    coverage_note = (
        f"UTC days {first} to {data.day}: session minutes with at least one quote; "
        f"rows under {COVERAGE_TARGET:.0%} marked"
    )
    html = [
        _table_panel(data, "latest_prices"),
        chart_panel(data),
        _table_panel(data, "top_movers", _move_class, "change_pct: vs previous close"),
        _table_panel(data, "daily_30d"),
        _table_panel(data, "freshness", _stale_class,
                     f"ages at {data.as_of:%Y-%m-%d %H:%M:%S} UTC"),
        _table_panel(data, "pipeline_health"),
        _table_panel(data, "coverage_worst", _gap_class, coverage_note),
    ]  # fmt: skip
    return {key: section for (key, _), section in zip(PANELS.values(), html, strict=True)}


def title(data: DashboardData) -> str:
    """The page's title and heading."""
    return f"quotepipe dashboard — {data.day}"


def byline(data: DashboardData) -> str:
    """The line under the heading: which day, when, from where."""
    return f"UTC day {data.day}; generated {data.as_of:%Y-%m-%d %H:%M:%S} UTC from {data.origin}."


def _money(usd: float) -> str:
    return f"${usd:.6f}" if usd < 0.01 else f"${usd:,.2f}"


def scans_footer(scans: dict[str, Scan]) -> str:
    """Bytes each panel's queries scanned and what Athena bills for them."""
    if not scans:
        return ""
    rows = "".join(
        f'<tr data-panel="{PANELS[name][0]}"><td>{escape(PANELS[name][1])}</td>'
        f'<td class="num">{s.queries}</td><td class="num">{s.bytes_scanned:,}</td>'
        f'<td class="num">{_money(s.cost_usd)}</td></tr>'
        for name, s in scans.items()
    )
    total = sum(s.cost_usd for s in scans.values())
    head = "<tr><th>panel</th><th>queries</th><th>bytes scanned</th><th>cost</th></tr>"
    return (
        f'<footer id="scans"><h2>Athena cost of this page</h2><table><thead>{head}</thead>'
        f'<tbody>{rows}</tbody></table><p class="meta">total {_money(total)}; each query is '
        f"billed at least Athena's minimum scan</p></footer>"
    )


def render(data: DashboardData, *, live: str = "") -> str:
    """The whole page; ``live`` is the live server's status line and script, if any."""
    head = escape(title(data))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        # An empty icon: no favicon request, so a served page makes no failing request.
        f'<link rel="icon" href="data:,"><title>{head}'
        f'</title><style>{CSS}</style></head><body><h1 id="page-title">{head}</h1>'
        f'<p class="meta" id="page-byline">{escape(byline(data))}</p>{live}'
        f"{''.join(panels(data).values())}{scans_footer(data.scans)}</body></html>\n"
    )
