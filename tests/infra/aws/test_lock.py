"""One set of versions: pyproject.toml, uv.lock, the images' requirement files and Dockerfiles.

GIVEN the checked-in uv.lock, THEN it still satisfies pyproject.toml (`uv lock --check`),
each image's requirements/<extra>.txt is exactly uv's hash-pinned export of the shared
dependencies plus that extra, and each Dockerfile installs that file with --require-hashes,
then the project alone with --no-deps. Any drift between the four fails here.

uv is the pinned wheel the Makefile puts in .venv; it runs offline (the lock's own
metadata is enough) and never looks for another interpreter.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.infra.aws.test_images import IMAGES, instructions
from tests.support import REPO

UV = Path(sys.executable).with_name("uv")
EXTRAS = {name: name.split(".")[1] for name in IMAGES}  # Dockerfile.producer -> producer
EXPORT = ("export", "--frozen", "--offline", "--no-emit-project", "--no-dev")
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "producer", "processor", "firehose"]
SOURCES += ["infra", "sql"]
LOCAL_ONLY = {"moto", "duckdb", "sqlglot", "pyyaml", "pytest", "uv"}


def uv(*args: str) -> subprocess.CompletedProcess[str]:
    if not UV.exists():
        pytest.fail(f"{UV} is missing: `make` installs the pinned uv into .venv")
    env = os.environ | {"UV_PYTHON_DOWNLOADS": "never", "UV_PYTHON": sys.executable}
    return subprocess.run(
        [str(UV), *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )


def _body(requirements: str) -> str:
    """A requirement file without uv's header comment (which quotes the command line)."""
    lines = requirements.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines)


def _packages(requirements: str) -> set[str]:
    return {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", requirements, re.M)}


def test_lock_satisfies_pyproject() -> None:
    result = uv("lock", "--check", "--offline")
    assert result.returncode == 0, f"uv.lock is stale, run `make lock`:\n{result.stderr}"


@pytest.mark.parametrize("extra", sorted(EXTRAS.values()))
def test_requirement_file_is_the_lock_export(extra: str) -> None:
    result = uv(*EXPORT, "--extra", extra)
    assert result.returncode == 0, result.stderr
    checked_in = (REPO / "requirements" / f"{extra}.txt").read_text(encoding="utf-8")
    assert _body(checked_in) == _body(result.stdout), f"run `make lock` ({extra}.txt drifted)"
    assert "--hash=sha256:" in checked_in
    assert not _packages(checked_in) & LOCAL_ONLY


def test_each_image_gets_only_its_own_extra() -> None:
    producer, processor = (
        _packages((REPO / "requirements" / f"{x}.txt").read_text()) for x in EXTRAS.values()
    )
    assert {"aiohttp", "yarl", "orjson", "curl-cffi"} <= producer
    assert not {"aiohttp", "yarl", "orjson", "curl-cffi"} & processor
    assert {"boto3", "botocore", "aws-lambda-powertools"} <= processor <= producer


def _pip_installs(run: str) -> list[list[str]]:
    """The arguments after `pip install` of each command of a RUN line."""
    commands = [shlex.split(part) for part in run.split("&&")]
    return [c[2:] for c in commands if c[:2] == ["pip", "install"]]


@pytest.mark.parametrize("dockerfile", sorted(EXTRAS))
def test_dockerfile_installs_its_locked_file_with_hashes(dockerfile: str) -> None:
    requirement_file = f"requirements/{EXTRAS[dockerfile]}.txt"
    build = instructions(REPO / dockerfile)[0]
    copied = [shlex.split(arg)[:-1] for key, arg in build if key == "COPY"]
    assert any(requirement_file in sources for sources in copied)
    workdir = next(arg for key, arg in build if key == "WORKDIR")
    installs = [args for key, arg in build if key == "RUN" for args in _pip_installs(arg)]
    locked, project = installs
    assert "--require-hashes" in locked
    assert locked[locked.index("-r") + 1] == requirement_file
    # Then the project alone: no dependency resolved outside the lock.
    assert "--no-deps" in project
    assert [a for a in project if not a.startswith("-") and a != "/asset"] == [workdir]


def test_wheel_ships_the_files_read_at_run_time(tmp_path: Path) -> None:
    """A non-editable install gets sql/, the template and prices (built here, not installed).

    The wheel is built from a copy of the sources (symlinks kept), so no stale build/ folder
    of the checkout can add files to it.
    """
    source = tmp_path / "src"
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(origin, source / name, symlinks=True, ignore=ignore)
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    offline = ("--no-deps", "--no-build-isolation", "--no-index", "--quiet")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", *offline, "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"PIP_NO_CACHE_DIR": "1"},
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("quotepipe-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sql = {f"infra/sqlfiles/sql/{p.relative_to(REPO / 'sql')}" for p in (REPO / "sql").rglob("*")}
    expected = {name for name in sql if name.endswith((".sql", ".md"))}
    assert "infra/sqlfiles/sql/README.md" in expected
    assert expected <= names
    assert {"infra/template.yaml", "infra/prices.yaml"} <= names
    assert not {name.split("/")[0] for name in names} & {"sql", "tests", "bench"}
