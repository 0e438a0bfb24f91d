"""All SQL of the statuses family that other code selects (projection expressions)."""

from __future__ import annotations

# The project's newest status and its brief, as correlated subqueries over the project row
# (`{table}`: the projection engine's name for it), selected alongside the project's own columns:
# one query for any number of projects.
CURRENT_STATUS = (
    "(SELECT cs.gid FROM statuses cs WHERE cs.project_gid = {table}.gid ORDER BY cs.seq DESC LIMIT 1)"
)
PROJECT_BRIEF = "(SELECT pb.gid FROM project_briefs pb WHERE pb.project_gid = {table}.gid)"
# A portfolio's newest status update, the same way.
PORTFOLIO_CURRENT_STATUS = (
    "(SELECT cs.gid FROM statuses cs WHERE cs.portfolio_gid = {table}.gid ORDER BY cs.seq DESC LIMIT 1)"
)
