"""The dashboard: one page rendered from the lake or from Athena, as a file or live."""

from infra.dashboard.data import DashboardData, LocalSource, Scan, Source, collect, collect_lake
from infra.dashboard.page import duration, render

__all__ = [
    "DashboardData",
    "LocalSource",
    "Scan",
    "Source",
    "collect",
    "collect_lake",
    "duration",
    "render",
]
