"""The gold watermark the AWS compaction records, for ``quotepipe athena apply``.

The state machine (``infra/aws/gold_compaction.asl.json``) keeps W, the first day the
``quotes`` view reads from silver, in ``s3://<gold>/state/gold-watermark`` (the day as
text): gold holds every day before it. ``athena apply`` re-creates the view with that
value, so applying after an upgrade does not throw the compacted days back to silver.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.sqlfiles.errors import AthenaError

WATERMARK_KEY = "state/gold-watermark"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_watermark(s3: Any, bucket: str) -> str | None:
    """The recorded W, or None when the compaction has not run yet."""
    try:
        body: bytes = s3.get_object(Bucket=bucket, Key=WATERMARK_KEY)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise AthenaError(f"reading s3://{bucket}/{WATERMARK_KEY}: {exc}") from exc
    except BotoCoreError as exc:
        raise AthenaError(f"reading s3://{bucket}/{WATERMARK_KEY}: {exc}") from exc
    day = body.decode("utf-8", errors="replace").strip()
    if not _DAY.fullmatch(day):
        raise AthenaError(f"s3://{bucket}/{WATERMARK_KEY} holds {day[:40]!r}, not a day")
    return day
