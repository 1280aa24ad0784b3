"""Every bad bronze object we can name, through the Lambda handler on moto S3.

Each case asserts that every line ends somewhere counted — a silver row, a rejected
row with its reason, a counted duplicate or blank line — with the written objects
holding exactly those rows, or that the object fails as a whole with a clear error
(a truncated gzip: ``BronzeReadError``, which Lambda retries) and writes nothing.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from typing import Any

import pytest

from processor.errors import BronzeReadError
from processor.process import REJECTED_COLUMNS
from processor.silver import SILVER_COLUMNS
from tests.processor.helpers import BRONZE_KEY, line, put_bronze, s3_event, silver_objects
from tests.processor.opencsv import read_table
from tests.support import lambda_context

GOOD = line().encode()
OTHER = line(symbol="AAPL").encode()
REJECTED_LIMIT = 10_000  # MAX_REJECTED_ROWS' default
OVERFLOWS: list[dict[str, Any]] = [
    {"price": 1.5e308},  # USD fine, CAD overflows
    {"currency": "EUR", "fx_rate": 1e-320, "price": 2.0},  # USD overflows
    {"currency": "JPY", "fx_rate": 1e300, "price": 3.0},  # rounds to 0.0
    {"volume": 2**63},  # no BIGINT
    {"price": float("inf")},
]


@dataclass(frozen=True)
class Case:
    """One hostile object and what must become of its lines."""

    body: bytes
    lines: int
    silver: int = 0
    blank: int = 0
    duplicates: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    gzipped: bool = False


CASES = {
    "empty": Case(b"", lines=0),
    "empty gzip": Case(gzip.compress(b""), lines=0, gzipped=True),
    "UTF-8 BOM before the first line": Case(b"\xef\xbb\xbf" + GOOD + OTHER, lines=2, silver=2),
    "BOM inside a later line": Case(
        GOOD + b"\xef\xbb\xbf" + OTHER, lines=2, silver=1, reasons={"unknown_version": 1}
    ),
    "CRLF line ends": Case(
        (GOOD + OTHER).replace(b"\n", b"\r\n"), lines=2, silver=2
    ),
    "CR-only line ends: one line": Case(
        (GOOD + OTHER + GOOD).replace(b"\n", b"\r"), lines=1, reasons={"wrong_column_count": 1}
    ),
    "CR-only line ends, over the line limit": Case(
        (GOOD + OTHER).replace(b"\n", b"\r") * 400, lines=1, reasons={"line_too_long": 1}
    ),
    "no newline at the end": Case(GOOD + OTHER.rstrip(b"\n"), lines=2, silver=2),
    "huge line between good ones": Case(
        GOOD + b"9" * 5_000_000 + b"\n" + OTHER, lines=3, silver=2, reasons={"line_too_long": 1}
    ),
    "huge last line without newline": Case(
        GOOD + b"x" * 200_000, lines=2, silver=1, reasons={"line_too_long": 1}
    ),
    "gzip bomb of newlines": Case(
        gzip.compress(b"\n" * 3_000_000), lines=3_000_000, blank=3_000_000, gzipped=True
    ),
    "gzip bomb of CRLF blank lines and one quote": Case(
        gzip.compress(b"\r\n" * 500_000 + GOOD), lines=500_001, silver=1, blank=500_000
    ),
    "gzip bomb of garbage lines": Case(
        gzip.compress(b"garbage\n" * 300_000), lines=300_000,
        reasons={"unknown_version": 300_000}, gzipped=True,
    ),
    "gzip bomb of one garbage line": Case(
        gzip.compress(b"g" * 20_000_000), lines=1, reasons={"line_too_long": 1}, gzipped=True
    ),
    "overflowing numbers": Case(
        b"".join(
            line(symbol=f"S{i}", **change).encode()
            for i, change in enumerate(OVERFLOWS)
        )
        + b"1,S9,N,NMS,USD,1e309,0,1,REGULAR,1795703405,1795703445,1,1.4\n"
        + b"1,S8,N,NMS,USD,1,0,1,REGULAR," + b"9" * 5000 + b",1795703445,1,1.4\n",
        lines=7,
        reasons={"converted_price_out_of_range": 3, "bad_volume": 1, "bad_price": 2, "bad_time": 1},
    ),
    "non-UTF-8 bytes": Case(
        GOOD + b"1,T\xff\xfeMUS,x\n" + b"\xc3\x28\n" + OTHER, lines=4, silver=2,
        reasons={"not_utf8": 2},
    ),
    "NUL bytes and whitespace-only lines": Case(
        GOOD + b"\x00\x00\n" + b"   \n" + b"\t\n" + OTHER, lines=5, silver=2,
        reasons={"unknown_version": 3},
    ),
    "unbalanced quotes": Case(
        GOOD + b'1,"TMUS,"T-Mobile\n' + b'"\n', lines=3, silver=1,
        reasons={"unknown_version": 1, "wrong_column_count": 1},
    ),
    "duplicates and blanks around them": Case(
        b"\n" + GOOD + b"\n" + GOOD + GOOD, lines=5, silver=1, blank=2, duplicates=2
    ),
}  # fmt: skip


def _rows(objects: dict[str, bytes], prefix: str, width: int) -> int:
    bodies = [body for key, body in objects.items() if key.startswith(prefix)]
    return sum(len(read_table(body.decode(), width)) for body in bodies)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_every_line_of_a_hostile_object_ends_somewhere_counted(
    case: Case, fresh_handler: Any, s3: Any
) -> None:
    # GIVEN the hostile object in bronze
    key = BRONZE_KEY + (".gz" if case.gzipped else "")
    put_bronze(s3, key, case.body)
    # WHEN the handler processes it
    result = fresh_handler.lambda_handler(s3_event(key), lambda_context())
    # THEN every line is a silver row, a rejected line, a duplicate or a blank line
    rejected = sum(case.reasons.values())
    assert result == {
        "objects": 1,
        "lines_in": case.lines,
        "rows_written": case.silver,
        "rows_rejected": rejected,
        "duplicates": case.duplicates,
        "blank_lines": case.blank,
    }
    assert case.lines == case.silver + rejected + case.duplicates + case.blank
    # AND the objects written hold exactly those rows (rejected ones up to the limit)
    objects = silver_objects(s3)
    assert _rows(objects, "quotes/", len(SILVER_COLUMNS)) == case.silver
    assert _rows(objects, "rejected/", len(REJECTED_COLUMNS)) == min(rejected, REJECTED_LIMIT)
    assert all(len(body) < 13_000_000 for body in objects.values())


def test_the_reasons_are_logged_per_object(
    fresh_handler: Any, s3: Any, caplog: pytest.LogCaptureFixture
) -> None:
    case = CASES["overflowing numbers"]
    put_bronze(s3, BRONZE_KEY, case.body)
    fresh_handler.lambda_handler(s3_event(BRONZE_KEY), lambda_context())
    (logged,) = [r for r in caplog.records if r.getMessage() == "bronze object processed"]
    assert getattr(logged, "reasons", None) == dict(sorted(case.reasons.items()))
    assert getattr(logged, "balanced", None) is True


@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(GOOD * 1_000)[:-30],  # cut inside the stream
        gzip.compress(GOOD)[:12],  # cut inside the header
        gzip.compress(GOOD) + b"\x1f\x8b\x08\x00garbage",  # a corrupt second member
    ],
    ids=["truncated stream", "truncated header", "corrupt second member"],
)
def test_a_corrupt_gzip_fails_the_object_whole_for_lambda_to_retry(
    body: bytes, fresh_handler: Any, s3: Any
) -> None:
    put_bronze(s3, BRONZE_KEY + ".gz", body)
    with pytest.raises(BronzeReadError, match="corrupt or truncated"):
        fresh_handler.lambda_handler(s3_event(BRONZE_KEY + ".gz"), lambda_context())
    assert silver_objects(s3) == {}
