"""The ``quotepipe`` command line; each command imports its engine only when it runs."""

from infra.cli.main import main, parser

__all__ = ["main", "parser"]
