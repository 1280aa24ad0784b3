"""The embedded stack: everything ``quotepipe run`` needs on one machine.

- ``infra.local.stack`` — moto server, resources from the template, the bronze trigger.
- ``infra.local.yahoo`` — the simulated market, a local server that speaks Yahoo's API.
- ``infra.local.athena`` — Athena SQL on DuckDB over a local lake.
- ``infra.local.pipeline`` — the schedule loop that runs the handlers against them.

Subpackages are imported on demand: importing this package loads neither moto nor DuckDB.
"""

__all__ = ["athena", "pipeline", "stack", "yahoo"]
