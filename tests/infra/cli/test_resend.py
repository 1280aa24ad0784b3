"""`quotepipe resend-dead-letters` against moto: S3 dead letters back into a real-ish stream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.cli.main import main

BUCKET = "bronze"
STREAM = "quotes"
DAY_27 = "errors/producer/dt=2026-11-27/a.csv"
DAY_28 = "errors/producer/dt=2026-11-28/b.csv"
DAY_29 = "errors/producer/dt=2026-11-29/c.csv"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A bronze bucket and a Firehose stream delivering into it under quotes/, in moto."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "BRONZE_BUCKET", "DELIVERY_STREAM_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        boto3.client("firehose").create_delivery_stream(
            DeliveryStreamName=STREAM,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": f"arn:aws:s3:::{BUCKET}",
                "Prefix": "quotes/",
            },
        )
        yield s3


def lines(tag: str, count: int) -> list[str]:
    return [
        f"1,{tag}{i},Name {i},NMS,USD,1.5,,,REGULAR,2026-11-27T14:30:00Z\n" for i in range(count)
    ]


def put(s3: Any, key: str, body: bytes) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)


def objects(s3: Any, prefix: str) -> list[str]:
    found = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return [item["Key"] for item in found]


def delivered(s3: Any) -> list[str]:
    """Every line the stream wrote to bronze."""
    bodies = (
        s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in objects(s3, "quotes/")
    )
    return [line for body in bodies for line in body.decode().splitlines(keepends=True)]


def test_dead_letters_of_the_range_go_back_to_the_stream_and_are_deleted(
    aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN dead letters on three days
    put(aws, DAY_27, "".join(lines("A", 3)).encode())
    put(aws, DAY_28, "".join(lines("B", 2)).encode())
    put(aws, DAY_29, "".join(lines("C", 1)).encode())
    # WHEN the 27th and 28th are resent
    argv = ["--from", "2026-11-27", "--to", "2026-11-28", "--bronze-bucket", BUCKET]
    code = main(["resend-dead-letters", *argv, "--stream", STREAM])
    out, err = capsys.readouterr()
    # THEN their lines are in bronze once, their objects are gone, the 29th is untouched
    assert code == 0
    assert sorted(delivered(aws)) == sorted(lines("A", 3) + lines("B", 2))
    assert objects(aws, "errors/") == [DAY_29]
    assert err.splitlines() == [
        f"[1] {DAY_27}: 3 lines sent, deleted",
        f"[2] {DAY_28}: 2 lines sent, deleted",
    ]
    assert out == "objects=2 deleted=2 kept=0 lines_sent=5\n"


def test_an_object_that_cannot_be_sent_is_kept_named_and_the_exit_is_1(
    aws: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the bucket and stream from the environment, one good and one undecodable object
    monkeypatch.setenv("BRONZE_BUCKET", BUCKET)
    monkeypatch.setenv("DELIVERY_STREAM_NAME", STREAM)
    put(aws, DAY_27, "".join(lines("A", 2)).encode())
    put(aws, DAY_28, b"\xff\xfe1,B\n")
    # WHEN every dead letter is resent
    code = main(["resend-dead-letters"])
    out, err = capsys.readouterr()
    # THEN the good one went, the bad one stays and is named with its reason
    assert code == 1
    assert sorted(delivered(aws)) == sorted(lines("A", 2))
    assert objects(aws, "errors/") == [DAY_28]
    assert out == "objects=2 deleted=1 kept=1 lines_sent=2\n"
    assert f"quotepipe resend-dead-letters: kept s3://{BUCKET}/{DAY_28}: UnicodeDecodeError" in err


def test_a_stream_that_does_not_exist_keeps_every_object(
    aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    put(aws, DAY_27, "".join(lines("A", 2)).encode())
    code = main(["resend-dead-letters", "--bronze-bucket", BUCKET, "--stream", "no-such-stream"])
    _, err = capsys.readouterr()
    assert code == 1
    assert objects(aws, "errors/") == [DAY_27]
    assert "ResourceNotFoundException" in err and DAY_27 in err


def test_nothing_to_resend_is_said_and_exits_0(
    aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["resend-dead-letters", "--bronze-bucket", BUCKET, "--stream", STREAM])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == "objects=0 deleted=0 kept=0 lines_sent=0\n"
    assert "no dead letters under s3://bronze/errors/producer/" in err


def test_a_bucket_that_does_not_exist_is_one_line(
    aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["resend-dead-letters", "--bronze-bucket", "nope", "--stream", STREAM])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "NoSuchBucket" in err and "s3://nope/" in err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        ([], "--bronze-bucket and --stream"),
        (["--bronze-bucket", BUCKET], "--bronze-bucket and --stream"),
        (["--bronze-bucket", BUCKET, "--stream", STREAM, "--from", "2026-11-28", "--to",
          "2026-11-27"], "--from is after --to"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_with_exit_2(
    aws: Any, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert main(["resend-dead-letters", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and says in err


def test_a_date_that_is_not_iso_is_refused_naming_the_argument(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["resend-dead-letters", "--from", "27/11/2026"])
    assert exit_.value.code == 2
    assert "--from" in capsys.readouterr().err
