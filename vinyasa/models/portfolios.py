"""Portfolios, who is a member of which, and their ordered items (projects and nested portfolios)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.custom_fields import DisplayMap
from vinyasa.models.types import GidPk, Millis, link_key


class Portfolio(Base):
    """A portfolio in one workspace (PortfolioResponse); `members_only` ones are seen by members only."""

    __tablename__ = "portfolios"
    gid: Mapped[GidPk]
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(1024))
    owner_gid: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="SET NULL"))
    created_by_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="SET NULL")
    )
    color: Mapped[str] = mapped_column(String(32))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    start_on: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    due_on: Mapped[str | None] = mapped_column(String(10))
    privacy_setting: Mapped[str] = mapped_column(String(32))  # public_to_domain | members_only
    default_access_level: Mapped[str] = mapped_column(String(16))  # admin | editor | viewer
    created_at: Mapped[Millis]
    modified_at: Mapped[Millis]
    __table_args__ = (
        Index("ix_portfolios_workspace_owner", "workspace_gid", "owner_gid", "gid"),
        Index("ix_portfolios_owner_gid", "owner_gid"),
    )


class PortfolioMember(Base):
    """A user's membership of a portfolio (portfolio_membership) with its access level."""

    __tablename__ = "portfolio_members"
    gid: Mapped[GidPk]
    portfolio_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("portfolios.gid", ondelete="CASCADE"))
    user_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="CASCADE"), index=True)
    access_level: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[Millis]
    __table_args__ = (
        UniqueConstraint("portfolio_gid", "user_gid", name="uq_portfolio_members_portfolio_user"),
        Index("ix_portfolio_members_portfolio_gid", "portfolio_gid", "gid"),
    )


class PortfolioItem(Base):
    """An item of a portfolio: a project (`project_gid`) or a nested portfolio (`child_gid`).

    `item_gid` repeats whichever of the two is set (the ordered list's item key, vinyasa.ordering);
    the two typed columns carry the foreign keys, so deleting a project or a portfolio removes it
    from every portfolio. Ordered by `position` within the portfolio."""

    __tablename__ = "portfolio_items"
    portfolio_gid: Mapped[int] = link_key("portfolios.gid")
    item_gid: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    item_type: Mapped[str] = mapped_column(String(16))  # project | portfolio
    project_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("projects.gid", ondelete="CASCADE"), index=True
    )
    child_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("portfolios.gid", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[Millis]
    __table_args__ = (
        CheckConstraint("item_gid = coalesce(project_gid, child_gid)", name="one_item"),
        Index("ix_portfolio_items_portfolio_position", "portfolio_gid", "position", "item_type", "item_gid"),
    )


class _Value:
    """The value columns of a custom field value (as TaskCustomFieldValue: one typed column per
    kind of value, and the display_value computed when written)."""

    text_value: Mapped[str | None] = mapped_column(Text)
    number_value: Mapped[float | None] = mapped_column(Float)
    enum_option_gid: Mapped[int | None] = mapped_column(BigInteger)
    list_value: Mapped[str | None] = mapped_column(Text)
    date_on: Mapped[str | None] = mapped_column(String(10))
    date_at: Mapped[int | None] = mapped_column(BigInteger)
    display_value: Mapped[str | None] = mapped_column(Text)


class ProjectCustomFieldValue(_Value, Base):
    """A project's value of a custom field one of its portfolios gives it (Asana: "a custom field
    setting on a portfolio will give each project the custom field"); absent means null."""

    __tablename__ = "project_custom_field_values"
    project_gid: Mapped[int] = link_key("projects.gid")
    custom_field_gid: Mapped[int] = link_key("custom_fields.gid", index=True)


class PortfolioCustomFieldValue(_Value, Base):
    """A portfolio's own value of a custom field a portfolio it is in gives it; absent means null."""

    __tablename__ = "portfolio_custom_field_values"
    portfolio_gid: Mapped[int] = link_key("portfolios.gid")
    custom_field_gid: Mapped[int] = link_key("custom_fields.gid", index=True)


class ProjectCustomFieldDisplays(DisplayMap, Base):
    """A project's display map (DisplayMap); present exactly when the project has values."""

    __tablename__ = "project_custom_field_displays"
    project_gid: Mapped[int] = link_key("projects.gid")


class PortfolioCustomFieldDisplays(DisplayMap, Base):
    """A portfolio's display map (DisplayMap); present exactly when the portfolio has values."""

    __tablename__ = "portfolio_custom_field_displays"
    portfolio_gid: Mapped[int] = link_key("portfolios.gid")


class UserCustomFieldValue(_Value, Base):
    """A user's value of a custom field a workspace of theirs gives its members (a setting with
    `workspace_gid`: vinyasa.users.fields); absent means null."""

    __tablename__ = "user_custom_field_values"
    user_gid: Mapped[int] = link_key("users.gid")
    custom_field_gid: Mapped[int] = link_key("custom_fields.gid", index=True)


class UserCustomFieldDisplays(DisplayMap, Base):
    """A user's display map (DisplayMap); present exactly when the user has values."""

    __tablename__ = "user_custom_field_displays"
    user_gid: Mapped[int] = link_key("users.gid")
