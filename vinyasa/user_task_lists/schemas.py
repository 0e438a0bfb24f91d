"""How user task lists look on the wire (UserTaskListCompact / UserTaskListResponse)."""

from __future__ import annotations

from vinyasa.models import UserTaskList
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Ref

USER_TASK_LIST = Resource(
    "user_task_list",
    UserTaskList.__table__,
    {
        "name": Col("name"),
        "owner": Ref("user_gid", "user"),
        "workspace": Ref("workspace_gid", "workspace"),
    },
    compact=("name",),
)
