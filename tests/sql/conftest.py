"""One golden lake and one local Athena over it, shared by the golden tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.athena.engine import LocalAthena
from tests.sql.golden_lake import write_golden_lake


@pytest.fixture(scope="module")
def athena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAthena]:
    """GIVEN the golden lake, opened by the local engine."""
    lake = write_golden_lake(tmp_path_factory.mktemp("lake"))
    with LocalAthena(lake) as engine:
        yield engine
