"""Each Lambda image holds what its handler needs and nothing else, proven without Docker.

GIVEN a Dockerfile, WHEN its build stage is replayed on this machine (the COPY lines copy
the same repository paths into a temporary root, the RUN line runs with its container
paths mapped into that root), THEN the folder the final stage copies to LAMBDA_TASK_ROOT
lets a fresh interpreter (-I -S: no site-packages, no PYTHONPATH, no repository on the
path) import the CMD handler with the environment the template gives the function, every
module coming from that folder or the standard library, and holds no tests, bench, infra,
or the other function's code.

The replay installs nothing from the network: its pip lines run with --no-index against the
locked wheels `make test-tools` downloaded for this machine into .venv/wheels (hash-checked
by the same requirement file), and build the project with .venv's setuptools. .venv runs
Python 3.12 like the image where the machine has it, so this proves the file set and the
locked dependency set, not the image's exact wheels (those are for Lambda's platform).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.aws.template import load_template, local_refs, properties, resolve
from tests.support import REPO

IMAGES = {"Dockerfile.producer": "ProducerFunction", "Dockerfile.processor": "ProcessorFunction"}
NEVER_IN_AN_IMAGE = {"tests", "bench", "infra", "sql", "lake", ".venv", ".git", "bin"}
# Filled by `make test-tools` (a target of `make test`) from requirements/*.txt.
WHEELS = Path(sys.prefix) / "wheels"
OFFLINE_PIP = "--no-index --find-links {wheels} --no-build-isolation"
IMPORT_CHECK = """
import importlib, json, os, sys
root, module, attribute = sys.argv[1:4]
sys.path.insert(0, root)
handler = getattr(importlib.import_module(module), attribute)
files = sorted({getattr(m, "__file__", None) or "" for m in list(sys.modules.values())})
print(json.dumps({"callable": callable(handler), "stdlib": os.path.dirname(os.__file__),
                  "files": [f for f in files if f]}))
"""


@dataclass(frozen=True)
class Dockerfile:
    """What the build stage copies and runs, and what the final stage keeps and starts."""

    workdir: str
    copies: tuple[tuple[tuple[str, ...], str], ...]
    run: str
    asset: str
    cmd: tuple[str, ...]


def instructions(path: Path) -> list[list[tuple[str, str]]]:
    """(INSTRUCTION, arguments) per stage, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, rest = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), rest.strip()))
    return stages


def parse_dockerfile(path: Path) -> Dockerfile:
    """Read the two-stage layout the Dockerfiles use (build stage, then the runtime stage)."""
    build, final = instructions(path)
    (workdir,) = [arg for key, arg in build if key == "WORKDIR"]
    copies = tuple(
        (tuple(parts[:-1]), parts[-1])
        for parts in (shlex.split(arg) for key, arg in build if key == "COPY")
    )
    (run,) = [arg for key, arg in build if key == "RUN"]
    (copy_from,) = [shlex.split(arg) for key, arg in final if key == "COPY"]
    (cmd,) = [json.loads(arg) for key, arg in final if key == "CMD"]
    assert copy_from[0] == "--from=build" and copy_from[2] == "${LAMBDA_TASK_ROOT}"
    return Dockerfile(workdir, copies, run, copy_from[1], tuple(cmd))


def _copy_sources(spec: Dockerfile, workdir: Path) -> None:
    """Do the build stage's COPY lines, sources relative to the repository (the context)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for sources, dest in spec.copies:
        target = workdir / dest
        for source in sources:
            origin = REPO / source
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=ignore, dirs_exist_ok=True)
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target / origin.name)


def _host_command(spec: Dockerfile, root: Path) -> str:
    """The RUN line with container paths moved under ``root``, pip from this Python, offline."""
    paths = sorted({spec.workdir, spec.asset}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w/])(" + "|".join(map(re.escape, paths)) + r")(?=[\s\"'\[/]|$)")
    command = pattern.sub(lambda m: str(root) + m.group(1), spec.run)
    offline = OFFLINE_PIP.format(wheels=shlex.quote(str(WHEELS)))
    pip = f"{shlex.quote(sys.executable)} -m pip install {offline} "
    command = re.sub(r"(^|&&\s*)pip install ", lambda m: m.group(1) + pip, command)
    assert pattern.search(command) is None, f"unmapped container path in {command!r}"
    assert not re.search(r"(^|&&\s*)pip ", command), f"pip line left unmapped in {command!r}"
    return command.replace(" --no-cache-dir", "")


def build_task_root(dockerfile: Path, scratch: Path) -> tuple[Dockerfile, Path]:
    """Replay the build stage under ``scratch``; return the folder LAMBDA_TASK_ROOT gets."""
    spec = parse_dockerfile(dockerfile)
    if not WHEELS.is_dir():
        pytest.fail(f"{WHEELS} is missing: run `make test-tools` (`make test` does)")
    root = scratch / "fs"
    workdir = root / spec.workdir.lstrip("/")
    workdir.mkdir(parents=True)
    _copy_sources(spec, workdir)
    env = os.environ | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run(["bash", "-c", _host_command(spec, root)], cwd=workdir, env=env, check=True)
    return spec, root / spec.asset.lstrip("/")


def lambda_environment(logical_id: str, task_root: Path) -> dict[str, str]:
    """The variables Lambda would set: the template's (rendered) plus the runtime's own."""
    template = load_template()
    refs = local_refs(template)
    variables = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    function = resolve(properties(template, logical_id)["Environment"], refs, template)
    variables.update(function["Variables"])
    runtime = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
    runtime |= {"LAMBDA_TASK_ROOT": str(task_root), "PATH": os.environ.get("PATH", "")}
    return {k: str(v) for k, v in variables.items()} | runtime


@pytest.fixture(scope="module", params=sorted(IMAGES))
def image(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(Dockerfile name, parsed Dockerfile, task root) for each image, built once."""
    name: str = request.param
    spec, task_root = build_task_root(REPO / name, tmp_path_factory.mktemp(name))
    return name, spec, task_root


def functions_of(dockerfile: str) -> dict[str, str]:
    """Each function the template builds from ``dockerfile``: its handler (ImageConfig or CMD)."""
    template = load_template()
    spec = parse_dockerfile(REPO / dockerfile)
    return {
        logical_id: properties(template, logical_id)
        .get("ImageConfig", {})
        .get("Command", spec.cmd)[0]
        for logical_id, resource in template["Resources"].items()
        if resource.get("Metadata", {}).get("Dockerfile") == dockerfile
    }


def test_the_backfill_is_a_second_handler_of_the_producer_image() -> None:
    assert functions_of("Dockerfile.producer") == {
        "ProducerFunction": "producer.handler.lambda_handler",
        "BackfillFunction": "producer.backfill_handler.lambda_handler",
    }


def test_handler_imports_from_the_image_alone(image: Any) -> None:
    name, _, task_root = image
    for logical_id, handler in functions_of(name).items():
        module, _, attribute = handler.rpartition(".")
        result = subprocess.run(
            [sys.executable, "-I", "-S", "-c", IMPORT_CHECK, str(task_root), module, attribute],
            capture_output=True,
            text=True,
            check=False,
            env=lambda_environment(logical_id, task_root),
            cwd=task_root,
        )
        assert result.returncode == 0, f"{logical_id}: {result.stderr}"
        report = json.loads(result.stdout)
        assert report["callable"]
        own = (str(task_root), report["stdlib"])
        outside = [f for f in report["files"] if not f.startswith(own)]
        assert outside == []
        assert str(task_root / "boto3" / "__init__.py") in report["files"]


def test_image_holds_only_its_own_code(image: Any) -> None:
    _, spec, task_root = image
    own = spec.cmd[0].split(".")[0]
    other = ({"producer", "processor"} - {own}).pop()
    entries = {p.name for p in task_root.iterdir()}
    assert {own, "firehose", "boto3", "aws_lambda_powertools"} <= entries
    assert not entries & (NEVER_IN_AN_IMAGE | {other})
    (record,) = task_root.glob("quotepipe-*.dist-info/RECORD")
    ours = {line.split(",")[0].split("/")[0] for line in record.read_text().splitlines()}
    # "..": the console script pip put in bin/, which the RUN line deletes.
    assert {top for top in ours if not top.endswith((".dist-info", ".."))} == {own, "firehose"}
    for package in (own, "firehose"):
        assert not list((task_root / package).glob("**/test_*.py"))


def test_producer_image_has_its_extra_and_processor_image_does_not(image: Any) -> None:
    name, _, task_root = image
    has_aiohttp = (task_root / "aiohttp").is_dir()
    assert has_aiohttp == (name == "Dockerfile.producer")


def test_dockerignore_keeps_tests_and_local_state_out_of_the_context() -> None:
    lines = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {
        *("pyproject.toml", "README.md", "requirements"),
        *("producer", "processor", "firehose"),
    }
    for name in IMAGES:
        for sources, _ in parse_dockerfile(REPO / name).copies:
            assert {s.split("/")[0] for s in sources} <= allowed
