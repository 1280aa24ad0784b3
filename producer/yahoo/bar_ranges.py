"""Splitting a bar range into requests Yahoo accepts, and merging the answers.

Yahoo serves at most 7 days of 1m bars per request ("Only 7 days worth of 1m
granularity data are allowed to be fetched per request"), so a longer range becomes
several requests of whole minutes, each [period1, period2) in epoch seconds.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta

from producer.yahoo.parse import Bar, Bars

BAR_REQUEST_SPAN = timedelta(days=7) - timedelta(minutes=1)
"""The longest range one 1m chart request covers: a minute under Yahoo's 7 days, because
whether Yahoo accepts exactly 7 days is not verified (the local market does)."""


def bar_requests(start: datetime, end: datetime, span: timedelta) -> list[tuple[int, int]]:
    """[period1, period2) pairs covering [start, end) in whole minutes, each ≤ ``span``."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("bar ranges need time-zone aware datetimes (UTC)")
    first = math.floor(start.timestamp() / 60) * 60
    last = math.ceil(end.timestamp() / 60) * 60  # a minute ``end`` cuts into is asked for
    if last <= first:
        raise ValueError(f"empty bar range: {start.isoformat()} to {end.isoformat()}")
    step = int(span.total_seconds()) // 60 * 60
    return [(p1, min(p1 + step, last)) for p1 in range(first, last, step)]


def merge_bars(parts: list[Bars], period1: int, period2: int) -> Bars:
    """One ``Bars``: the newest answer's meta, every minute in [period1, period2) once."""
    minutes: dict[int, Bar] = {}
    for part in parts:
        for bar in part.minutes:
            if period1 <= bar.minute_start < period2:
                minutes.setdefault(bar.minute_start, bar)
    truncated = tuple(dict.fromkeys(name for part in parts for name in part.truncated))
    ordered = tuple(minutes[key] for key in sorted(minutes))
    return dataclasses.replace(parts[-1], minutes=ordered, truncated=truncated)
