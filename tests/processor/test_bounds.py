"""What one hostile bronze object can cost: memory per line, output bytes, time.

A 100 MB line costs at most 100 MB more memory than a normal object. Each object is
processed by the Lambda handler in a fresh interpreter (moto S3 in process), which
reports its peak RSS (``ru_maxrss``); the two peaks are compared, so what the
interpreter, boto3 and moto cost cancels out. The bronze objects are made in this
process, streamed through a compressor, so the child never holds the big line.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

from tests.processor.helpers import BRONZE_KEY, line, put_bronze, s3_event, silver_objects
from tests.support import REPO, lambda_context

MB = 1_000_000
CHILD = r"""
import json, os, resource, sys
import boto3
from moto import mock_aws
from processor import handler
from tests.processor.helpers import BRONZE_BUCKET, BRONZE_KEY, SILVER_BUCKET, s3_event
from tests.support import lambda_context

with mock_aws():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BRONZE_BUCKET)
    s3.create_bucket(Bucket=SILVER_BUCKET)
    with open(sys.argv[1], "rb") as body:
        s3.put_object(Bucket=BRONZE_BUCKET, Key=BRONZE_KEY, Body=body.read())
    result = handler.lambda_handler(s3_event(BRONZE_KEY), lambda_context())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"result": result, "peak_mb": peak}))
"""


def _gzip_to(path: Path, pieces: list[tuple[bytes, int]]) -> Path:
    """Write ``piece * times`` for each piece, gzipped, never holding the whole."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        for piece, times in pieces:
            for _ in range(times):
                out.write(packer.compress(piece))
        out.write(packer.flush())
    return path


def _process(path: Path) -> dict[str, object]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "SILVER_BUCKET": "quotepipe-silver",
        "POWERTOOLS_METRICS_NAMESPACE": "quotepipe",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_a_100_mb_line_peaks_at_most_100_mb_above_a_normal_object(tmp_path: Path) -> None:
    # GIVEN a normal object and one holding a 100 MB line between good lines, both gzipped
    good = line().encode()
    normal = _gzip_to(tmp_path / "normal.gz", [(good, 2_000)])
    huge = _gzip_to(tmp_path / "huge.gz", [(good, 1), (b"A" * MB, 100), (b"\n" + good, 1)])
    assert BRONZE_KEY and huge.stat().st_size < 2 * MB
    # WHEN the handler processes each in a fresh interpreter
    base, big = _process(normal), _process(huge)
    # THEN the long line is rejected and counted, and the peak grew by less than 100 MB
    result = big["result"]
    assert isinstance(result, dict)
    assert (result["lines_in"], result["rows_rejected"], result["duplicates"]) == (3, 1, 1)
    assert float(str(big["peak_mb"])) - float(str(base["peak_mb"])) < 100, (base, big)


def test_5_kb_of_gzipped_newlines_writes_nothing_and_finishes_fast(
    fresh_handler: Any, s3: Any
) -> None:
    # GIVEN about 5 KB of gzip that expands to 5,000,000 newlines
    bomb = gzip.compress(b"\n" * 5_000_000, 9)
    assert len(bomb) < 6_000
    put_bronze(s3, BRONZE_KEY + ".gz", bomb)
    # WHEN the handler processes it
    started = time.monotonic()
    result = fresh_handler.lambda_handler(s3_event(BRONZE_KEY + ".gz"), lambda_context())
    # THEN every line is counted as blank, nothing is written, and it took seconds at most
    assert time.monotonic() - started < 5
    assert (result["lines_in"], result["blank_lines"], result["rows_rejected"]) == (
        5_000_000,
    ) * 2 + (0,)
    assert [key.split("/")[0] for key in silver_objects(s3)] == ["stats"]  # its counts only


def test_a_gzipped_object_of_bad_lines_writes_a_bounded_rejected_object(
    fresh_handler: Any, s3: Any
) -> None:
    # GIVEN about 10 KB of gzip that expands to 2,500,000 short bad lines
    bomb = gzip.compress(b"x\n" * 2_500_000, 9)
    put_bronze(s3, BRONZE_KEY + ".gz", bomb)
    # WHEN the handler processes it
    result = fresh_handler.lambda_handler(s3_event(BRONZE_KEY + ".gz"), lambda_context())
    # THEN all are counted as rejected, and only the first 10,000 are written (about 2 MB)
    assert (result["lines_in"], result["rows_rejected"]) == (2_500_000, 2_500_000)
    (rejected,) = silver_objects(s3, "rejected/").values()
    assert rejected.count(b"\n") == 10_001  # header and rows
    assert len(rejected) < 3_000_000
