"""Custom fields and portfolios: a portfolio's custom field settings give each of its items the
field, one child deep (Asana: "a custom field setting on a portfolio will give each project the
custom field, but not each task within those projects"). Its item projects, and the portfolios
nested in it, then carry `custom_fields` values of those fields, written with PUT on the item
(`PUT /projects/{gid}`, `PUT /portfolios/{gid}`), shown disabled once no portfolio gives the field.
A portfolio's own `custom_fields` are thus the values given by the portfolios it is in.
"""

from __future__ import annotations

from vinyasa import access
from vinyasa.custom_fields import settings
from vinyasa.custom_fields.typed import REFERABLE, Referable
from vinyasa.custom_fields.values import ValueStore
from vinyasa.models import Portfolio
from vinyasa.portfolios import queries

PORTFOLIO = settings.register(settings.Container("portfolio", "portfolio_gid"))

PROJECT_VALUES = ValueStore(
    "project_custom_field_values", "project_gid", "project", queries.PROJECT_CONTAINERS, "portfolio_gid"
)
PORTFOLIO_VALUES = ValueStore(
    "portfolio_custom_field_values",
    "portfolio_gid",
    "portfolio",
    queries.PORTFOLIO_CONTAINERS,
    "portfolio_gid",
)


# Reference custom fields may hold portfolios (`input_restrictions: ["portfolio"]`).
REFERABLE["portfolio"] = Referable(
    Portfolio.__table__, lambda ctx, gid: access.portfolio(ctx, gid), access.HIDDEN["portfolio"]
)
