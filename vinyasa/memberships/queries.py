"""SQL of the memberships family (vinyasa.protocol.sql; `?` placeholders)."""

from __future__ import annotations

# A team's project memberships, with their projects (for the project rule's SQL text, on `projects`).
TEAM_PROJECT_MEMBERSHIPS = "project_members JOIN projects ON projects.gid = project_members.project_gid"
TEAM_MEMBERSHIP = "project_members.team_gid = ?"
