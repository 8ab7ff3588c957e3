"""The Met Gangs (Violence) Matrix, 2012-2024: size by snapshot, composition
as count intervals, every published change recomputed from the published
levels, flows in and out, the governance timeline, and the conflicts table.
Everything is built from data/claims.csv and the human decisions in
data/manual/ (matrix_*.csv, conflicts.csv, conflict_inputs.csv).

One module per concern; the names notebooks and tests use are gathered here.
"""

from police_lists.analyses.matrix.changes import changes, pct_fall, removed_if_before, share_counts, under18_baseline
from police_lists.analyses.matrix.composition import (
    AMNESTY_SNAPSHOT,
    composition,
    count_interval,
    load_composition,
    profile,
    profile_shares,
    whole_counts,
)
from police_lists.analyses.matrix.conflicts import conflicts, load_conflicts
from police_lists.analyses.matrix.flows import flow_reconciliation, flows
from police_lists.analyses.matrix.snapshots import date_mid, date_span, peaks, sizes, snapshots
from police_lists.analyses.matrix.timeline import timeline

__all__ = [
    "AMNESTY_SNAPSHOT",
    "changes",
    "composition",
    "conflicts",
    "count_interval",
    "date_mid",
    "date_span",
    "flow_reconciliation",
    "flows",
    "load_composition",
    "load_conflicts",
    "pct_fall",
    "peaks",
    "profile",
    "profile_shares",
    "removed_if_before",
    "share_counts",
    "sizes",
    "snapshots",
    "timeline",
    "under18_baseline",
    "whole_counts",
]
