"""An emulator app (control plane on) per backend, reset before each test through its own API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import new_database
from vinyasa.app import build_runtime, create_app
from vinyasa.bootstrap import init
from vinyasa.config import Settings
from vinyasa.control.plane import EmulatorApp
from vinyasa.core import clock

ADMIN = "admin-secret"


@dataclass
class Emu:
    """The emulator under test: its app, backend, the owner's token and clients."""

    backend: str
    app: EmulatorApp
    token: str
    workspace: str
    admin: httpx.AsyncClient
    api: httpx.AsyncClient

    def client(self, token: str | None, base: str = "http://testserver/api/1.0") -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url=base, headers=headers)

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.admin.request(method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()["data"]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def emu_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, EmulatorApp, dict[str, Any]]]:
    url = new_database(request, request.param, Path(tmp_path_factory.mktemp("emu-" + request.param)))
    settings = Settings(database_url=url, emulator=True, admin_token=ADMIN)
    app = create_app(settings)
    assert isinstance(app, EmulatorApp)
    app.state.runtime = build_runtime(settings)
    with app.state.runtime.engine.begin() as conn:
        made = init(conn, "owner@example.com", "Acme")
    app.control.begin(app.state.runtime)
    yield request.param, app, made
    app.state.runtime.close()


@pytest.fixture
async def emu(emu_app) -> AsyncIterator[Emu]:
    backend, app, made = emu_app
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    admin = httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver/_vinyasa",
        headers={"Authorization": f"Bearer {ADMIN}"},
    )
    emu = Emu(backend, app, str(made["token"]), str(made["workspace"]), admin, httpx.AsyncClient())
    emu.api = emu.client(emu.token)
    async with admin, emu.api:
        await emu.control("POST", "/reset")
        yield emu
    clock.reset()
