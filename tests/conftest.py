"""Fixtures: every test runs on SQLite and on PostgreSQL, each from a clean, migrated database.

PostgreSQL: a throwaway database is created per run on VINYASA_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards. If the server is unreachable
the PostgreSQL half skips, unless VINYASA_REQUIRE_POSTGRES=1, when it fails.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, Engine, create_engine, text

from vinyasa.app import build_runtime, create_app
from vinyasa.bootstrap import create_token, create_workspace, init
from vinyasa.config import Settings
from vinyasa.core import clock
from vinyasa.db import Base, make_engine, normalize_url, race_kind
from vinyasa.migrate import upgrade
from vinyasa.search.indexing import INDEXES
from vinyasa.users.service import create_user
from vinyasa.workspaces.service import add_member

PG_ADMIN_URL = os.environ.get("VINYASA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("VINYASA_REQUIRE_POSTGRES") == "1"
KEEP = {"meta", "gid_counter", "alembic_version"}


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _pg_admin() -> Engine:
    return create_engine(normalize_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Engine]:
    """An admin engine on the PostgreSQL server, or a skip/fail when there is none."""
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no server"
        admin.dispose()
        reason = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
        if REQUIRE_PG:
            pytest.fail(reason + " (VINYASA_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    yield admin
    admin.dispose()


def new_database(request: pytest.FixtureRequest, backend: str, tmp: Path, revision: str = "head") -> str:
    """A fresh database URL for this backend, migrated to `revision`, dropped again at session end."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp / ('vinyasa-' + secrets.token_hex(4) + '.db')}"
    else:
        admin: Engine = request.getfixturevalue("postgres_server")
        name = f"vinyasa_test_{os.getpid()}_{secrets.token_hex(4)}"
        for attempt in range(5):  # CREATE DATABASE fails while another session holds template1
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                break
            except Exception:  # noqa: BLE001
                if attempt == 4:
                    raise
                time.sleep(1)

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        request.addfinalizer(drop)
        url = str(admin.url.set(database=name).render_as_string(hide_password=False))
    upgrade(url, revision)
    return url


@dataclass
class Env:
    """One backend under test: its URL, app and engine."""

    backend: str
    url: str
    app: Any
    engine: Engine


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """The app under test for one backend (the lifespan's runtime is built directly)."""
    url = new_database(request, request.param, tmp_path_factory.mktemp(request.param))
    # No webhook delivery worker in a lifespan a test starts (TestClient): webhook tests run their own;
    # its job runner stays in the test's process (no child process to start for every TestClient).
    app = create_app(Settings(database_url=url, webhook_delivery="off", job_runner="thread"))
    app.state.runtime = build_runtime(Settings(database_url=url))
    yield Env(request.param, url, app, app.state.runtime.engine)
    app.state.runtime.close()


def _wipe(engine: Engine) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
            # The search index and its queue (migration a8c0ffee001d) are not models: a clean database
            # has neither entries nor queued work (the deletes above queued every task and project).
            for index in INDEXES:
                conn.execute(text(f"DELETE FROM {index.fts}_pending"))
                conn.execute(text(f"DELETE FROM {index.fts}"))


@dataclass
class World:
    """The bootstrapped owner, organization and team, plus helpers to add people."""

    env: Env
    token: str
    user: str
    workspace: str
    team: str

    def db(self) -> Connection:
        """A connection for asserting on stored state (use as a context manager)."""
        return self.env.engine.connect()

    def person(self, email: str, workspaces: list[str] | None = None) -> tuple[str, str]:
        """A user in the given workspaces (default: the organization) and a token for them."""
        with self.env.engine.begin() as conn:
            user = create_user(conn, email)
            for ws in [self.workspace] if workspaces is None else workspaces:
                add_member(conn, int(ws), user)
            return str(user), create_token(conn, user)

    def other_workspace(self, name: str, owner: str, *, organization: bool = True) -> dict[str, str | None]:
        """Another workspace the owner is not in (unless `owner` is the owner's email)."""
        with self.env.engine.begin() as conn:
            return create_workspace(conn, name, owner, organization=organization)

    def count(self, sql: str, **params: Any) -> int:
        """A scalar count from the database."""
        with self.env.engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())


@pytest.fixture
def world(env: Env) -> World:
    """A clean database holding exactly: the owner, an organization, its team, a token."""
    _wipe(env.engine)
    with env.engine.begin() as conn:
        made = init(conn, "owner@example.com", "Acme")
    return World(env, str(made["token"]), str(made["user"]), str(made["workspace"]), str(made["team"]))


async def _a_millisecond_later(_request: httpx.Request) -> None:
    """Each request of a test client starts at a later millisecond than the one before (while the
    clock flows; a test that freezes it keeps its one instant). Lists ordered by a time break ties by
    gid, and vinyasa's gids are scrambled where Asana's grow with time: two objects made in one
    millisecond list in either order (a known deviation, docs/deviations.md), which tests of
    "oldest first" must not depend on. The clock is reset after each test (`_system_clock`)."""
    if not clock.state().frozen:
        clock.advance(1)


def api_client(env: Env, token: str | None) -> httpx.AsyncClient:
    """An httpx client driving the app over ASGI, authenticated with `token`."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=env.app, raise_app_exceptions=False)
    return httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver/api/1.0",
        headers=headers,
        event_hooks={"request": [_a_millisecond_later]},
    )


@pytest.fixture(autouse=True)
def _system_clock() -> Iterator[None]:
    """Every test ends with the clock back on the system's (see `_a_millisecond_later`)."""
    yield
    clock.reset()


def _deadlock(exc: BaseException) -> bool:
    return str(getattr(getattr(exc, "orig", exc), "sqlstate", "")) == "40P01"


@pytest.fixture(autouse=True)
def _no_deadlocks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A PostgreSQL deadlock met by a request or a job of the test (in this process) fails it. The
    retry hides it from the answers, but it cost a second of deadlock detection with every other
    writer waiting behind the journal's lock (vinyasa.core.journal: lock order). A test whose
    deadlocks are expected says so: `@pytest.mark.deadlocks(reason)`."""
    if request.node.get_closest_marker("deadlocks") is not None:
        yield
        return
    seen: list[BaseException] = []

    def spy(exc: BaseException) -> str | None:
        if _deadlock(exc):
            seen.append(exc)
        return race_kind(exc)

    monkeypatch.setattr("vinyasa.protocol.context.race_kind", spy)
    monkeypatch.setattr("vinyasa.core.runner.race_kind", spy)
    yield
    assert not seen, f"{len(seen)} deadlock(s); the first: {seen[0]}"


@pytest.fixture
async def client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """The owner's client."""
    async with api_client(world.env, world.token) as c:
        yield c


def make_engine_for(url: str) -> Engine:
    """An engine on a test database (for tests that need their own)."""
    return make_engine(url)


@pytest.fixture
def tick() -> Iterator[Any]:
    """`tick()` moves the one clock (vinyasa.core.clock) 1 ms forward, so what a test makes after
    it is stamped later than what it made before. Lists ordered by a time order ties by gid, and
    gids are scrambled (vinyasa.protocol.gids): a test of "oldest first" or "newest first" must not
    make two objects in one millisecond. The clock is reset after the test."""
    yield lambda: clock.advance(1)
    clock.reset()
