"""All tables; importing this package registers them on Base.metadata."""

from vinyasa.models.core import GidCounter, Meta, Token
from vinyasa.models.custom_fields import CustomField, CustomFieldSetting, EnumOption, TaskCustomFieldValue
from vinyasa.models.journal import JournalEntry, JournalTopic
from vinyasa.models.people import Team, TeamMember, User, Workspace, WorkspaceMember
from vinyasa.models.projects import Project, ProjectMember
from vinyasa.models.statuses import ProjectBrief, Status
from vinyasa.models.tasks import Section, Task, TaskDependency, TaskFollower, TaskProject

__all__ = [
    "CustomField",
    "CustomFieldSetting",
    "EnumOption",
    "GidCounter",
    "JournalEntry",
    "JournalTopic",
    "Meta",
    "Project",
    "ProjectBrief",
    "ProjectMember",
    "Section",
    "Status",
    "Task",
    "TaskCustomFieldValue",
    "TaskDependency",
    "TaskFollower",
    "TaskProject",
    "Team",
    "TeamMember",
    "Token",
    "User",
    "Workspace",
    "WorkspaceMember",
]
