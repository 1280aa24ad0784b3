"""Every file of sql/ is one valid Athena statement, in an order Athena can apply."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from infra.sqlfiles.catalog import SqlFile, load_apply_order, load_section, placeholders
from infra.sqlfiles.reference import REFERENCE_OBJECTS
from producer.sessions import TABLE_PATH

ALL_FILES = [f for s in ("setup", "views", "dashboards") for f in load_section(s)]
LAKE_TABLES = {"silver_quotes", "silver_rejected", "silver_stats", "quotes", "latest_quotes"}
LAKE_TABLES |= {"ohlc_5m"}
LAKE_TABLES |= {"daily_summary", "coverage"}


def parse(file: SqlFile) -> exp.Expr:
    """The file's single statement, parsed with the Athena dialect."""
    trees = [t for t in sqlglot.parse(file.text, read="athena") if t is not None]
    assert len(trees) == 1, f"{file.name}: one statement per file"
    return trees[0]


@pytest.mark.parametrize("file", ALL_FILES, ids=lambda f: f.name)
def test_parses_with_the_athena_dialect(file: SqlFile) -> None:
    tree = parse(file)
    assert not isinstance(tree, exp.Command), f"{file.name} fell back to an unparsed command"


def test_the_contract_objects_exist() -> None:
    created = [parse(f).this for f in load_apply_order()]
    names = [getattr(t, "this", t).name for t in created]
    assert names == [
        *("quotepipe", "silver_quotes", "silver_rejected", "sessions", "gold_quotes"),
        "silver_stats",
        *(
            "quotes_silver",
            "quotes",
            "latest_quotes",
            "ohlc_5m",
            "daily_summary",
            "exchange_calendars",
        ),
        "coverage",
    ]


def test_views_only_read_objects_created_before_them() -> None:
    known: set[str] = set()
    for file in load_apply_order():
        tree = parse(file)
        ctes = {c.alias for c in tree.find_all(exp.CTE)}
        read = (
            {t.name for t in tree.expression.find_all(exp.Table)} - ctes
            if file.path.parent.name == "views"
            else set()
        )
        assert read <= known, f"{file.name} reads {read - known} before it exists"
        known.add(getattr(tree.this, "this", tree.this).name)


def test_silver_quotes_ddl_matches_the_contract() -> None:
    ddl = parse(load_section("setup")[1])
    props = {
        p.this.name: p.args["value"].name
        for p in ddl.find_all(exp.Property)
        if type(p) is exp.Property
    }
    assert [c.name for c in ddl.this.expressions] == [
        *("symbol", "name", "exchange", "currency", "price", "price_usd", "price_cad"),
        *("fx_usd_cad", "change_pct", "volume", "market_state", "trade_time", "fetched_at"),
        "source_key",
        "source",
    ]
    assert {c.args["kind"].this for c in ddl.this.expressions} == {exp.DType.TEXT}  # STRING
    assert props["skip.header.line.count"] == "1"
    assert props["projection.dt.range"] == "2024-01-01,NOW"
    assert props["storage.location.template"] == "s3://${SILVER_BUCKET}/quotes/dt=${dt}/"


def test_sessions_ddl_reads_the_packaged_csv_by_position() -> None:
    # OpenCSVSerde maps columns by position: the DDL's names follow the file's header,
    # `date` being named dt (the UTC date of the session, as silver's dt).
    ddl = parse(next(f for f in load_section("setup") if f.path.stem.endswith("_sessions")))
    header = TABLE_PATH.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ["calendar", "date", "open_utc", "close_utc"]
    assert [c.name for c in ddl.this.expressions] == ["calendar", "dt", "open_utc", "close_utc"]
    location = ddl.find(exp.LocationProperty)
    assert location is not None
    assert [r.folder_url for r in REFERENCE_OBJECTS] == [location.this.name.rstrip("/")]
    assert [r.path for r in REFERENCE_OBJECTS] == [TABLE_PATH]


def test_placeholders_only_in_setup() -> None:
    for file in ALL_FILES:
        used = placeholders(file.statement)
        allowed = {"setup": {"SILVER_BUCKET", "GOLD_BUCKET"}, "views": {"GOLD_WATERMARK"}}
        assert used <= allowed.get(file.path.parent.name, set()), file.name


def _reads_without_dt(select: exp.Select) -> bool:
    """A SELECT that reads a lake table or view directly but has no dt predicate."""
    source = select.args.get("from_") or select.args.get("from")
    tables = {t.name for t in source.find_all(exp.Table)} if source else set()
    where = select.args.get("where")
    has_dt = where is not None and any(c.name == "dt" for c in where.find_all(exp.Column))
    return bool(tables & LAKE_TABLES) and not has_dt


@pytest.mark.parametrize("file", load_section("dashboards"), ids=lambda f: f.name)
def test_dashboard_queries_restrict_dt(file: SqlFile) -> None:
    tree = parse(file)
    unions = [s for u in tree.find_all(exp.Union) for s in (u.this, u.expression)]
    for select in tree.find_all(exp.Select):
        if select in unions:
            continue  # a UNION ALL branch: the predicate on dt is applied around it
        assert not _reads_without_dt(select), f"{file.name}: {select.sql('athena')[:80]}"
