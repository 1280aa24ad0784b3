"""Reference objects: files the package ships that tables of ``sql/setup`` read.

Each one has an ``s3://${X_BUCKET}/…`` URL in the same terms as the DDL's ``LOCATION``.
On AWS ``quotepipe athena apply`` uploads the packaged bytes to that URL before it
runs ``sql/setup``; the local engine reads the packaged file where the lake would hold
the object. One copy of the bytes, so the producer's gate, Athena and the local engine
see the same sessions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from producer.sessions import TABLE_PATH as SESSIONS_TABLE_PATH

_BUCKET_KEY = re.compile(r"s3://\$\{([A-Z][A-Z0-9_]*)\}/(.+)")


@dataclass(frozen=True, slots=True)
class ReferenceObject:
    """A packaged file and the object URL a table reads it from."""

    url: str  # s3://${SILVER_BUCKET}/reference/sessions/sessions.csv
    path: Path

    @property
    def placeholder(self) -> str:
        """The bucket placeholder's name, e.g. ``SILVER_BUCKET``."""
        return self._parts()[0]

    @property
    def key(self) -> str:
        """The object key inside the bucket."""
        return self._parts()[1]

    @property
    def folder_url(self) -> str:
        """The URL of the folder holding the object, as a table's ``LOCATION`` names it."""
        return self.url.rsplit("/", 1)[0]

    def bucket(self, values: Mapping[str, str]) -> str:
        """The bucket name once the placeholder is filled (KeyError when it is not)."""
        return values[self.placeholder]

    def _parts(self) -> tuple[str, str]:
        found = _BUCKET_KEY.fullmatch(self.url)
        if found is None:
            raise ValueError(f"reference URL {self.url!r} is not s3://${{X_BUCKET}}/key")
        return found.group(1), found.group(2)


REFERENCE_OBJECTS = (
    # producer/sessions.csv, read by the `sessions` table (sql/setup/040_sessions.sql).
    ReferenceObject("s3://${SILVER_BUCKET}/reference/sessions/sessions.csv", SESSIONS_TABLE_PATH),
)


def references_in(folder_url: str) -> list[ReferenceObject]:
    """The reference objects directly inside a table's folder (``LOCATION``)."""
    return [ref for ref in REFERENCE_OBJECTS if ref.folder_url == folder_url.rstrip("/")]
