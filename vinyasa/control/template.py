"""Fast resets on SQLite: the start state kept as an in-memory database and copied back page by page.

Deleting and re-inserting rows costs time in proportion to the rows (10,000 tasks with their
followers, placements and journal are ~120,000 rows: 0.25 s to delete, 2.3 s to put back). SQLite's
online backup API instead copies the start state's pages over the live database in one write
transaction, in time proportional to the *start* state's size only; readers and writers on other
connections wait for it like for any writer, then see the start state. What the copy would lose is
kept: the saved snapshots (`emulator_snapshots`) are read before and written back after.

PostgreSQL has no such copy; there `vinyasa.control.store.restore` does the work (DELETE, then
the start state's rows).
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine

from vinyasa.control import queries, store
from vinyasa.db import driver_transaction


class Template:
    """A database image (an in-memory SQLite database) that can be copied over the live one."""

    def __init__(self, image: sqlite3.Connection) -> None:
        self._image = image
        self._lock = threading.Lock()

    @classmethod
    def capture(cls, engine: Engine) -> Template | None:
        """The live database's current content as an image; None unless the engine is SQLite."""
        if engine.dialect.name != "sqlite":
            return None
        image = sqlite3.connect(":memory:", check_same_thread=False)
        _with_driver(engine, lambda live: live.backup(image))
        return cls(image)

    def derived(self, state: store.State) -> Template:
        """Another image: this one's schema and server rows, holding `state` instead of its data."""
        image = sqlite3.connect(":memory:", check_same_thread=False)
        with self._lock:
            self._image.backup(image)
        with driver_transaction(image):
            for table in reversed(store.owned_tables()):
                image.execute(queries.image_clear(str(table.name)))
            image.execute(queries.IMAGE_CLEAR_META)
            for table in store.owned_tables():
                saved = state.tables.get(str(table.name))
                if saved:
                    columns, rows = saved
                    image.executemany(queries.image_insert(str(table.name), columns), rows)
            image.executemany(queries.IMAGE_PUT_META, state.meta)
            image.execute(queries.IMAGE_GID_POSITION, (state.gid_position,))
        return Template(image)

    def restore(self, engine: Engine) -> None:
        """Copy the image over the live database, keeping the live database's saved snapshots."""

        def copy(live: sqlite3.Connection) -> None:
            kept = live.execute(queries.SNAPSHOTS).fetchall()
            with self._lock:
                self._image.backup(live)
            if kept:
                with driver_transaction(live, immediate=True):
                    live.execute(queries.CLEAR_SNAPSHOTS)
                    live.executemany(queries.PUT_SNAPSHOT, kept)

        _with_driver(engine, copy)

    def close(self) -> None:
        self._image.close()


def _with_driver(engine: Engine, work: Any) -> None:
    """Run `work(sqlite3_connection)` on a pooled connection outside any transaction."""
    raw = engine.raw_connection()
    try:
        live = raw.driver_connection
        assert isinstance(live, sqlite3.Connection)
        work(live)
    finally:
        raw.close()
