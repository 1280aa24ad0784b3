"""A fixed silver lake for golden tests, written the way the contract says.

Four symbols over a UTC day boundary: AAPL (USD) with the same quote in two objects
(the later fetch must win) and an exact copy, SHOP.TO (CAD) and VOD.L (GBP) with USD
conversions, TMUS with a name full of commas, quotes and backslashes and one quote
without a USD price. Expected results are worked out by hand in the tests.
"""

from __future__ import annotations

from pathlib import Path

COLUMNS = [
    *("symbol", "name", "exchange", "currency", "price", "price_usd", "price_cad"),
    *("fx_usd_cad", "change_pct", "volume", "market_state", "trade_time", "fetched_at"),
    "source_key",
]
HOSTILE_NAME = 'T-Mobile US, Inc. "Class \\A\\" \\\\ 🚀, ünïcode'


def bronze_key(dt: str, hms: str, n: int) -> str:
    """A bronze key as Firehose names it: arrival time, then a UUID."""
    stamp = f"{dt}-{hms.replace(':', '-')}"
    return f"quotes/dt={dt}/quotepipe-bronze-1-{stamp}-{n:08x}-0000-0000-0000-{n:012x}"


KEY_A = bronze_key("2026-11-26", "00:01:00", 1)
KEY_B = bronze_key("2026-11-26", "00:07:00", 2)
KEY_C = bronze_key("2026-11-26", "14:40:00", 3)
KEY_Z = bronze_key("2026-11-25", "23:59:59", 4)


def quote(
    symbol: str,
    trade_time: str,
    price: str,
    usd: str,
    *,
    fetched: str,
    key: str,
    name: str = "",
    currency: str = "USD",
    cad: str = "",
    fx: str = "1.4",
    change: str = "0.5",
    exchange: str = "NMS",
) -> list[str]:
    """One silver row in contract order."""
    return [symbol, name or f"{symbol} Inc.", exchange, currency, price, usd, cad, fx, change,
            "1000", "REGULAR", trade_time, fetched, key]  # fmt: skip


def csv_line(fields: list[str]) -> str:
    """The contract's CSV: every field quoted, backslash escapes, one line."""
    escaped = (f.replace("\\", "\\\\").replace('"', '\\"') for f in fields)
    return ",".join(f'"{f}"' for f in escaped) + "\n"


def write_object(
    lake: Path, dt: str, name: str, rows: list[list[str]], table: str = "quotes"
) -> Path:
    """One silver object with its header row."""
    path = lake / "silver" / table / f"dt={dt}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    header = COLUMNS if table == "quotes" else REJECTED_COLUMNS
    path.write_text("".join(csv_line(r) for r in [list(header), *rows]), encoding="utf-8")
    return path


REJECTED_COLUMNS = ["reason", "detail", "raw_line", "source_key", "line_number"]

OBJECTS: dict[tuple[str, str], list[list[str]]] = {
    ("2026-11-25", "z.csv"): [
        quote(
            "AAPL",
            "2026-11-25T23:58:00Z",
            "100.0",
            "100.0",
            fetched="2026-11-25T23:58:02Z",
            key=KEY_Z,
        ),
        quote(
            "AAPL",
            "2026-11-25T23:59:30Z",
            "101.0",
            "101.0",
            fetched="2026-11-25T23:59:32Z",
            key=KEY_Z,
        ),
    ],
    ("2026-11-26", "a.csv"): [
        quote(
            "AAPL",
            "2026-11-26T00:00:10Z",
            "102.0",
            "102.0",
            fetched="2026-11-26T00:00:12Z",
            key=KEY_A,
        ),
        quote(
            "AAPL",
            "2026-11-26T00:03:00Z",
            "99.0",
            "99.0",
            fetched="2026-11-26T00:03:05Z",
            key=KEY_A,
        ),
    ],
    ("2026-11-26", "b.csv"): [
        # The 00:03:00 quote again, fetched later with another price: this copy wins.
        quote(
            "AAPL",
            "2026-11-26T00:03:00Z",
            "98.5",
            "98.5",
            fetched="2026-11-26T00:03:09Z",
            key=KEY_B,
        ),
        quote(
            "AAPL",
            "2026-11-26T00:06:00Z",
            "103.0",
            "103.0",
            fetched="2026-11-26T00:06:02Z",
            key=KEY_B,
            change="-1.25",
        ),
        # An exact copy of a.csv's first row but for its source key.
        quote(
            "AAPL",
            "2026-11-26T00:00:10Z",
            "102.0",
            "102.0",
            fetched="2026-11-26T00:00:12Z",
            key=KEY_B,
        ),
    ],
    ("2026-11-26", "c.csv"): [
        quote(
            "SHOP.TO",
            "2026-11-26T14:30:00Z",
            "140.0",
            "100.0",
            cad="140.0",
            currency="CAD",
            fetched="2026-11-26T14:30:01Z",
            key=KEY_C,
            change="2.5",
        ),
        quote(
            "SHOP.TO",
            "2026-11-26T14:33:00Z",
            "141.4",
            "101.0",
            cad="141.4",
            currency="CAD",
            fetched="2026-11-26T14:33:01Z",
            key=KEY_C,
            change="3.0",
        ),
        quote(
            "TMUS",
            "2026-11-26T14:31:00Z",
            "250.25",
            "250.25",
            cad="350.35",
            name=HOSTILE_NAME,
            fetched="2026-11-26T14:31:02Z",
            key=KEY_C,
            change="-4.0",
        ),
        quote(
            "TMUS",
            "2026-11-26T14:36:00Z",
            "251.0",
            "",
            name=HOSTILE_NAME,
            fetched="2026-11-26T14:36:02Z",
            key=KEY_C,
            change="",
        ),
        quote(
            "VOD.L",
            "2026-11-26T09:00:00Z",
            "0.72",
            "0.9",
            cad="1.26",
            currency="GBP",
            fetched="2026-11-26T14:30:01Z",
            key=KEY_C,
            change="0.1",
        ),
    ],
}

REJECTED: dict[tuple[str, str], list[list[str]]] = {
    ("2026-11-26", "c.csv"): [
        ["bad_price", "price 'abc' is not a number", '1,XYZ,"X, Inc.",NMS,USD,abc', KEY_C, "7"],
        ["unknown_symbol", "no price", "1,NOPE", KEY_C, "8"],
    ],
}


STATS_COLUMNS = [
    *("source_key", "lines_in", "rows_written", "rows_rejected"),
    *("rejected_not_written", "duplicates", "blank_lines"),
]


def write_stats(lake: Path, key: str, written: int, rejected: int, *, duplicates: int = 0) -> Path:
    """The processor's stats object of bronze ``key``, under its arrival date."""
    arrival = key.split("/")[1].removeprefix("dt=")
    lines = written + rejected + duplicates
    row = [key, str(lines), str(written), str(rejected), "0", str(duplicates), "0"]
    path = lake / "silver" / "stats" / f"dt={arrival}" / f"{key.rsplit('/', 1)[1]}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_line(STATS_COLUMNS) + csv_line(row), encoding="utf-8")
    return path


def write_golden_lake(lake: Path) -> Path:
    """Write every object of the golden lake, and the stats of each bronze key; return ``lake``."""
    counts: dict[str, list[int]] = {}
    for (dt, name), rows in OBJECTS.items():
        write_object(lake, dt, name, rows)
        for row in rows:
            counts.setdefault(row[13], [0, 0])[0] += 1
    for (dt, name), rows in REJECTED.items():
        write_object(lake, dt, name, rows, table="rejected")
        for row in rows:
            counts.setdefault(row[3], [0, 0])[1] += 1
    for key, (written, rejected) in counts.items():
        write_stats(lake, key, written, rejected)
    return lake
