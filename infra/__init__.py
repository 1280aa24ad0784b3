"""Everything around the pipeline, by role.

- ``infra.aws`` — deploy tooling: template loader, cost model, ``athena apply``.
- ``infra.sqlfiles`` — the ``sql/`` catalogue and its errors, for deploy and local alike.
- ``infra.local`` — the embedded stack: AWS emulation, the simulated Yahoo market, local Athena.
- ``infra.cli`` — the ``quotepipe`` command line.

Dependencies point one way: ``cli`` → ``local`` → ``aws``/``sqlfiles``; ``aws`` → ``sqlfiles``.
"""

__all__ = ["aws", "cli", "local", "sqlfiles"]
