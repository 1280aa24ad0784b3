"""The gold layer on one machine: closed days of silver compacted into Parquet."""

from infra.local.gold.compact import CompactedDay, CompactReport, closed_days, compact_lake

__all__ = ["CompactReport", "CompactedDay", "closed_days", "compact_lake"]
