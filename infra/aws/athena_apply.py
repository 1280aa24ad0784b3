"""``quotepipe athena apply``: run ``sql/setup`` then ``sql/views`` through the Athena API.

Each statement is started in the configured workgroup (and result location, unless the
workgroup enforces its own), in the database ``sql/setup`` creates, then polled with
GetQueryExecution until it ends. The first statement that does not succeed stops the
run with its file, its text and Athena's error message (``ApplyError``). Before any
statement, the packaged reference objects the tables read (``producer/sessions.csv``
for ``sessions``) are uploaded to their buckets (``infra.sqlfiles.reference``).
Settings: ``--workgroup`` / ``ATHENA_WORKGROUP`` (default ``primary``),
``--output-location`` / ``ATHENA_OUTPUT_LOCATION`` (``s3://bucket/prefix/``),
``--silver-bucket`` / ``SILVER_BUCKET`` (fills ``${SILVER_BUCKET}`` in sql/setup),
``--gold-bucket`` / ``GOLD_BUCKET`` (``${GOLD_BUCKET}``) and ``--gold-watermark`` /
``GOLD_WATERMARK`` (``${GOLD_WATERMARK}`` in the quotes view: the first day read from
silver; default: the one the AWS compaction recorded in the gold bucket
(``infra.aws.gold_state``), else ``0000-01-01``, all of silver, which is right at any
time and costs what silver alone costs until the next compaction moves it).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from infra.aws.gold_state import read_watermark
from infra.sqlfiles.catalog import SQL_DIR, SqlFile, fill_placeholders, load_apply_order
from infra.sqlfiles.errors import AthenaError
from infra.sqlfiles.reference import REFERENCE_OBJECTS, ReferenceObject
from producer.athena import athena_reason, start_query, wait_for_query

NO_GOLD = "0000-01-01"
_CREATE_DATABASE = re.compile(
    r"^\s*CREATE\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?", re.IGNORECASE
)


class ApplyError(AthenaError):
    """A statement Athena did not run: names its file, its text and Athena's reason."""


@dataclass(frozen=True, kw_only=True)
class ApplySettings:
    """Where and how statements run; explicit values beat the environment."""

    workgroup: str = "primary"
    output_location: str | None = None
    placeholders: Mapping[str, str] = field(default_factory=dict)
    poll_seconds: float = 1.0
    max_polls: int = 600


@dataclass(frozen=True, slots=True)
class Applied:
    """One statement Athena ran."""

    file: str
    query_execution_id: str


def database_of(files: list[SqlFile]) -> str:
    """The database ``sql/setup`` creates, which every later statement runs in."""
    for file in files:
        found = _CREATE_DATABASE.match(file.statement)
        if found:
            return found.group(1)
    raise AthenaError("no CREATE DATABASE in sql/setup")


def _start(client: Any, sql: str, database: str, settings: ApplySettings) -> str:
    """StartQueryExecution for one statement; the database context once it exists."""
    return start_query(
        client,
        sql,
        workgroup=settings.workgroup,
        database=None if _CREATE_DATABASE.match(sql) else database,
        output_location=settings.output_location,
    )


def _wait(
    client: Any, query_id: str, settings: ApplySettings, sleep: Callable[[float], None]
) -> dict[str, Any]:
    """The final Status of one statement."""
    execution = wait_for_query(
        client,
        query_id,
        poll_seconds=settings.poll_seconds,
        max_polls=settings.max_polls,
        sleep=sleep,
    )
    status: dict[str, Any] = execution["Status"]
    return status


def _filled(file: SqlFile, settings: ApplySettings) -> str:
    """The statement as sent, placeholders filled; a missing value stops the run."""
    try:
        return fill_placeholders(file, settings.placeholders)
    except AthenaError as exc:
        raise ApplyError(f"{file.name}: {exc.message}", sql=file.text, source=file.path) from exc


def apply_sql(
    client: Any,
    settings: ApplySettings,
    files: list[SqlFile] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Applied]:
    """Run every statement in order; stop at the first that does not succeed."""
    files = load_apply_order() if files is None else files
    database = database_of(files)
    applied = []
    statements = [(file, _filled(file, settings)) for file in files]  # all, before any call
    for file, sql in statements:
        try:
            query_id = _start(client, sql, database, settings)
            status = _wait(client, query_id, settings, sleep)
        except (BotoCoreError, ClientError) as exc:
            raise ApplyError(f"{file.name}: Athena API error: {exc}", sql=sql) from exc
        if status["State"] != "SUCCEEDED":
            raise ApplyError(
                f"{file.name}: {status['State']}: {athena_reason(status)}",
                sql=sql,
                source=file.path,
            )
        applied.append(Applied(file.name, query_id))
    return applied


def _target(ref: ReferenceObject, settings: ApplySettings) -> tuple[str, str]:
    """(bucket, key) of a reference object; a missing bucket stops the run."""
    try:
        return ref.bucket(settings.placeholders), ref.key
    except KeyError as exc:
        raise ApplyError(f"no value for placeholder {ref.placeholder} ({ref.url})") from exc


def upload_references(
    s3: Any, settings: ApplySettings, refs: tuple[ReferenceObject, ...] = REFERENCE_OBJECTS
) -> list[str]:
    """Put each reference object's packaged bytes at its URL; the ``s3://`` URLs written.

    Re-uploading the same bytes is harmless, so every apply refreshes them: a new
    release's session table reaches Athena with the views that read it.
    """
    targets = [(ref, *_target(ref, settings)) for ref in refs]  # all, before any call
    written = []
    for ref, bucket, key in targets:
        try:
            s3.put_object(
                Bucket=bucket, Key=key, Body=ref.path.read_bytes(), ContentType="text/csv"
            )
        except (BotoCoreError, ClientError) as exc:
            raise ApplyError(f"uploading {ref.path.name} to s3://{bucket}/{key}: {exc}") from exc
        written.append(f"s3://{bucket}/{key}")
    return written


def _dry_run(files: list[SqlFile], settings: ApplySettings) -> None:
    """Print what apply would upload and run, in order."""
    for ref in REFERENCE_OBJECTS:
        bucket, key = _target(ref, settings)
        size = ref.path.stat().st_size
        print(f"-- would upload {ref.path.name} ({size} bytes) to s3://{bucket}/{key}\n")
    for file in files:
        print(f"-- {file.name}\n{fill_placeholders(file, settings.placeholders)};\n")


def _placeholders(silver: str | None, gold: str | None, watermark: str | None) -> dict[str, str]:
    """The deploy-time values given; the watermark defaults to reading all of silver."""
    given = {"SILVER_BUCKET": silver, "GOLD_BUCKET": gold}
    return {k: v for k, v in given.items() if v} | {"GOLD_WATERMARK": watermark or NO_GOLD}


def _client(service: Literal["s3", "athena"]) -> Any:
    """A boto3 client from the environment (boto3 imported only when AWS is called)."""
    import boto3

    return boto3.client(service)


def apply_command(
    *,
    workgroup: str,
    output_location: str | None,
    silver_bucket: str | None,
    gold_bucket: str | None = None,
    gold_watermark: str | None = None,
    sql_dir: Path = SQL_DIR,
    client: Any = None,
    s3: Any = None,
    dry_run: bool = False,
) -> int:
    """``quotepipe athena apply``: upload, then apply and print each statement; exit 1 on error."""
    files = load_apply_order(sql_dir)
    try:
        if gold_bucket and not gold_watermark and not dry_run:
            # Keep the view where the compaction left it; never behind gold's real state.
            gold_watermark = read_watermark(s3 or _client("s3"), gold_bucket)
        settings = ApplySettings(
            workgroup=workgroup,
            output_location=output_location,
            placeholders=_placeholders(silver_bucket, gold_bucket, gold_watermark),
        )
        if dry_run:
            _dry_run(files, settings)
            return 0
        for file in files:
            _filled(file, settings)  # a missing placeholder stops the run before any upload
        for url in upload_references(s3 or _client("s3"), settings):
            print(f"uploaded {url}")
        for done in apply_sql(client or _client("athena"), settings, files):
            print(f"applied {done.file} ({done.query_execution_id})")
    except AthenaError as exc:
        print(f"quotepipe athena apply: {exc}", file=sys.stderr)
        return 1
    return 0
