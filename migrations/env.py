"""Alembic environment: the URL comes from the caller (vinyasa.migrate) or VINYASA_DATABASE_URL."""

from __future__ import annotations

from alembic import context

import vinyasa.models  # noqa: F401  (registers every table)
from vinyasa.config import get_settings
from vinyasa.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations on a live connection, batch mode so SQLite can ALTER."""
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
