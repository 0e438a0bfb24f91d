"""Running the emulator: prepare a database, then serve it with the control plane on, in a thread.

Used by `vinyasa serve --emulator` and by the pytest plugin (`vinyasa.testing`), so both start the
same way: migrate, bootstrap an empty database (or make a fresh token for the existing owner),
load the `--fixture` file, then serve on a socket bound beforehand (port 0: any free port) and
report `{base_url, token, admin_token}` once the server accepts requests.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from vinyasa.config import Settings

OWNER_EMAIL = "owner@example.com"


@dataclass
class Prepared:
    """A database ready to serve: the owner's token (new on every start) and what a fixture made."""

    token: str
    user: str
    fixture: dict[str, dict[str, str]] | None = None


def prepare(url: str, fixture: Path | None = None, base_url: str = "http://127.0.0.1") -> Prepared:
    """Migrate `url`, bootstrap it when empty (else a new token for its first user), load `fixture`."""
    from vinyasa.bootstrap import create_token, init
    from vinyasa.control import fixtures
    from vinyasa.db import RequestTransactions, make_engine
    from vinyasa.migrate import upgrade
    from vinyasa.models import User

    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            owner = conn.execute(select(User.gid).order_by(User.created_at, User.gid).limit(1)).scalar()
            if owner is None:
                made = init(conn, OWNER_EMAIL, "My Workspace")
                token, user = str(made["token"]), str(made["user"])
            else:
                token, user = create_token(conn, int(owner)), str(owner)
        loaded = None
        if fixture is not None:
            transactions = RequestTransactions(engine)
            try:
                loaded = fixtures.load_text(transactions, fixture.read_text(encoding="utf-8"), base_url)
            finally:
                transactions.close()
        return Prepared(token, user, loaded)
    finally:
        engine.dispose()


@dataclass
class Running:
    """An emulator serving in a background thread of this process."""

    base_url: str
    token: str
    admin_token: str
    app: Any
    server: Any
    thread: threading.Thread
    sock: socket.socket
    fixture: dict[str, dict[str, str]] | None = None

    def info(self) -> dict[str, str]:
        """What `--print-json` prints."""
        return {"base_url": self.base_url, "token": self.token, "admin_token": self.admin_token}

    def stop(self) -> None:
        """Stop serving and wait for the thread (closes the database connections)."""
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


def start(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    fixture: Path | None = None,
    timeout: float = 60.0,
) -> Running:
    """Prepare `settings.database_url` and serve it with the control plane on, in a thread; returns
    once the server accepts connections (RuntimeError if it does not within `timeout` seconds)."""
    import uvicorn

    from vinyasa.app import create_app

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    base = settings.public_url or f"http://{shown_host}:{bound}"
    try:
        prepared = prepare(settings.database_url, fixture, base)
    except BaseException:
        sock.close()
        raise
    admin = settings.admin_token or secrets.token_urlsafe(24)
    settings = settings.model_copy(update={"emulator": True, "admin_token": admin})
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        log_level="warning",
        http="vinyasa.protocol.http:NoDelayHttpToolsProtocol",
        timeout_keep_alive=settings.keep_alive_timeout,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="vinyasa-emulator", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the emulator did not start")
        time.sleep(0.01)
    return Running(base, prepared.token, admin, app, server, thread, sock, prepared.fixture)
