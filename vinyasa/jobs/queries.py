"""The SQL of the jobs family: reading a project's structure, writing copies of it in bulk, templates.

Reads take the project (or task) gid; `_TREE` walks from a project's tasks (or one task) down to
every subtask, depth-bounded so it terminates whatever the data holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from vinyasa.protocol import sql

_DEPTH = 64
# Every task of a project and all their subtasks (`d`), from the project's memberships.
_PROJECT_TREE = (
    "WITH RECURSIVE d(gid, depth) AS ("
    " SELECT task_gid, 0 FROM task_projects WHERE project_gid = ?"
    " UNION ALL SELECT t.gid, d.depth + 1 FROM tasks t JOIN d ON t.parent_gid = d.gid"
    f" WHERE d.depth < {_DEPTH}) "
)
# One task and all its subtasks.
_TASK_TREE = (
    "WITH RECURSIVE d(gid, depth) AS ("
    " SELECT ?, 0"
    " UNION ALL SELECT t.gid, d.depth + 1 FROM tasks t JOIN d ON t.parent_gid = d.gid"
    f" WHERE d.depth < {_DEPTH}) "
)
TASK_COLUMNS = (
    "gid, parent_gid, position, name, html_notes, resource_subtype, completed, completed_at,"
    " completed_by_gid, assignee_gid, due_on, due_at, start_on, start_at, approval_status"
)
VALUE_COLUMNS = (
    "task_gid, custom_field_gid, text_value, number_value, enum_option_gid, list_value, date_on, date_at"
)


def _tree(project: bool) -> str:
    return _PROJECT_TREE if project else _TASK_TREE


def project_row(conn: Connection, project_gid: int) -> dict[str, Any] | None:
    """The columns of a project a copy starts from."""
    names = (
        "workspace_gid, team_gid, name, html_notes, color, icon, default_view, due_on, start_on,"
        " privacy_setting, default_access_level, minimum_access_level_for_customization,"
        " minimum_access_level_for_sharing, owner_gid"
    )
    rows = sql.fetch(conn, f"SELECT {names} FROM projects WHERE gid = ?", [project_gid])
    if not rows:
        return None
    return dict(zip([n.strip() for n in names.split(",")], rows[0], strict=True))


def sections(conn: Connection, project_gid: int) -> list[tuple[int, str]]:
    """A project's sections in order: (gid, name)."""
    return [
        (int(g), str(n))
        for g, n in sql.fetch(
            conn, "SELECT gid, name FROM sections WHERE project_gid = ? ORDER BY position, gid", [project_gid]
        )
    ]


def placements(conn: Connection, project_gid: int) -> list[tuple[int, int]]:
    """A project's tasks in the project's order: (task gid, section gid)."""
    return [
        (int(t), int(s))
        for t, s in sql.fetch(
            conn,
            "SELECT task_gid, section_gid FROM task_projects WHERE project_gid = ?"
            " ORDER BY section_position, position, task_gid",
            [project_gid],
        )
    ]


def tree_tasks(conn: Connection, root: int, *, project: bool) -> list[tuple[Any, ...]]:
    """`TASK_COLUMNS` of every task of a project (or of one task) and their subtasks."""
    return sql.fetch(
        conn, _tree(project) + f"SELECT {TASK_COLUMNS} FROM tasks WHERE gid IN (SELECT gid FROM d)", [root]
    )


def tree_followers(conn: Connection, root: int, *, project: bool) -> list[tuple[int, int]]:
    """(task, user) for every follower of the tree's tasks."""
    return [
        (int(t), int(u))
        for t, u in sql.fetch(
            conn,
            _tree(project) + "SELECT task_gid, user_gid FROM task_followers"
            " WHERE task_gid IN (SELECT gid FROM d) ORDER BY created_at, user_gid",
            [root],
        )
    ]


def tree_memberships(conn: Connection, root: int, *, project: bool) -> list[tuple[int, int, int]]:
    """(task, project, section) for every project membership of the tree's tasks."""
    return [
        (int(t), int(p), int(s))
        for t, p, s in sql.fetch(
            conn,
            _tree(project) + "SELECT task_gid, project_gid, section_gid FROM task_projects"
            " WHERE task_gid IN (SELECT gid FROM d) ORDER BY task_gid, project_gid",
            [root],
        )
    ]


def tree_tags(conn: Connection, root: int, *, project: bool) -> list[tuple[int, int]]:
    """(task, tag) for every tag on the tree's tasks, each task's in the order they were added."""
    return [
        (int(t), int(g))
        for t, g in sql.fetch(
            conn,
            _tree(project) + "SELECT task_gid, tag_gid FROM task_tags"
            " WHERE task_gid IN (SELECT gid FROM d) ORDER BY added_at, tag_gid",
            [root],
        )
    ]


def tree_links(conn: Connection, root: int, *, project: bool) -> list[tuple[int, int]]:
    """(task, dependency) for every dependency with either end in the tree, in the order added."""
    return [
        (int(t), int(g))
        for t, g in sql.fetch(
            conn,
            _tree(project) + "SELECT task_gid, dependency_gid FROM task_dependencies"
            " WHERE task_gid IN (SELECT gid FROM d) OR dependency_gid IN (SELECT gid FROM d)"
            " ORDER BY created_at, task_gid, dependency_gid",
            [root],
        )
    ]


def _bounds(on: str, at: str) -> str:
    bare = f"CASE WHEN NULLIF({on}, '') IS NULL THEN {at} END"
    return f"MIN(NULLIF({on}, '')), MAX(NULLIF({on}, '')), MIN({bare}), MAX({bare}), MIN({at}), MAX({at})"


# A project's own tasks only, as `_PROJECT_TREE` names its tree (`d`).
_PROJECT_TASKS = "WITH d(gid) AS (SELECT task_gid FROM task_projects WHERE project_gid = ?) "
_DATE_BOUNDS = (
    f"SELECT {_bounds('due_on', 'due_at')}, {_bounds('start_on', 'start_at')},"
    " (SELECT NULLIF(due_on, '') FROM projects WHERE gid = ?),"
    " (SELECT NULLIF(start_on, '') FROM projects WHERE gid = ?)"
    " FROM tasks WHERE gid IN (SELECT gid FROM d)"
)


def date_bounds(conn: Connection, project_gid: int, *, subtasks: bool) -> tuple[Any, ...]:
    """The extremes of the dates a copy of the project holds (its tasks, with `subtasks` theirs too):
    for due dates, then start dates, the least and greatest non-empty `…_on` (YYYY-MM-DD), `…_at`
    (epoch ms) of the tasks without one, `…_at` of all; then the project's due_on and start_on
    (vinyasa.jobs.blueprint.outline). NULL where there is none."""
    tree = _PROJECT_TREE if subtasks else _PROJECT_TASKS
    return tuple(sql.fetch(conn, tree + _DATE_BOUNDS, [project_gid] * 3)[0])


def tree_values(conn: Connection, root: int, *, project: bool) -> list[tuple[Any, ...]]:
    """`VALUE_COLUMNS` of every custom field value of the tree's tasks."""
    return sql.fetch(
        conn,
        _tree(project) + f"SELECT {VALUE_COLUMNS} FROM task_custom_field_values"
        " WHERE task_gid IN (SELECT gid FROM d)"
        # custom IDs are not copied: a copy gets a number of its own (vinyasa.custom_fields.custom_ids)
        " AND custom_field_gid NOT IN (SELECT gid FROM custom_fields WHERE id_prefix IS NOT NULL)"
        " ORDER BY task_gid, custom_field_gid",
        [root],
    )


def settings(conn: Connection, project_gid: int) -> list[tuple[int, bool]]:
    """A project's custom field settings in order: (field gid, is_important)."""
    return [
        (int(f), bool(i))
        for f, i in sql.fetch(
            conn,
            "SELECT custom_field_gid, is_important FROM custom_field_settings WHERE project_gid = ?"
            " ORDER BY position, gid",
            [project_gid],
        )
    ]


def members(conn: Connection, project_gid: int) -> list[tuple[int | None, int | None, str, bool]]:
    """A project's memberships: (user, team, access level, follows)."""
    return [
        (u, t, str(level), bool(f))
        for u, t, level, f in sql.fetch(
            conn,
            "SELECT user_gid, team_gid, access_level, is_follower FROM project_members"
            " WHERE project_gid = ? ORDER BY created_at, gid",
            [project_gid],
        )
    ]


def user_names(conn: Connection, users: Sequence[int]) -> dict[int, str]:
    """Display names of users."""
    if not users:
        return {}
    rows = sql.fetch(conn, f"SELECT gid, name FROM users WHERE gid IN ({sql.marks(len(users))})", list(users))
    return {int(g): str(n) for g, n in rows}


def existing(conn: Connection, table: str, gids: Sequence[int]) -> set[int]:
    """Which of `gids` are rows of `table` (users, custom_fields, teams: things a copy refers to)."""
    if not gids:
        return set()
    rows = sql.fetch(conn, f"SELECT gid FROM {table} WHERE gid IN ({sql.marks(len(gids))})", list(gids))
    return {int(r[0]) for r in rows}


def in_workspace(conn: Connection, workspace_gid: int, users: Sequence[int]) -> set[int]:
    """Which of `users` are members of the workspace."""
    if not users:
        return set()
    rows = sql.fetch(
        conn,
        "SELECT user_gid FROM workspace_members WHERE workspace_gid = ?"
        f" AND user_gid IN ({sql.marks(len(users))})",
        [workspace_gid, *users],
    )
    return {int(r[0]) for r in rows}


# ---- writing ----------------------------------------------------------------------------------------

INSERT_TASK = (
    "INSERT INTO tasks (gid, workspace_gid, name, html_notes, resource_subtype, completed, completed_at,"
    " completed_by_gid, approval_status, assignee_gid, due_on, due_at, start_on, start_at, parent_gid,"
    f" root_gid, position, created_by_gid, created_at, modified_at) VALUES ({sql.marks(20)})"
)
INSERT_PLACEMENT = (
    "INSERT INTO task_projects (task_gid, project_gid, section_gid, section_position, position, completed,"
    " is_milestone, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_FOLLOWER = "INSERT INTO task_followers (task_gid, user_gid, created_at) VALUES (?, ?, ?)"
INSERT_TAG = "INSERT INTO task_tags (task_gid, tag_gid, added_at) VALUES (?, ?, ?)"
INSERT_VALUE = f"INSERT INTO task_custom_field_values ({VALUE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_SECTION = "INSERT INTO sections (gid, project_gid, name, position, created_at) VALUES (?, ?, ?, ?, ?)"
INSERT_SETTING = (
    "INSERT INTO custom_field_settings (gid, custom_field_gid, project_gid, is_important, position,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?)"
)


def first_section(conn: Connection, project_gid: int) -> tuple[int, int]:
    """A new project's one section: (gid, position)."""
    row = sql.fetch(
        conn,
        "SELECT gid, position FROM sections WHERE project_gid = ? ORDER BY position LIMIT 1",
        [project_gid],
    )[0]
    return int(row[0]), int(row[1])


def rename_section(conn: Connection, section_gid: int, name: str) -> None:
    sql.execute_many(conn, "UPDATE sections SET name = ? WHERE gid = ?", [(name, section_gid)])


def write(conn: Connection, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one of the INSERT statements above for many rows."""
    sql.execute_many(conn, statement, rows)


def set_origin(conn: Connection, project_gid: int, template_gid: int) -> None:
    """Remember the template a project was instantiated from (`created_from_template`)."""
    sql.execute_many(
        conn,
        "INSERT INTO project_origins (project_gid, template_gid) VALUES (?, ?)",
        [(project_gid, template_gid)],
    )


def project_exists(conn: Connection, project_gid: int) -> bool:
    return bool(sql.fetch(conn, "SELECT 1 FROM projects WHERE gid = ?", [project_gid]))


# ---- portfolios (vinyasa.jobs.portfolios) -----------------------------------------------------------


def portfolio_row(conn: Connection, portfolio_gid: int) -> dict[str, Any]:
    """The columns of a portfolio its copy takes."""
    names = ("color", "start_on", "due_on", "privacy_setting", "default_access_level")
    row = sql.fetch(conn, f"SELECT {', '.join(names)} FROM portfolios WHERE gid = ?", [portfolio_gid])[0]
    return dict(zip(names, row, strict=True))


def portfolio_settings(conn: Connection, portfolio_gid: int) -> list[tuple[int, bool]]:
    """A portfolio's custom field settings in order: (field gid, is_important)."""
    rows = sql.fetch(
        conn,
        "SELECT custom_field_gid, is_important FROM custom_field_settings WHERE portfolio_gid = ?"
        " ORDER BY position, gid",
        [portfolio_gid],
    )
    return [(int(f), bool(i)) for f, i in rows]


def portfolio_members(conn: Connection, portfolio_gid: int) -> list[int]:
    """A portfolio's members, oldest first."""
    rows = sql.fetch(
        conn,
        "SELECT user_gid FROM portfolio_members WHERE portfolio_gid = ? ORDER BY created_at, gid",
        [portfolio_gid],
    )
    return [int(r[0]) for r in rows]


def portfolio_items(conn: Connection, portfolio_gid: int) -> list[tuple[int, str]]:
    """A portfolio's items in order: (gid, "project" | "portfolio")."""
    rows = sql.fetch(
        conn,
        "SELECT item_gid, item_type FROM portfolio_items WHERE portfolio_gid = ? ORDER BY position, item_gid",
        [portfolio_gid],
    )
    return [(int(g), str(k)) for g, k in rows]


# Templates listed by workspace or by team (a Listing's conditions on `project_templates`).
TEMPLATES_IN_WORKSPACE = "project_templates.workspace_gid = ?"
TEMPLATES_OF_TEAM = "project_templates.team_gid = ?"
