"""Athena (Trino) SQL → DuckDB SQL, refusing what would give a different answer.

sqlglot does the translation; this module binds ``?`` execution parameters the way
Athena does (each value is SQL literal text, used in order), refuses statements and
functions that cannot run faithfully here, and rewrites the few functions whose
DuckDB namesake means something else:

- ``date_diff`` counts whole units in Trino, crossed boundaries in DuckDB ``date_diff``
  → DuckDB ``date_sub``;
- ``min_by``/``max_by`` keep a NULL value in Trino → ``arg_min_null``/``arg_max_null``;
- ``regexp_extract`` is NULL without a match in Trino, ``''`` in DuckDB → guarded;
- ``sequence`` of DATEs gives DATEs in Trino, TIMESTAMPs from DuckDB ``generate_series``
  → cast back to ``DATE[]`` (and the default step of one day made explicit). The start
  must read as a DATE where it is written (``CAST(… AS DATE)`` or ``DATE '…'``): the
  translation sees no column types.

Rewrites apply to the innermost calls first, so a rewritten call keeps rewritten arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError, UnsupportedError
from sqlglot.tokenizer_core import Token, TokenType

from infra.sqlfiles.errors import ParameterError, SqlError, UnsupportedSqlError

READ, WRITE = "athena", "duckdb"
# Functions whose DuckDB translation would silently differ from Athena's result.
REFUSED_FUNCTIONS = frozenset({"FORMAT", "FORMAT_DATETIME", "PARSE_DATETIME", "TO_ISO8601"})


def bind_parameters(sql: str, params: Sequence[str]) -> str:
    """Put each parameter's text where its ``?`` is, in order, as Athena does."""
    tokens = _tokenize(sql)
    marks = [t for t in tokens if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    if len(marks) != len(params):
        raise ParameterError(
            f"the statement has {len(marks)} '?' parameter(s) but {len(params)} value(s) given",
            sql=sql,
        )
    for value in params:
        _check_parameter(value, sql)
    out, last = [], 0
    for mark, value in zip(marks, params, strict=True):
        out += [sql[last : mark.start], value]
        last = mark.end + 1
    return "".join(out) + sql[last:]


# What a parameter may be, as token types: a literal, NULL, TRUE/FALSE, a signed
# number, or a typed literal (DATE '…', TIMESTAMP '…', INTERVAL '…' unit).
_LITERAL_SHAPES = {
    ("STRING",), ("NUMBER",), ("NULL",), ("TRUE",), ("FALSE",),
    ("DASH", "NUMBER"), ("PLUS", "NUMBER"),
    ("DATE", "STRING"), ("TIME", "STRING"), ("TIMESTAMP", "STRING"),
    ("INTERVAL", "STRING", "VAR"),
}  # fmt: skip


def _check_parameter(value: str, sql: str) -> None:
    """A parameter is one literal: ``'AAPL'``, ``5``, ``DATE '2026-11-26'`` — never SQL.

    The value is pasted into the statement, so a comment or ``;`` in it would change
    what the rest of the statement means: refuse them by name.
    """

    def refuse(why: str) -> ParameterError:
        return ParameterError(f"parameter {value!r} {why}: parameters are literals only", sql=sql)

    try:
        tokens = sqlglot.Dialect.get_or_raise(READ).tokenize(value)
        sqlglot.parse_one(value, read=READ)
    except (ParseError, TokenError) as exc:
        raise refuse("is not a SQL literal") from exc
    if any(t.comments for t in tokens):
        raise refuse("holds a comment ('--' or '/* */')")
    if any(t.token_type == TokenType.SEMICOLON for t in tokens):
        raise refuse("holds ';'")
    if tuple(t.token_type.name for t in tokens) not in _LITERAL_SHAPES:
        raise refuse("is not a SQL literal")


def _tokenize(sql: str) -> list[Token]:
    try:
        return sqlglot.Dialect.get_or_raise(READ).tokenize(sql)
    except TokenError as exc:
        raise SqlError(_token_message(exc), sql=sql) from exc


def _token_message(exc: TokenError) -> str:
    # sqlglot's tokenizer names only where it stopped; the usual cause is a missing quote.
    return f"cannot read as Athena SQL (an unterminated string or quoted name?): {exc}"


def parse_statement(sql: str) -> exp.Expr:
    """Exactly one Athena statement, parsed."""
    try:
        trees = [t for t in sqlglot.parse(sql, read=READ) if t is not None]
    except TokenError as exc:
        raise SqlError(_token_message(exc), sql=sql) from exc
    except ParseError as exc:
        raise SqlError(f"cannot parse as Athena SQL: {exc}", sql=sql) from exc
    if len(trees) != 1:
        raise SqlError(f"expected one statement, found {len(trees)}", sql=sql)
    return trees[0]


def statement_kind(tree: exp.Expr) -> str:
    """A user-facing name for a statement: ``CREATE EXTERNAL TABLE``, ``MSCK``, ``SELECT``."""
    if isinstance(tree, exp.Command):
        rest = tree.expression.name.split() if tree.expression else []
        return " ".join([str(tree.this), *rest[:1]]).upper()
    external = "EXTERNAL" if tree.find(exp.ExternalProperty) is not None else ""
    return " ".join(filter(None, [tree.key.upper(), external, str(tree.args.get("kind") or "")]))


def check_query(tree: exp.Expr, sql: str) -> None:
    """Refuse anything but a read query, and functions that would answer differently."""
    if not isinstance(tree, exp.Query):
        raise UnsupportedSqlError(
            f"{statement_kind(tree)} cannot run on the local engine: only queries can "
            "(the tables and views of sql/ already exist)",
            sql=sql,
        )
    check_functions(tree, sql)


def function_name(node: exp.Func) -> str:
    """The function's name as the user wrote it, upper case."""
    return node.name.upper() if isinstance(node, exp.Anonymous) else node.sql_name().upper()


def check_functions(tree: exp.Expr, sql: str) -> None:
    """Refuse functions whose local result would differ from Athena's."""
    for node in tree.find_all(exp.Func):
        name = function_name(node)
        if name in REFUSED_FUNCTIONS:
            raise UnsupportedSqlError(
                f"function {name}() cannot run on the local engine: DuckDB has no "
                "equivalent with the same result",
                sql=sql,
            )


def _date_diff(node: exp.DateDiff) -> exp.Expr:
    unit = exp.Literal.string(str(node.args.get("unit") or "day").lower())
    return exp.Anonymous(this="DATE_SUB", expressions=[unit, node.expression, node.this])


def _arg_extreme(name: str) -> Callable[[exp.Expr], exp.Expr]:
    def rewrite(node: exp.Expr) -> exp.Expr:
        return exp.Anonymous(this=name, expressions=[node.this, node.expression])

    return rewrite


def _regexp_extract(node: exp.RegexpExtract) -> exp.Expr:
    args = [node.this, node.expression, node.args.get("group") or exp.Literal.number(0)]
    matches = exp.Anonymous(this="REGEXP_MATCHES", expressions=[node.this, node.expression])
    extract = exp.Anonymous(this="REGEXP_EXTRACT", expressions=args)
    return exp.Case(ifs=[exp.If(this=matches, true=extract)])


def _is_date(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Cast) and node.to.is_type(exp.DType.DATE)


def _sequence(node: exp.GenerateSeries) -> exp.Expr:
    if not _is_date(node.args.get("start")):
        return node  # integers and TIMESTAMPs step alike in both engines
    one_day = exp.Interval(this=exp.Literal.string("1"), unit=exp.Var(this="DAY"))
    series = exp.GenerateSeries(
        start=node.args["start"], end=node.args["end"], step=node.args.get("step") or one_day
    )
    return exp.Cast(this=series, to=exp.DataType.build("DATE[]", dialect=WRITE))


_REWRITES: dict[type[exp.Expr], Callable[[exp.Expr], exp.Expr]] = {
    exp.DateDiff: _date_diff,  # type: ignore[dict-item]
    exp.ArgMax: _arg_extreme("ARG_MAX_NULL"),
    exp.ArgMin: _arg_extreme("ARG_MIN_NULL"),
    exp.RegexpExtract: _regexp_extract,  # type: ignore[dict-item]
    exp.GenerateSeries: _sequence,  # type: ignore[dict-item]
}


def _rewrite_all(tree: exp.Expr) -> exp.Expr:
    """Every rewrite, children before parents (a reversed breadth-first walk)."""
    root = tree.copy()
    for node in reversed(list(root.walk())):
        rewrite = _REWRITES.get(type(node))
        new = rewrite(node) if rewrite else node
        if new is node:
            continue
        if node is root:
            root = new
        else:
            node.replace(new)
    return root


def to_duckdb(tree: exp.Expr, sql: str) -> str:
    """DuckDB SQL with the same meaning; constructs sqlglot cannot translate are refused."""
    try:
        return _rewrite_all(tree).sql(dialect=WRITE, unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as exc:
        raise UnsupportedSqlError(f"cannot run on the local engine: {exc}", sql=sql) from exc
