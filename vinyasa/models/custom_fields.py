"""Custom fields: definitions in a workspace, their enum options, and settings on containers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import GidPk, Millis, link_key


class CustomField(Base):
    """A custom field definition (CustomFieldResponse); its name is unique in its workspace.

    `resource_subtype` is one of text, number, enum, multi_enum, date, people, reference and never
    changes. The number attributes (`precision`, `format`, ...) are null for other types."""

    __tablename__ = "custom_fields"
    gid: Mapped[GidPk]
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(1024))
    name_key: Mapped[str] = mapped_column(String(1024))  # lower-cased name: the uniqueness key
    resource_subtype: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    precision: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(16))
    currency_code: Mapped[str | None] = mapped_column(String(3))
    custom_label: Mapped[str | None] = mapped_column(String(1024))
    custom_label_position: Mapped[str | None] = mapped_column(String(8))
    has_notifications_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    privacy_setting: Mapped[str] = mapped_column(String(32))
    default_access_level: Mapped[str] = mapped_column(String(16))
    input_restrictions: Mapped[str] = mapped_column(String(64))  # comma-separated
    # A custom ID field (representation_type custom_id): its prefix, unique in the workspace, and
    # the last number it gave a task (vinyasa.custom_fields.custom_ids). Null/0 for other fields.
    id_prefix: Mapped[str | None] = mapped_column(String(32))
    id_counter: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_by_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="SET NULL")
    )
    created_at: Mapped[Millis]
    __table_args__ = (
        UniqueConstraint("workspace_gid", "name_key", name="uq_custom_fields_workspace_name"),
        Index("ix_custom_fields_workspace_gid", "workspace_gid", "gid"),
        UniqueConstraint("workspace_gid", "id_prefix", name="uq_custom_fields_workspace_id_prefix"),
    )


class EnumOption(Base):
    """One choice of an enum or multi_enum field, ordered by `position`; never deleted, only disabled."""

    __tablename__ = "enum_options"
    gid: Mapped[GidPk]
    custom_field_gid: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("custom_fields.gid", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(1024))
    color: Mapped[str] = mapped_column(String(32), default="none")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_enum_options_field_position", "custom_field_gid", "position"),)


class CustomFieldSetting(Base):
    """A custom field on a container (CustomFieldSettingResponse), ordered within the container.

    The container is a project (`project_gid`) or a portfolio (`portfolio_gid`), one of them set;
    every kind uses the same service (vinyasa.custom_fields.settings). A field is on a container at
    most once."""

    __tablename__ = "custom_field_settings"
    gid: Mapped[GidPk]
    custom_field_gid: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("custom_fields.gid", ondelete="CASCADE"), index=True
    )
    project_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("projects.gid", ondelete="CASCADE")
    )
    portfolio_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("portfolios.gid", ondelete="CASCADE")
    )
    # A workspace's setting gives the field to its members (users' custom_fields, vinyasa.users.fields).
    workspace_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE")
    )
    is_important: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[Millis]
    __table_args__ = (
        UniqueConstraint(
            "workspace_gid", "custom_field_gid", name="uq_custom_field_settings_workspace_field"
        ),
        Index("ix_custom_field_settings_workspace_position", "workspace_gid", "position"),
        UniqueConstraint("project_gid", "custom_field_gid", name="uq_custom_field_settings_project_field"),
        Index("ix_custom_field_settings_project_position", "project_gid", "position"),
        UniqueConstraint(
            "portfolio_gid", "custom_field_gid", name="uq_custom_field_settings_portfolio_field"
        ),
        Index("ix_custom_field_settings_portfolio_position", "portfolio_gid", "position"),
    )


class TaskCustomFieldValue(Base):
    """A task's value of one custom field; absent means no value (null).

    One typed column per kind of value: `text_value`, `number_value`, `enum_option_gid`,
    `list_value` (comma-separated: a multi_enum's option gids or a people field's user gids, in
    order; a reference field's `kind:gid` entries), `date_on` (YYYY-MM-DD) or `date_at` (epoch
    ms). Whether the value is enabled is not stored: it is whether any of the task's projects has
    a setting for the field."""

    __tablename__ = "task_custom_field_values"
    task_gid: Mapped[int] = link_key("tasks.gid")
    custom_field_gid: Mapped[int] = link_key("custom_fields.gid", index=True)
    text_value: Mapped[str | None] = mapped_column(Text)
    number_value: Mapped[float | None] = mapped_column(Float)
    enum_option_gid: Mapped[int | None] = mapped_column(BigInteger)
    list_value: Mapped[str | None] = mapped_column(Text)
    date_on: Mapped[str | None] = mapped_column(String(10))
    date_at: Mapped[int | None] = mapped_column(BigInteger)
    # The value's display_value, computed when written; NULL: computed when read (people and
    # reference values, whose names change and depend on the reader).
    display_value: Mapped[str | None] = mapped_column(Text)
    # SQLite: clustered by (task, field), so a page's values are read in one range per task. The
    # index finds a custom ID's task (getTaskForCustomID: the field and its number).
    __table_args__: Any = (
        Index("ix_task_custom_field_values_field_number", "custom_field_gid", "number_value"),
        {"sqlite_with_rowid": False},
    )


class DisplayMap:
    """The display values of one owner's custom field values, kept in one row so a page of owners
    reads one row each rather than one per value (vinyasa.custom_fields.values rebuilds it from the
    owner's values whenever they change). `displays`: a JSON object field gid -> stored
    display_value (null where none is stored); `late`: a JSON object field gid -> list_value of
    the values whose display is computed when read (people and reference values), or null/`{}`."""

    displays: Mapped[str] = mapped_column(Text)
    late: Mapped[str | None] = mapped_column(Text)


class TaskCustomFieldDisplays(DisplayMap, Base):
    """A task's display map (DisplayMap); present exactly when the task has values."""

    __tablename__ = "task_custom_field_displays"
    task_gid: Mapped[int] = link_key("tasks.gid")
