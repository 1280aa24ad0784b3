"""The template as written and as CloudFormation sees it, for every template test."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from samtranslator.translator.transform import (  # type: ignore[import-untyped]
    transform,
)

from infra.aws.template import load_template


class _NoManagedPolicies:
    """The managed-policy loader SAM asks for; the template names no managed policy."""

    def load(self) -> dict[str, str]:
        """Nothing to look up offline."""
        return {}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    """The template as written."""
    return load_template()


@pytest.fixture(scope="module")
def cfn(template: dict[str, Any]) -> dict[str, Any]:
    """The template as CloudFormation sees it after `sam build` and the SAM transform."""
    built = copy.deepcopy(template)
    for res in built["Resources"].values():
        if res["Type"] == "AWS::Serverless::Function":
            res["Properties"]["ImageUri"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/q:1"
        if res["Type"] == "AWS::Serverless::StateMachine":  # `sam package` uploads the file
            res["Properties"]["DefinitionUri"] = "s3://artifacts/gold_compaction.asl.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        result: dict[str, Any] = transform(built, {}, _NoManagedPolicies())
    return result
