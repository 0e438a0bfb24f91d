"""A real `vinyasa serve` on a free loopback port, per backend, for the official `asana` SDK; and
the test kit's emulator (`vinyasa.testing`'s plugin), per backend, for the files that use it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asana
import pytest

from tests.conftest import new_database
from tests.helpers import stop, wait_healthy
from vinyasa.config import Settings
from vinyasa.core import Caller, journal
from vinyasa.db import make_engine
from vinyasa.testing import Emulator
from vinyasa.users import favorites
from vinyasa.users import fields as user_fields

BIN = Path(sys.executable).parent / "vinyasa"


@dataclass
class Live:
    """A running server and the owner's identifiers."""

    backend: str
    url: str
    base: str
    token: str
    user: str
    workspace: str
    team: str

    def client(self, token: str | None = None) -> asana.ApiClient:
        """An SDK client pointed at this server, as a user would configure it."""
        cfg = asana.Configuration()
        cfg.host = self.base + "/api/1.0"
        cfg.access_token = token or self.token
        return asana.ApiClient(cfg)

    def favor(self, user: str, resource: str, **options: str) -> list[str]:
        """Add a favorite of `user` straight in the database (Asana sets them only in its web
        app; vinyasa.users.favorites.change is what the control plane calls)."""
        engine = make_engine(self.url)
        try:
            with engine.begin() as conn:
                return favorites.change(conn, int(user), resource, **options)  # type: ignore[arg-type]
        finally:
            engine.dispose()

    def give_user_field(self, field: str) -> None:
        """Give the workspace's members a custom field (what the control plane's
        `/_vinyasa/workspaces/{gid}/user_custom_fields` does), straight in the database."""
        engine = make_engine(self.url)
        try:
            with engine.begin() as conn:
                ctx = Caller(conn=conn, user_gid=0, base_url=self.base)
                user_fields.change_setting(ctx, self.workspace, field)
                journal.flush(ctx)
        finally:
            engine.dispose()

    def cli(self, *args: str) -> dict[str, str]:
        """Run a `vinyasa ... --json` command against this server's database."""
        out = subprocess.run(
            [str(BIN), *args, "--json"],
            env={**os.environ, "VINYASA_DATABASE_URL": self.url},
            capture_output=True,
            text=True,
            check=True,
        )
        parsed: dict[str, str] = json.loads(out.stdout)
        return parsed


def initialized(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, **settings: str
) -> tuple[dict[str, str], dict[str, str]]:
    """A fresh database of `backend` after `vinyasa init --json`: the environment to serve it with
    (plus `settings`, e.g. VINYASA_JOB_LEASE_SECONDS) and what init printed (token, user, ...)."""
    url = new_database(request, backend, tmp_path)
    env = {**os.environ, "VINYASA_DATABASE_URL": url, **settings}
    done = subprocess.run([str(BIN), "init", "--json"], env=env, capture_output=True, text=True, check=True)
    made: dict[str, str] = json.loads(done.stdout)
    return env, made


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`vinyasa init --json` then `vinyasa serve` on its own database; stopped at session end."""
    env, made = initialized(request, request.param, tmp_path_factory.mktemp("live-" + request.param))
    url = env["VINYASA_DATABASE_URL"]
    port = free_port()
    log = tmp_path_factory.getbasetemp() / f"serve-{request.param}.log"
    with serving(env, log, "--port", str(port)):
        base = f"http://127.0.0.1:{port}"
        yield Live(request.param, url, base, made["token"], made["user"], made["workspace"], made["team"])


@contextmanager
def serving(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """`vinyasa serve ARGS` (which must include `--port`) writing to `log`, once `/healthz`
    answers; terminated on exit."""
    port = args[args.index("--port") + 1]
    with log.open("w") as out:
        proc = subprocess.Popen([str(BIN), "serve", *args], env=env, stdout=out, stderr=out)
    if not wait_healthy(f"http://127.0.0.1:{port}", alive=lambda: proc.poll() is None):
        proc.kill()
        tail = log.read_text(errors="replace")[-3000:]
        pytest.fail(f"vinyasa serve did not start; its output:\n{tail}")
    try:
        yield proc
    finally:
        stop(proc)


@dataclass
class BackendEmulator(Emulator):
    """The plugin's emulator handle, plus which backend it serves and the start state's gids."""

    live: Live | None = None


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def vinyasa_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Emulator]:
    """Overrides the plugin's session emulator: one per backend, in this process (the plugin's
    `vinyasa` fixture then resets it before each test)."""
    from vinyasa.control.server import start

    url = new_database(request, request.param, tmp_path_factory.mktemp("emulator-" + request.param))
    running = start(Settings(database_url=url))
    emulator = BackendEmulator(running.base_url, running.token, running.admin_token)
    me = emulator.sdk_client()
    user = asana.UsersApi(me).get_user("me", {"opt_fields": "workspaces"})
    workspace = user["workspaces"][0]["gid"]
    team = next(iter(asana.TeamsApi(me).get_teams_for_workspace(workspace, {})))["gid"]
    emulator.live = Live(request.param, url, emulator.url, emulator.token, user["gid"], workspace, team)
    try:
        yield emulator
    finally:
        running.stop()


@pytest.fixture
def emulated(vinyasa: Emulator) -> Live:
    """`live`'s shape on the test kit's emulator, reset to its start state for this test."""
    assert isinstance(vinyasa, BackendEmulator) and vinyasa.live is not None
    return vinyasa.live
