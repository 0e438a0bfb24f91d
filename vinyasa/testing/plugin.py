"""The pytest plugin (entry point `pytest11: vinyasa`): an emulator per test session, reset per test.

Fixtures:
- `vinyasa_server` (session): vinyasa in this process on a free loopback port, on a SQLite file in
  the session's temporary directory (one per `pytest-xdist` worker, each in its own process);
- `vinyasa` (function): the same server reset to its start state before the test, then loaded with
  the test's `@pytest.mark.vinyasa_fixture(path)` files and `@pytest.mark.vinyasa_fault(path, ...)`
  rules; an `Emulator` (base_url, token, admin_token, control methods);
- `vinyasa_client`: an official `asana` ApiClient on it (the owner's token);
- `vinyasa_world`: the gids the `vinyasa_fixture` files created, by kind and name.

Options: `--vinyasa-database-url URL` (or `VINYASA_TEST_DATABASE_URL`) serves another database
(e.g. a throwaway PostgreSQL database: it is migrated and bootstrapped, and resets return to that).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vinyasa.testing.emulator import Emulator


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--vinyasa-database-url",
        default=os.environ.get("VINYASA_TEST_DATABASE_URL"),
        help="database the vinyasa emulator serves (default: a SQLite file per session)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "vinyasa_fixture(path): load this fixture file into the emulator first"
    )
    config.addinivalue_line(
        "markers", "vinyasa_fault(path, **rule): add this fault rule to the emulator before the test"
    )


@pytest.fixture(scope="session")
def vinyasa_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Emulator]:
    """One emulator for the session (per xdist worker)."""
    from vinyasa.config import Settings
    from vinyasa.control.server import start

    url = request.config.getoption("--vinyasa-database-url")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('vinyasa') / 'emulator.db'}"
    running = start(Settings(database_url=url, admin_token=secrets.token_urlsafe(24)))
    try:
        yield Emulator(running.base_url, running.token, running.admin_token)
    finally:
        running.stop()


@pytest.fixture
def vinyasa_world(request: pytest.FixtureRequest, vinyasa: Emulator) -> dict[str, dict[str, str]]:
    """The gids the test's `vinyasa_fixture` files created, by kind and name (merged)."""
    world: dict[str, dict[str, str]] = getattr(request.node, "_vinyasa_world", {})
    return world


@pytest.fixture
def vinyasa(request: pytest.FixtureRequest, vinyasa_server: Emulator) -> Emulator:
    """The session's emulator, reset, with this test's fixture files and fault rules."""
    vinyasa_server.reset()
    world: dict[str, dict[str, str]] = {}
    for marker in reversed(list(request.node.iter_markers("vinyasa_fixture"))):
        for source in marker.args:
            path = Path(source)
            if not path.is_absolute():
                path = Path(request.node.fspath).parent / path
            for kind, names in vinyasa_server.load_fixture(path).items():
                world.setdefault(kind, {}).update(names)
    request.node._vinyasa_world = world
    for marker in reversed(list(request.node.iter_markers("vinyasa_fault"))):
        rule: dict[str, Any] = dict(marker.kwargs)
        vinyasa_server.fault(*marker.args, **rule)
    return vinyasa_server


@pytest.fixture
def vinyasa_client(vinyasa: Emulator) -> Any:
    """An official `asana` SDK ApiClient on the emulator, with the owner's token."""
    return vinyasa.sdk_client()
