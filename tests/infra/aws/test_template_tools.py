"""Linters on the shipping files: cfn-lint and checkov on the template, hadolint on the images.

checkov pins old boto3/botocore/packaging releases, so it has a virtualenv of its own,
.venv/tools/checkov, with the version the Makefile pins; `make test-tools` (a target of
`make test`) builds it, the tests only use it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]

from infra.aws.template import TEMPLATE_PATH, load_template
from tests.support import REPO

DOCKERFILES = ["Dockerfile.producer", "Dockerfile.processor"]
CHECKOV_VENV = Path(sys.prefix) / "tools" / "checkov"
CHECKOV_ARGS = ("--framework", "cloudformation", "--skip-download", "--output", "json")


def test_cfn_lint_passes() -> None:
    matches = lint_file(TEMPLATE_PATH, ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches] == []


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_hadolint_passes(dockerfile: str) -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run(
        [str(hadolint), "--no-color", str(REPO / dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_checkov_skip_says_why() -> None:
    template = load_template()
    skips = [
        (logical_id, skip)
        for logical_id, res in template["Resources"].items()
        for skip in res.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for logical_id, skip in skips:
        assert skip["id"].startswith("CKV"), logical_id
        assert len(skip.get("comment", "")) >= 30, f"{logical_id} {skip['id']} needs a reason"


def _checkov() -> Path:
    """The checkov executable `make test-tools` installed (stamped once complete)."""
    checkov = CHECKOV_VENV / "bin" / "checkov"
    if not (checkov.exists() and list(CHECKOV_VENV.glob(".installed-*"))):
        pytest.fail(f"checkov is not installed in {CHECKOV_VENV}: run `make test-tools`")
    return checkov


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    """checkov's JSON report on the template, offline (no guideline download)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run(
        [str(_checkov()), "-f", str(TEMPLATE_PATH), *CHECKOV_ARGS],
        capture_output=True,
        text=True,
        check=False,
        env=env | {"BC_SKIP_MAPPING": "TRUE"},
    )
    assert result.stdout.startswith("{"), result.stderr[-2000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_checkov_finds_no_unexplained_failure(checkov_report: dict[str, Any]) -> None:
    results = checkov_report["results"]
    failed = [f"{c['check_id']} {c['resource']}" for c in results["failed_checks"]]
    assert failed == []
    assert checkov_report["summary"]["passed"] > 0
    for check in results["skipped_checks"]:
        assert check["check_result"].get("suppress_comment"), check["check_id"]
