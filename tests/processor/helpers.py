"""Shared test data for the processor: recorded events, bronze lines, S3 buckets."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import quote_plus

from firehose.codec import BronzeQuote, decode_line, encode_line
from tests.support import load_event

BRONZE_BUCKET = "quotepipe-bronze"
SILVER_BUCKET = "quotepipe-silver"
BRONZE_KEY = (
    "quotes/dt=2026-11-26/"
    "quotepipe-bronze-1-2026-11-26-14-30-05-8f14e45f-ceea-467f-a2b8-6a3f0f7c1e2d"
)
TRADE = 1795703405  # 2026-11-26T14:30:05Z
FETCH = TRADE + 40
TRADE_2019 = 1556712000  # 2019-05-01T12:00:00Z: before the projection's first day

QUOTE = BronzeQuote(
    symbol="TMUS",
    name="T-Mobile US, Inc.",
    exchange="NMS",
    currency="USD",
    price=231.17,
    change_pct=-0.4312,
    volume=2845120,
    market_state="REGULAR",
    trade_time=TRADE,
    fetched_at=FETCH,
    fx_rate=1.0,
    fx_usd_cad=1.3987,
)


def s3_event(*keys: str) -> dict[str, Any]:
    """The recorded S3 notification, reduced to one created record per bronze key."""
    event: dict[str, Any] = load_event("s3_bronze_object_created")
    record = event["Records"][0]
    event["Records"] = [
        {
            **record,
            "s3": {**record["s3"], "object": {**record["s3"]["object"], "key": quote_plus(k)}},
        }
        for k in keys
    ]
    return event


def quote(**changes: Any) -> BronzeQuote:
    """The reference quote with some fields changed."""
    return dataclasses.replace(QUOTE, **changes)


def line(**changes: Any) -> str:
    """A bronze line for the reference quote with some fields changed."""
    return encode_line(quote(**changes))


def raw_line(*fields: str) -> str:
    """A bronze line from raw field texts (for lines the codec would never write)."""
    return ",".join(fields) + "\n"


def fields_of(**changes: str) -> list[str]:
    """The reference quote's bronze fields as text, some replaced."""
    names = ("version", *(f.name for f in dataclasses.fields(BronzeQuote)))
    values = dict(zip(names, decode_line(encode_line(QUOTE)), strict=True))
    return list({**values, **changes}.values())


def put_bronze(s3: Any, key: str, body: str | bytes) -> None:
    """Store a bronze object."""
    data = body.encode() if isinstance(body, str) else body
    s3.put_object(Bucket=BRONZE_BUCKET, Key=key, Body=data)


def silver_objects(s3: Any, prefix: str = "") -> dict[str, bytes]:
    """Every object in the silver bucket (under ``prefix``), by key."""
    found = s3.list_objects_v2(Bucket=SILVER_BUCKET, Prefix=prefix).get("Contents", [])
    return {
        o["Key"]: s3.get_object(Bucket=SILVER_BUCKET, Key=o["Key"])["Body"].read() for o in found
    }
