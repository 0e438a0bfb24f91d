"""All tables; importing this package registers them on Base.metadata."""

from vinyasa.models.control import EmulatorSnapshot
from vinyasa.models.core import GidCounter, Meta, Token
from vinyasa.models.custom_fields import (
    CustomField,
    CustomFieldSetting,
    EnumOption,
    TaskCustomFieldDisplays,
    TaskCustomFieldValue,
)
from vinyasa.models.jobs import Job, ProjectOrigin, ProjectTemplate
from vinyasa.models.journal import JournalEntry, JournalTopic
from vinyasa.models.people import (
    Favorite,
    TaskAssignment,
    Team,
    TeamMember,
    User,
    UserTaskList,
    Workspace,
    WorkspaceMember,
)
from vinyasa.models.portfolios import (
    Portfolio,
    PortfolioCustomFieldDisplays,
    PortfolioCustomFieldValue,
    PortfolioItem,
    PortfolioMember,
    ProjectCustomFieldDisplays,
    ProjectCustomFieldValue,
    UserCustomFieldValue,
)
from vinyasa.models.projects import Project, ProjectMember
from vinyasa.models.rules import Rule, RuleRun
from vinyasa.models.statuses import ProjectBrief, Status
from vinyasa.models.tags import Tag, TagFollower, TaskTag
from vinyasa.models.tasks import Section, Task, TaskDependency, TaskFollower, TaskProject
from vinyasa.models.webhooks import Webhook, WebhookAttempt

__all__ = [
    "CustomField",
    "CustomFieldSetting",
    "EmulatorSnapshot",
    "EnumOption",
    "Favorite",
    "GidCounter",
    "Job",
    "JournalEntry",
    "JournalTopic",
    "Meta",
    "Portfolio",
    "PortfolioCustomFieldDisplays",
    "PortfolioCustomFieldValue",
    "PortfolioItem",
    "PortfolioMember",
    "Project",
    "ProjectBrief",
    "ProjectCustomFieldDisplays",
    "ProjectCustomFieldValue",
    "ProjectOrigin",
    "ProjectTemplate",
    "ProjectMember",
    "Rule",
    "RuleRun",
    "Section",
    "Status",
    "Tag",
    "TaskAssignment",
    "TagFollower",
    "Task",
    "TaskTag",
    "TaskCustomFieldDisplays",
    "TaskCustomFieldValue",
    "TaskDependency",
    "TaskFollower",
    "TaskProject",
    "Team",
    "TeamMember",
    "Token",
    "User",
    "UserCustomFieldValue",
    "UserTaskList",
    "Webhook",
    "WebhookAttempt",
    "Workspace",
    "WorkspaceMember",
]
