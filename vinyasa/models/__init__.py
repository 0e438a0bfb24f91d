"""All tables; importing this package registers them on Base.metadata."""

from vinyasa.models.core import GidCounter, Meta, Token
from vinyasa.models.people import Team, TeamMember, User, Workspace, WorkspaceMember
from vinyasa.models.projects import Project, ProjectMember

__all__ = [
    "GidCounter",
    "Meta",
    "Project",
    "ProjectMember",
    "Team",
    "TeamMember",
    "Token",
    "User",
    "Workspace",
    "WorkspaceMember",
]
