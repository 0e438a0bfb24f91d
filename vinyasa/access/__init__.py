"""The access rule, in one place: what a caller can see (else 404) and may change (else 403).

- A workspace is visible to its members.
- A user is visible to anyone sharing a workspace with them (and to themselves).
- A team is visible to members of its organization unless it is `secret`, then to its members only.
- A project's members are users and teams (project memberships); a user is a member directly or
  through a team they belong to. A project is visible to members of its workspace when
  `public_to_workspace`, otherwise (`private`, and the deprecated `private_to_team`) to its members
  only. In every case the caller must still belong to the project's workspace. The project's `team`
  (Asana's "associated team") grants nothing: Asana's teamless projects, help.asana.com "teamless
  projects" ("does not control permissions or access"); projects whose team used to grant access were
  given that team as a member (migration a8c0ffee000a).
- Acting on a visible project needs an access level (viewer < commenter < editor < admin). A member
  has the highest level among their own membership and their teams' memberships; anyone else who sees
  the project (through its workspace) has the project's `default_access_level`. Editing a project
  needs editor; its permission settings need admin; its appearance needs
  `minimum_access_level_for_customization`; changing its members or followers needs
  `minimum_access_level_for_sharing` (editor or admin). Too low a level is 403.
- A section is visible (and changeable) exactly as its project is; changing sections needs editor.
- A task is visible, within the caller's workspaces, when it is in at least one project the caller can
  see, or the caller is its assignee or follows it (its creator follows it from the start). A subtask
  is also visible whenever its top-level ancestor (`root_gid`) is, so subtasks inherit their parent's
  visibility. Changing, re-parenting or deleting a task, or adding subtasks to it, follows the access
  levels of the projects it (or its top-level ancestor) is in: a caller who sees at least one of them
  needs editor on one of them (viewer/commenter everywhere: 403); a task in none of the caller's visible
  projects is changed by its collaborators (assignee, followers). Putting a task in a project, or moving
  it there, needs editor on that project.
- Who holds a project: changing its owner, team, privacy or any permission setting, or removing one
  of its admins, needs project admin (an editor naming themselves owner would become admin); a new
  owner becomes admin; people added by the caller get at most the caller's own level; a project
  always keeps at least one admin (400). Removing a user from a workspace (its admins only; never the
  last admin) ends all their memberships and task follows there and passes what they own to the
  remover (vinyasa.workspaces.service.remove_user).
- A portfolio is visible, within the caller's workspaces, when it is `public_to_domain` or the caller
  is one of its members (its owner always is); `members_only` ones are invisible to anyone else. A
  member acts at their level (viewer < editor < admin), anyone else who sees it as a viewer. Viewers
  read; editors change its fields, items, custom field settings and statuses; admins change its
  members, permission settings, or delete it. Seeing a portfolio never reveals an item the caller
  cannot see: item lists skip it (`PORTFOLIO_ITEM_VISIBLE`).
Objects named in a path that the caller cannot see are 404; named in a body or filter they are 400
("Unknown object", the same message as for a made-up gid), so existence never leaks either way. A
reference to an object the caller cannot see (a subtask's parent, a project's secret team) renders as
`{gid, resource_type}` only (`hidden_teams`, `hidden_tasks`, registered on the resource for the
projection engine).
Projects, sections and statuses are only referenced by objects of a project the caller sees, so they
need no such check; users are shown in full, as Asana shows former members by name. Lists reached
through a link (a task's dependencies, dependents and subtasks, a tag's tasks) list only what the
caller can see. An event names an object the caller cannot see (its resource, parent or value: a
visible task added to a private project, that project's section) by its gid only: `HIDDEN` holds
each kind's check.
A lookup for a change or a delete locks what it finds (`lock=True`, `core.locking`: FOR NO KEY UPDATE on
PostgreSQL; an object known through its parent locks the parent and reads itself again,
`core.child_of`), so concurrent writers of one object take turns as SQLite's one writer makes them.

The rules live one family a module (`workspaces`, `teams`, `projects`, `sections`, `tasks`, `tags`,
`webhooks`, `jobs` (jobs and project templates), `portfolios`, `rules`), on what they share (`core`:
the caller's workspaces, `unknown`, the prepared-lookup and per-viewer helpers). Everything is used
through this package (`from vinyasa import access; access.task(...)`), which names each rule once.
"""

from collections.abc import Callable
from typing import Any

from vinyasa.access.core import Lock, Viewer, Workspaces, hidden_by_rule, locking, unknown, workspace_roles
from vinyasa.access.jobs import (
    job,
    project_template,
    require_template_owner,
    template_visible,
    template_visible_sql,
)
from vinyasa.access.portfolios import (
    PORTFOLIO_ITEM_PARAMS,
    PORTFOLIO_ITEM_VISIBLE,
    PORTFOLIO_LEVELS,
    VisiblePortfolio,
    portfolio,
    portfolio_child,
    portfolio_membership,
    portfolio_visible,
    portfolio_visible_sql,
    require_portfolio_level,
)
from vinyasa.access.projects import (
    PROJECT_ADMIN_CHANGES,
    PROJECT_APPEARANCE,
    PROJECT_LEVELS,
    VisibleProject,
    grantable_level,
    hidden_projects,
    project,
    project_admins,
    project_child,
    project_membership,
    project_visible,
    project_visible_sql,
    require_member_removal,
    require_project_change,
    require_project_level,
)
from vinyasa.access.rules import VisibleRule, rule
from vinyasa.access.sections import VisibleSection, hidden_sections, project_section, section
from vinyasa.access.tags import tag
from vinyasa.access.tasks import (
    VisibleTask,
    hidden_tasks,
    require_task_edit,
    task,
    task_visible,
    task_visible_sql,
)
from vinyasa.access.teams import (
    hidden_teams,
    team,
    team_role,
    team_visible,
    team_visible_sql,
    visible_team,
)
from vinyasa.access.webhooks import webhook
from vinyasa.access.workspaces import (
    is_organization,
    named_users,
    require_workspace_admin,
    require_workspace_removal,
    shares_workspace,
    workspace,
    workspaces_of,
)
from vinyasa.core import Caller

__all__ = [
    "HIDDEN",
    "hidden_by_rule",
    "hidden_projects",
    "hidden_sections",
    "unknown",
    "Lock",
    "locking",
    "workspace_roles",
    "workspace",
    "require_workspace_admin",
    "Viewer",
    "Workspaces",
    "team_visible",
    "team_visible_sql",
    "task_visible_sql",
    "team",
    "team_role",
    "visible_team",
    "named_users",
    "shares_workspace",
    "workspaces_of",
    "is_organization",
    "PROJECT_LEVELS",
    "project_visible",
    "project_visible_sql",
    "VisibleProject",
    "project",
    "require_project_level",
    "project_membership",
    "VisibleSection",
    "section",
    "task_visible",
    "VisibleTask",
    "task",
    "project_child",
    "PROJECT_ADMIN_CHANGES",
    "PROJECT_APPEARANCE",
    "require_project_change",
    "grantable_level",
    "project_admins",
    "require_member_removal",
    "require_task_edit",
    "hidden_teams",
    "hidden_tasks",
    "project_section",
    "tag",
    "webhook",
    "require_workspace_removal",
    "job",
    "template_visible",
    "template_visible_sql",
    "project_template",
    "require_template_owner",
    "PORTFOLIO_LEVELS",
    "VisiblePortfolio",
    "portfolio",
    "require_portfolio_level",
    "portfolio_visible",
    "portfolio_visible_sql",
    "portfolio_membership",
    "portfolio_child",
    "PORTFOLIO_ITEM_VISIBLE",
    "PORTFOLIO_ITEM_PARAMS",
    "VisibleRule",
    "rule",
]


Hidden = Callable[[Any, Caller, list[int]], set[int]]


def _by_rule(table: str, rule: Callable[[Caller], tuple[str, list[Any]]]) -> Hidden:
    return lambda conn, viewer, gids: hidden_by_rule(conn, table, gids, rule(viewer))


# Per resource type, which of some gids a viewer cannot see (for what names objects of any kind: an
# event's resource, parent and value).
HIDDEN: dict[str, Hidden] = {
    "task": hidden_tasks,
    "team": hidden_teams,
    "project": hidden_projects,
    "section": hidden_sections,
    "portfolio": _by_rule("portfolios", portfolio_visible_sql),
    "project_template": _by_rule("project_templates", template_visible_sql),
}
