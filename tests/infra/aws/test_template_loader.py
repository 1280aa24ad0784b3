"""infra.aws.template: the CFN-aware YAML loader and the local renderer of intrinsics."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.aws.template import (
    TemplateError,
    load_template,
    local_refs,
    properties,
    resolve,
    resource,
)

SAMPLE = """
Parameters:
  Size: {Type: Number, Default: 5}
  Email: {Type: String, Default: ""}
Conditions:
  HasEmail: !Not [!Equals [!Ref Email, ""]]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub ${AWS::StackName}-data-${AWS::Region}
  Stream:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamName: !Join ["-", [!Ref AWS::StackName, raw]]
      Target: !GetAtt Bucket.Arn
      Size: !Ref Size
      Template: !Sub s3://${Bucket}/dt=${!dt}/
      Mail: !If [HasEmail, !Ref Email, !Ref AWS::NoValue]
      Pair: !Sub ["${Name}/x", {Name: !Ref Bucket}]
"""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A small template using the short tags."""
    path = tmp_path / "template.yaml"
    path.write_text(SAMPLE)
    return path


def test_short_tags_become_json_intrinsics(sample: Path) -> None:
    stream = properties(load_template(sample), "Stream")
    assert stream["Target"] == {"Fn::GetAtt": ["Bucket", "Arn"]}
    assert stream["Size"] == {"Ref": "Size"}
    assert stream["Mail"] == {"Fn::If": ["HasEmail", {"Ref": "Email"}, {"Ref": "AWS::NoValue"}]}


def test_resolve_renders_names_like_the_local_stack(sample: Path) -> None:
    template = load_template(sample)
    refs = local_refs(template)
    assert refs["Bucket"] == "quotepipe-data-us-east-1"
    assert refs["Stream"] == "quotepipe-raw"
    stream = resolve(properties(template, "Stream"), refs, template)
    assert stream["Target"] == "arn:aws:s3:::quotepipe-data-us-east-1"
    assert stream["Size"] == 5
    assert stream["Template"] == "s3://quotepipe-data-us-east-1/dt=${dt}/"
    assert stream["Pair"] == "quotepipe-data-us-east-1/x"
    assert "Mail" not in stream


def test_overrides_win_and_conditions_follow_them(sample: Path) -> None:
    template = load_template(sample)
    refs = local_refs(template, Email="ops@example.com", Bucket="mine")
    stream = resolve(properties(template, "Stream"), refs, template)
    assert stream["Mail"] == "ops@example.com"
    assert stream["Target"] == "arn:aws:s3:::mine"


def test_unknown_names_fail_clearly(sample: Path) -> None:
    template = load_template(sample)
    with pytest.raises(TemplateError, match="Nope"):
        resource(template, "Nope")
    with pytest.raises(TemplateError, match="Missing"):
        resolve({"Ref": "Missing"}, {})
    with pytest.raises(TemplateError, match="Fn::FindInMap"):
        resolve({"Fn::FindInMap": ["M", "a", "b"]}, {})


def test_the_real_template_loads_with_its_logical_ids() -> None:
    template = load_template()
    for logical_id in ("BronzeBucket", "SilverBucket", "DeliveryStream", "SilverQuotesTable"):
        assert resource(template, logical_id)["Type"].startswith("AWS::")
