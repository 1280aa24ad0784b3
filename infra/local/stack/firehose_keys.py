"""Firehose's S3 key naming, which moto does not render, done the way Firehose does it.

moto writes every Put call to ``<prefix as typed>YYYY/MM/DD/HH/<name>``; real Firehose
renders ``!{timestamp:…}`` in the prefix with the arrival time and, when the prefix
has expressions, adds no date folders. ``delivered_key`` maps the first onto the second.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_TIMESTAMP = re.compile(r"!\{timestamp:([^}]*)\}")
_MOTO_DATE = re.compile(r"(\d{4})/(\d{2})/(\d{2})/(\d{2})/([^/]+)$")
# Java DateTimeFormatter letters Firehose accepts, longest first.
_JAVA_TO_STRFTIME = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"))


def render_prefix(prefix: str, arrival: datetime) -> str:
    """Render the ``!{timestamp:…}`` expressions of a Firehose prefix at ``arrival`` (UTC)."""

    def one(match: re.Match[str]) -> str:
        pattern = match.group(1)
        for java, strf in _JAVA_TO_STRFTIME:
            pattern = pattern.replace(java, strf)
        return arrival.astimezone(UTC).strftime(pattern)

    return _TIMESTAMP.sub(one, prefix)


def delivered_key(raw_key: str, prefix: str) -> str | None:
    """The key real Firehose would have written for moto's ``raw_key``; None if not moto's."""
    if "!{" not in prefix or not raw_key.startswith(prefix):
        return None
    found = _MOTO_DATE.fullmatch(raw_key[len(prefix) :])
    if not found:
        return None
    year, month, day, hour, name = found.groups()
    arrival = datetime(int(year), int(month), int(day), int(hour), tzinfo=UTC)
    return render_prefix(prefix, arrival) + name
