"""Processor benchmark: a 1,000,000-line bronze object to silver, against DuckDB doing the same.

Each measurement runs in its own subprocess so peak memory (``ru_maxrss``) belongs
to that run alone. The processor reads and writes through a local-file stand-in
for S3 (same calls, same part sizes), so the figures are CPU and memory, not network.
DuckDB reads the same file and writes per-date quoted CSV with the same checks,
conversions, time formatting and de-duplication, plus the rejected lines with their
reasons, as the baseline (its silver and rejected counts are reported next to ours).
Both objects span midnight (two output dates), so 1,000,000 vs 100,000 compares like
with like; each figure is the best of ``REPEATS`` runs, for both engines alike.
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from firehose.codec import BRONZE_FIELDS, BronzeQuote, encode_line

BIG, SMALL = 1_000_000, 100_000
REPEATS = 2
SYMBOLS = 2_000
MIDNIGHT = 1_795_737_600  # 2026-11-27T00:00:00Z: every object spans two dates, like real ones
TICK_SECONDS = 20
BRONZE_KEY = "quotes/dt=2026-11-26/quotepipe-bronze-1-2026-11-26-22-00-00-bench"
_CURRENCIES = (("USD", 1.0), ("CAD", 1.3987), ("GBP", 0.7871), ("EUR", 0.9212), ("JPY", 151.3))
# Name mix: a fifth carry commas (quoted in bronze), a tenth quotes or backslashes.
_NAMES = (
    "T-Mobile US, Inc.",
    "Apple Inc.",
    "Microsoft Corporation",
    'Foo "Bar" Plc',
    "Société Générale",
    "Alphabet Inc.",
    "Royal Bank of Canada",
    "Berkshire Hathaway Inc., Class B",
    "  Padded   Name  Co ",
    "Back\\slash AG",
)


def make_bronze(path: Path, rows: int, seed: int = 7) -> None:
    """Write a realistic bronze object: ticks of all symbols, repeats, a few bad lines."""
    rng = random.Random(seed)
    prices = [rng.uniform(5, 500) for _ in range(SYMBOLS)]
    start = MIDNIGHT - rows // SYMBOLS * TICK_SECONDS // 2
    with path.open("w", encoding="utf-8") as out:
        for n in range(rows):
            tick, index = divmod(n, SYMBOLS)
            out.write(_line(rng, start + tick * TICK_SECONDS, index, prices))


def _line(rng: random.Random, fetched: int, index: int, prices: list[float]) -> str:
    currency, rate = _CURRENCIES[index % len(_CURRENCIES)]
    prices[index] = round(max(0.01, prices[index] * (1 + rng.gauss(0, 0.001))), 2)
    closed = index % 10 == 0  # a closed market repeats its last trade time every tick
    bad = rng.random() < 0.001
    quote = BronzeQuote(
        symbol=f"S{index:04d}.X",
        name=f"{_NAMES[index % len(_NAMES)]} {index}",
        exchange="NMS",
        currency=currency,
        price=float("nan") if bad else prices[index],
        change_pct=round(rng.gauss(0, 1), 4),
        volume=rng.randrange(1_000_000),
        market_state="CLOSED" if closed else "REGULAR",
        trade_time=MIDNIGHT - 86_400 if closed else fetched - rng.randrange(15),
        fetched_at=fetched,
        fx_rate=rate,
        fx_usd_cad=1.3987,
    )
    return encode_line(quote)


class FileS3:
    """The S3 calls the processor makes, on local files: no network in the figures."""

    def __init__(self, source: Path, out: Path) -> None:
        self.source, self.out = source, out
        self.parts: dict[str, Any] = {}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        """The bronze file as a streaming body."""
        return {"Body": self.source.open("rb"), "LastModified": datetime.now(UTC)}

    def put_object(self, *, Bucket: str, Key: str, Body: BinaryIO, **_: Any) -> None:
        """Write a small object."""
        with self._path(Key).open("wb") as target:
            shutil.copyfileobj(Body, target)

    def create_multipart_upload(self, *, Bucket: str, Key: str, **_: Any) -> dict[str, str]:
        """Open the target file for appending parts."""
        self.parts[Key] = self._path(Key).open("wb")
        return {"UploadId": Key}

    def upload_part(self, *, Key: str, Body: BinaryIO, PartNumber: int, **_: Any) -> dict[str, str]:
        """Append one part."""
        shutil.copyfileobj(Body, self.parts[Key])
        return {"ETag": str(PartNumber)}

    def complete_multipart_upload(self, *, Key: str, **_: Any) -> None:
        """Close the target file."""
        self.parts.pop(Key).close()

    def abort_multipart_upload(self, *, Key: str, **_: Any) -> None:
        """Close and forget."""
        self.parts.pop(Key).close()

    def _path(self, key: str) -> Path:
        path = self.out / key
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


def run_processor(source: Path, out: Path) -> dict[str, Any]:
    """Process ``source`` through ``process_object``; rows out and seconds."""
    from processor import BronzeObject, Settings, process_object

    started, cpu = time.perf_counter(), time.process_time()
    report = process_object(
        FileS3(source, out), BronzeObject("bench", BRONZE_KEY), Settings(silver_bucket="bench")
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "rows_out": report.rows_written,
        "lines": report.lines_in,
        "rejected": report.rows_rejected,
        "duplicates": report.duplicates,
    }


# The same transform in DuckDB: parse, clean text, check (first failing check names the
# reason), de-duplicate, convert, format times, write per-date quoted CSV, and write the
# rejected lines with their reasons (the raw line rebuilt from its columns).
_DUCKDB_JUDGE = r"""
CREATE TEMP TABLE judged AS
WITH src AS (
  SELECT *, row_number() OVER () AS ln
  FROM read_csv('{source}', header = false, delim = ',', quote = '"', escape = '"',
                columns = {columns}, null_padding = true, ignore_errors = true)
), typed AS (
  SELECT *, trim(symbol) AS sym,
    trim(regexp_replace(regexp_replace(coalesce(name, ''), '[\x00-\x1f\x7f-\x9f]', ' ', 'g'),
                        '\s+', ' ', 'g')) AS clean_name,
    trim(regexp_replace(coalesce(exchange, ''), '[\x00-\x1f\x7f-\x9f]', ' ', 'g')) AS exch,
    trim(regexp_replace(coalesce(market_state, ''), '[\x00-\x1f\x7f-\x9f]', ' ', 'g')) AS state,
    TRY_CAST(price AS DOUBLE) AS p,
    CASE WHEN fx_rate IS NULL AND currency = 'USD' THEN 1.0
         ELSE TRY_CAST(fx_rate AS DOUBLE) END AS fx,
    TRY_CAST(fx_usd_cad AS DOUBLE) AS cad, TRY_CAST(change_pct AS DOUBLE) AS chg,
    TRY_CAST(volume AS BIGINT) AS vol,
    TRY_CAST(trade_time AS BIGINT) AS tt, TRY_CAST(fetched_at AS BIGINT) AS ft
  FROM src
)
SELECT *, CASE
    WHEN version IS DISTINCT FROM '1' THEN 'unknown_version'
    WHEN fx_usd_cad IS NULL AND fx_rate IS NULL AND fetched_at IS NULL THEN 'wrong_column_count'
    WHEN NOT regexp_full_match(sym, '[A-Z0-9^][A-Z0-9.\-=^&]{{0,23}}') THEN 'bad_symbol'
    WHEN NOT regexp_full_match(coalesce(currency, ''), '[A-Z]{{3}}') THEN 'bad_currency'
    WHEN p IS NULL OR NOT isfinite(p) OR p <= 0 THEN 'bad_price'
    WHEN change_pct IS NOT NULL AND (chg IS NULL OR NOT isfinite(chg)) THEN 'bad_change_pct'
    WHEN volume IS NOT NULL AND (vol IS NULL OR vol < 0) THEN 'bad_volume'
    WHEN tt IS NULL OR ft IS NULL THEN 'bad_time'
    WHEN tt NOT BETWEEN 946684800 AND 4102444799 OR ft NOT BETWEEN 946684800 AND 4102444799
      THEN 'implausible_time'
    WHEN tt > ft + 300 THEN 'trade_time_in_future'
    WHEN tt < 1704067200 OR tt > epoch(current_timestamp) + 300 THEN 'trade_time_out_of_range'
    WHEN fx IS NULL OR cad IS NULL THEN 'missing_fx_rate'
    WHEN NOT isfinite(fx) OR fx <= 0 OR NOT isfinite(cad) OR cad <= 0 THEN 'bad_fx_rate'
    WHEN NOT (isfinite(p / fx * cad) AND p / fx > 5e-7 AND p / fx * cad > 5e-7)
      THEN 'converted_price_out_of_range'
  END AS reason
FROM typed
"""

_DUCKDB_SILVER = r"""
COPY (
  SELECT sym AS symbol, clean_name AS name, exch AS exchange, currency,
    CAST(p AS VARCHAR) AS price,
    CAST(round(p / fx, 6) AS VARCHAR) AS price_usd,
    CAST(round(p / fx * cad, 6) AS VARCHAR) AS price_cad,
    CAST(round(cad, 6) AS VARCHAR) AS fx_usd_cad, coalesce(CAST(chg AS VARCHAR), '') AS change_pct,
    coalesce(CAST(vol AS VARCHAR), '') AS volume, state AS market_state,
    strftime(to_timestamp(tt), '%Y-%m-%dT%H:%M:%SZ') AS trade_time,
    strftime(to_timestamp(ft), '%Y-%m-%dT%H:%M:%SZ') AS fetched_at,
    '{key}' AS source_key, strftime(to_timestamp(tt), '%Y-%m-%d') AS dt
  FROM judged WHERE reason IS NULL
  QUALIFY row_number() OVER (PARTITION BY sym, tt ORDER BY ln) = 1
  ORDER BY ln
) TO '{out}/silver' (FORMAT csv, HEADER, FORCE_QUOTE *, QUOTE '"', ESCAPE '\', PARTITION_BY (dt))
"""

_DUCKDB_REJECTED = r"""
COPY (
  SELECT reason, '' AS detail,
    concat_ws(',', version, symbol, name, exchange, currency, price, change_pct, volume,
              market_state, trade_time, fetched_at, fx_rate, fx_usd_cad) AS raw_line,
    '{key}' AS source_key, CAST(ln AS VARCHAR) AS line_number,
    CAST(strlen(raw_line) AS VARCHAR) AS raw_length
  FROM judged WHERE reason IS NOT NULL ORDER BY ln
) TO '{out}/rejected.csv' (FORMAT csv, HEADER, FORCE_QUOTE *, QUOTE '"', ESCAPE '\')
"""


def run_duckdb(source: Path, out: Path, threads: int | None) -> dict[str, Any]:
    """The same transform in DuckDB: validate, convert, de-duplicate, write per-date CSV."""
    import duckdb

    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in BRONZE_FIELDS) + "}"
    names = {"source": source, "columns": columns, "key": BRONZE_KEY, "out": out}
    statements = [q.format(**names) for q in (_DUCKDB_JUDGE, _DUCKDB_SILVER, _DUCKDB_REJECTED)]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute(f"SET threads = {threads}")
    started, cpu = time.perf_counter(), time.process_time()
    for statement in statements:
        con.execute(statement)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = sum(_count_rows(path) for path in (out / "silver").glob("*/*.csv"))
    rejected = _count_rows(out / "rejected.csv")
    return {"seconds": seconds, "cpu_seconds": cpu, "rows_out": rows, "rejected": rejected}


def _count_rows(path: Path) -> int:
    with path.open("rb") as lines:
        return sum(1 for _ in lines) - 1


def _child(args: list[str]) -> None:
    """Subprocess entry: one measurement, printed as JSON with this process's peak RSS."""
    engine, source = args[0], Path(args[1])
    with tempfile.TemporaryDirectory() as tmp:
        if engine == "processor":
            result = run_processor(source, Path(tmp))
        else:
            result = run_duckdb(source, Path(tmp), int(args[2]) or None)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _measure(*args: str) -> dict[str, Any]:
    """Best of ``REPEATS`` fresh subprocesses: shared machines are noisy, both sides alike."""
    runs = [_run_child(args) for _ in range(REPEATS)]
    return min(runs, key=lambda run: float(run["seconds"]))


def _run_child(args: tuple[str, ...]) -> dict[str, Any]:
    answer = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def main() -> dict[str, Any]:
    """Run the benchmark, print a summary, and return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big", Path(tmp) / "small"
        make_bronze(big, BIG)
        make_bronze(small, SMALL)
        ours = _measure("processor", str(big))
        ours_small = _measure("processor", str(small))
        duck = _measure("duckdb", str(big), "0")
        duck_one = _measure("duckdb", str(big), "1")
    results = _summary(ours, ours_small, duck, duck_one)
    print(json.dumps(results, indent=2))
    return results


def _summary(
    ours: dict[str, Any], small: dict[str, Any], duck: dict[str, Any], duck_one: dict[str, Any]
) -> dict[str, Any]:
    rate = ours["rows_out"] / ours["seconds"]
    duck_rate = duck["rows_out"] / duck["seconds"]
    duck_one_rate = duck_one["rows_out"] / duck_one["seconds"]
    return {
        "bronze_lines": ours["lines"],
        "silver_rows": ours["rows_out"],
        "rejected": ours["rejected"],
        "duplicates": ours["duplicates"],
        "duckdb_silver_rows": duck["rows_out"],
        "duckdb_rejected": duck["rejected"],
        "processor_rows_per_s": round(rate),
        "duckdb_rows_per_s": round(duck_rate),
        "duckdb_1_thread_rows_per_s": round(duck_one_rate),
        "throughput_ratio_vs_duckdb": round(rate / duck_rate, 3),
        "throughput_ratio_vs_duckdb_1_thread": round(rate / duck_one_rate, 3),
        "processor_peak_rss_mb_1m": round(ours["peak_rss_mb"], 1),
        "processor_peak_rss_mb_100k": round(small["peak_rss_mb"], 1),
        "memory_ratio_1m_vs_100k": round(ours["peak_rss_mb"] / small["peak_rss_mb"], 3),
        "duckdb_peak_rss_mb_1m": round(duck["peak_rss_mb"], 1),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2:])
    else:
        main()
