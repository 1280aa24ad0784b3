"""The local engine reads the lake and nothing else: no other files, no network, no extensions."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest

from infra.local.athena.engine import LocalAthena
from infra.sqlfiles.errors import AthenaError, ParameterError
from tests.sql.golden_lake import write_golden_lake


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    """GIVEN a lake with silver objects, and a file just outside it."""
    (tmp_path / "outside.csv").write_text("secret,value\nkey,42\n")
    return write_golden_lake(tmp_path / "lake")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM read_csv('{lake}/../outside.csv')",
        "SELECT * FROM read_blob('{lake}/../outside.csv')",
        "SELECT * FROM read_csv('/etc/*.conf')",
        "SELECT * FROM read_csv('http://127.0.0.1:9/quotes.csv')",
    ],
)
def test_files_outside_the_lake_and_the_network_are_out_of_reach(lake: Path, sql: str) -> None:
    with LocalAthena(lake) as athena, pytest.raises(AthenaError) as raised:
        athena.query(sql.format(lake=lake))
    assert "outside the lake" in raised.value.message


def test_the_confinement_cannot_be_undone_or_widened(lake: Path) -> None:
    names = ("enable_external_access", "lock_configuration", "autoload_known_extensions",
             "autoinstall_known_extensions")  # fmt: skip
    settings = "SELECT " + ", ".join(f"current_setting('{name}')" for name in names)
    with LocalAthena(lake) as athena:
        assert athena.query(settings).rows == [(False, True, False, False)]
        allowed = athena.query("SELECT current_setting('allowed_directories')").rows[0][0]
    assert lake.resolve() in [Path(d) for d in allowed]
    assert all(Path(d).is_relative_to(lake.resolve()) for d in allowed)


def test_the_lake_is_still_readable(lake: Path) -> None:
    with LocalAthena(lake) as athena:
        assert athena.query("SELECT count(*) FROM silver_quotes").rows[0][0] > 0


def test_staging_stays_under_the_lake_cache(
    lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a shared temporary folder that cannot be used (it does not exist)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-shared-tmp"))
    # WHEN the engine loads the lake THEN it needs no shared temp folder, and what it
    # leaves is the parsed rows (one Parquet file per partition of small objects), no
    # staging file
    with LocalAthena(lake) as athena:
        assert athena.query("SELECT count(*) FROM silver_quotes").rows[0][0] > 0
    left = [p for p in (lake / ".cache").rglob("*") if p.is_file()]
    objects = list((lake / "silver").rglob("*.csv"))
    assert left
    assert all(p.suffix == ".parquet" and "tables" in p.parts for p in left)
    assert len([p for p in left if "silver_quotes" in p.parts]) == len(
        {o.parent for o in objects if "quotes" in o.parts}
    )


SQL = "SELECT symbol FROM latest_quotes WHERE symbol = ? AND 1 = 0"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("'AAPL' --", "comment"),
        ("'AAPL' /* x */", "comment"),
        ("'AAPL';", "';'"),
        ("'AAPL'; DROP TABLE quotes", "';'"),
        ("(SELECT 'AAPL')", "not a SQL literal"),
        ("CAST((SELECT 'AAPL') AS VARCHAR)", "not a SQL literal"),
        ("'AAPL' OR TRUE", "not a SQL literal"),
        ("symbol", "not a SQL literal"),
        ("'AAPL", "not a SQL literal"),
    ],
)
def test_parameters_are_literals_only(lake: Path, value: str, why: str) -> None:
    with LocalAthena(lake) as athena, pytest.raises(ParameterError) as raised:
        athena.query(SQL, [value])
    assert why in raised.value.message and value in raised.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'it''s'", "it's"),
        ("-5", -5),
        ("2.5", 2.5),
        ("NULL", None),
        ("TRUE", True),
        ("DATE '2026-11-26'", date(2026, 11, 26)),
        ("TIMESTAMP '2026-11-26 14:30:05'", datetime(2026, 11, 26, 14, 30, 5)),
    ],
)
def test_literal_parameters_still_work(lake: Path, value: str, expected: object) -> None:
    with LocalAthena(lake) as athena:
        assert athena.query("SELECT ?", [value]).rows == [(expected,)]
