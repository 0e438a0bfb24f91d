"""The `vinyasa` command: serve, init, workspace create, token create, db upgrade.

Every command migrates the database first, prints which database it used (on stderr, so `--json`
and `token create` output stay machine-readable; `serve` prints it in its banner) and reports a
user's mistake as one `error: ...` line with exit status 1, never a traceback (`VINYASA_DEBUG=1`
shows the traceback of an unexpected failure).
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from vinyasa import __version__
from vinyasa.config import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

_TYPER = {"no_args_is_help": True, "rich_markup_mode": None, "add_completion": False}
app = typer.Typer(
    help="vinyasa: a self-hosted server that speaks Asana's REST API v1.0.",
    pretty_exceptions_enable=False,
    **_TYPER,  # type: ignore[arg-type]
)
db_app = typer.Typer(help="Database schema commands.", **_TYPER)  # type: ignore[arg-type]
workspace_app = typer.Typer(help="Workspace commands.", **_TYPER)  # type: ignore[arg-type]
token_app = typer.Typer(help="Personal access token commands.", **_TYPER)  # type: ignore[arg-type]
app.add_typer(db_app, name="db")
app.add_typer(workspace_app, name="workspace")
app.add_typer(token_app, name="token")
snapshot_app = typer.Typer(help="Named snapshots of the whole state (the emulator's too).", **_TYPER)  # type: ignore[arg-type]
app.add_typer(snapshot_app, name="snapshot")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]
DEFAULT_EMAIL = "owner@example.com"
T = TypeVar("T")
_URL_HINT = "vinyasa runs on sqlite:///PATH/vinyasa.db or postgresql://USER@HOST:5432/DB"


class UserError(Exception):
    """A request the CLI cannot carry out; its message is the one line the user sees."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vinyasa {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """vinyasa: a self-hosted server that speaks Asana's REST API v1.0.

    The database is VINYASA_DATABASE_URL, by default a SQLite file in the user's data directory
    (the same whatever the current directory); every command says which one it used."""


def _database_url() -> str:
    return get_settings().database_url


def _shown_url() -> str:
    """The database URL without its password; a UserError unless it is SQLite or PostgreSQL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(_database_url())
    except ArgumentError as exc:
        raise UserError(f"VINYASA_DATABASE_URL is not a database URL ({exc}); {_URL_HINT}") from exc
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise UserError(f"VINYASA_DATABASE_URL names {url.get_backend_name()}; {_URL_HINT}")
    return url.render_as_string(hide_password=True)


def _token_command(email: str) -> str:
    """The command that makes another token, naming the database unless it is the default one."""
    from vinyasa.config import default_database_url

    env = "" if _database_url() == default_database_url() else f"VINYASA_DATABASE_URL='{_shown_url()}' "
    return f"{env}vinyasa token create --email {email}"


def _migrated_engine() -> Engine:
    """An engine on the configured database, migrated to the newest schema."""
    from vinyasa.db import make_engine
    from vinyasa.migrate import upgrade

    typer.echo(f"database: {_shown_url()}", err=True)
    engine = make_engine(_database_url())  # creates a SQLite file's directory
    try:
        upgrade(_database_url())
    except Exception:
        engine.dispose()
        raise
    return engine


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to the configured database."""
    _migrated_engine().dispose()
    typer.echo("database is up to date")


def _in_transaction(engine: Engine, work: Callable[[Connection], T]) -> T:
    from vinyasa.bootstrap import BootstrapError
    from vinyasa.errors import AsanaError

    try:
        with engine.begin() as conn:
            return work(conn)
    except BootstrapError as exc:
        raise UserError(str(exc)) from exc
    except AsanaError as exc:
        raise UserError(exc.message) from exc
    finally:
        engine.dispose()


def _owner_email(conn: Connection) -> str | None:
    """The email of the first user (the owner `init` made), if any."""
    from sqlalchemy import select

    from vinyasa.models import User

    first = select(User.email).order_by(User.created_at, User.gid).limit(1)
    email: str | None = conn.execute(first).scalar_one_or_none()
    return email


@app.command()
def init(
    email: Annotated[str, typer.Option(help="The owner's email.")] = DEFAULT_EMAIL,
    workspace: Annotated[str, typer.Option(help="The organization's name.")] = "My Workspace",
    as_json: JsonFlag = False,
) -> None:
    """On an empty database: an organization, a team, its owner and a token."""
    from vinyasa.bootstrap import init as bootstrap
    from vinyasa.users.service import user_count

    def first(conn: Connection) -> dict[str, str | None]:
        if user_count(conn):
            owner = _owner_email(conn)
            raise UserError(
                "the database already has users; `init` only runs on an empty database "
                f"(a token for its owner: {_token_command(str(owner))})"
            )
        return bootstrap(conn, email, workspace)

    created = _in_transaction(_migrated_engine(), first)
    if as_json:
        typer.echo(json.dumps(created))
    else:
        _print_welcome(created, email.strip().lower(), None)


def _print_welcome(created: dict[str, str | None], email: str, base: str | None) -> None:
    typer.echo(
        f"Owner {email} (user {created['user']}) in workspace {created['workspace']}"
        f" (team {created['team']})."
    )
    typer.echo(f"Personal access token (shown once): {created['token']}")
    typer.echo(f"Another token at any time: {_token_command(email)}")
    if base:
        _print_urls(base, str(created["token"]))


def _print_urls(base: str, token: str) -> None:
    typer.echo(f"API base URL: {base}/api/1.0")
    typer.echo(f"Interactive docs: {base}/docs (Authorize with the token)")
    typer.echo(f'Try: curl -H "Authorization: Bearer {token}" {base}/api/1.0/users/me')


@workspace_app.command("create")
def workspace_create(
    name: str,
    owner: Annotated[str, typer.Option(help="Owner's email; the user is created if unknown.")],
    no_organization: Annotated[
        bool, typer.Option("--no-organization", help="A plain workspace: no teams, no org rules.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Another workspace on an existing database."""
    from vinyasa.bootstrap import create_workspace

    if not name.strip():
        raise UserError("the workspace name must not be empty")
    created = _in_transaction(
        _migrated_engine(),
        lambda conn: create_workspace(conn, name, owner, organization=not no_organization),
    )
    if as_json:
        typer.echo(json.dumps(created))
    else:
        typer.echo(
            f"workspace {created['workspace']} owned by user {created['user']} (team {created['team']})"
        )


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user's email.")],
    as_json: JsonFlag = False,
) -> None:
    """A new personal access token for an existing user."""
    from vinyasa.bootstrap import token_for_email
    from vinyasa.users.service import user_count

    def create(conn: Connection) -> tuple[int, str]:
        if user_count(conn) == 0:
            raise UserError("the database has no users yet: run `vinyasa init` or `vinyasa serve` first")
        return token_for_email(conn, email)

    user, token = _in_transaction(_migrated_engine(), create)
    typer.echo(json.dumps({"token": token, "user": str(user)}) if as_json else token)


@app.command("seed")
def seed_command(
    file: Annotated[
        Path, typer.Argument(help="A fixture file (YAML or JSON; see vinyasa.control.fixtures).")
    ],
) -> None:
    """Load a fixture file into the database, all or nothing; prints the gids by kind and name."""
    from vinyasa.control import fixtures
    from vinyasa.db import RequestTransactions

    if not file.is_file():
        raise UserError(f"no fixture file at {file}")
    engine = _migrated_engine()
    transactions = RequestTransactions(engine)
    try:
        made = fixtures.load_text(
            transactions, file.read_text(encoding="utf-8"), get_settings().public_url or ""
        )
    except fixtures.FixtureError as exc:
        raise UserError(f"{file}: {exc.message}") from exc
    finally:
        transactions.close()
        engine.dispose()
    typer.echo(json.dumps(made))


@snapshot_app.command("save")
def snapshot_save(name: str) -> None:
    """Save the whole state as snapshot NAME (replacing one of that name)."""
    from vinyasa.control import store

    typer.echo(json.dumps(_in_transaction(_migrated_engine(), lambda conn: store.save(conn, name))))


@snapshot_app.command("restore")
def snapshot_restore(name: str) -> None:
    """Replace the whole state by snapshot NAME (a running server's token cache catches up within 5 s)."""
    from vinyasa.control import store

    def work(conn: Connection) -> int:
        state = store.load(conn, name)
        store.restore(conn, state)
        return state.objects

    objects = _in_transaction(_migrated_engine(), work)
    typer.echo(json.dumps({"name": name, "objects": objects}))


@snapshot_app.command("list")
def snapshot_list() -> None:
    """The saved snapshots, one JSON object per line."""
    from vinyasa.control import store

    for snapshot in _in_transaction(_migrated_engine(), store.listing):
        typer.echo(json.dumps(snapshot))


class EventLoop(StrEnum):
    """Event loops `serve` can run on."""

    asyncio = "asyncio"
    uvloop = "uvloop"


def _check_port(host: str, port: int) -> None:
    """Fail early, before any banner, when the address cannot be bound (as uvicorn would bind it)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UserError(f"cannot listen on {host}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = (
                "is already in use" if exc.errno in (98, 48, 10048) else f"cannot be used ({exc.strerror})"
            )
            raise UserError(f"port {port} on {host} {reason}: choose another with --port") from exc


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="TCP port (0: any free port; with --emulator).", min=0, max=65535)
    ] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request.")] = False,
    loop: Annotated[
        EventLoop,
        typer.Option(
            help="Event loop: asyncio serves queued requests in arrival order (see docs/performance.md)."
        ),
    ] = EventLoop.asyncio,
    header_timeout: Annotated[
        float | None,
        typer.Option(help="Seconds to receive a request's headers (default 10)."),
    ] = None,
    body_timeout: Annotated[
        float | None, typer.Option(help="Seconds to receive a request's body (default 60).")
    ] = None,
    keep_alive_timeout: Annotated[
        int | None,
        typer.Option(help="Seconds an idle connection stays open (default 5)."),
    ] = None,
    max_header_bytes: Annotated[
        int | None, typer.Option(help="Largest request line + headers (default 65536).")
    ] = None,
    emulator: Annotated[
        bool, typer.Option("--emulator", help="Turn the control plane on (/_vinyasa/, admin token printed).")
    ] = False,
    fixture: Annotated[
        Path | None, typer.Option(help="With --emulator: a fixture file (YAML/JSON) to load before serving.")
    ] = None,
    print_json: Annotated[
        bool,
        typer.Option(
            "--print-json", help="With --emulator: print {base_url, token, admin_token} when ready."
        ),
    ] = False,
    seed: Annotated[
        int | None, typer.Option(help="With --emulator: gids drawn after start and resets follow this seed.")
    ] = None,
) -> None:
    """Apply migrations, bootstrap an empty database (printing a token), then serve.

    Connection limits given here reach every worker through their VINYASA_* variables."""
    import uvicorn

    limits = {
        "VINYASA_HEADER_TIMEOUT": header_timeout,
        "VINYASA_BODY_TIMEOUT": body_timeout,
        "VINYASA_KEEP_ALIVE_TIMEOUT": keep_alive_timeout,
        "VINYASA_MAX_HEADER_BYTES": max_header_bytes,
    }
    os.environ.update({name: str(value) for name, value in limits.items() if value is not None})
    get_settings.cache_clear()
    settings = get_settings()
    if emulator:
        _serve_emulator(settings, host, port, workers, fixture, print_json, seed)
        return
    if fixture is not None or print_json or seed is not None or port == 0:
        raise UserError("--fixture, --print-json, --seed and --port 0 go with --emulator")

    from vinyasa.bootstrap import init as bootstrap
    from vinyasa.users.service import user_count

    _check_port(host, port)
    engine = _migrated_engine()
    base = settings.public_url or f"http://{host}:{port}"

    def first_start(conn: Connection) -> tuple[dict[str, str | None] | None, str | None]:
        if user_count(conn) == 0:
            return bootstrap(conn, DEFAULT_EMAIL, "My Workspace"), DEFAULT_EMAIL
        return None, _owner_email(conn)

    created, owner = _in_transaction(engine, first_start)
    if created is not None:
        _print_welcome(created, DEFAULT_EMAIL, base)
    else:
        typer.echo(f"Get a token: export TOKEN=$({_token_command(owner or 'EMAIL')})")
        _print_urls(base, "$TOKEN")
    typer.echo(f"vinyasa serving {base}/api/1.0 (database {_shown_url()})")
    sys.stdout.flush()
    uvicorn.run(
        "vinyasa.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="warning",
        loop=loop.value,
        http="vinyasa.protocol.http:NoDelayHttpToolsProtocol",
        timeout_keep_alive=settings.keep_alive_timeout,
    )


def _serve_emulator(
    settings: Settings,
    host: str,
    port: int,
    workers: int,
    fixture: Path | None,
    print_json: bool,
    seed: int | None,
) -> None:
    """`serve --emulator`: one process, control plane on; banner (or one JSON line) once ready."""
    import time

    from vinyasa.control import fixtures
    from vinyasa.control.plane import SEED_LIMIT
    from vinyasa.control.server import start

    if workers != 1:
        raise UserError("--emulator serves from one process: its clock, faults and recorder live there")
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        raise UserError(f"--seed must be between 0 and {SEED_LIMIT - 1}")
    if fixture is not None and not fixture.is_file():
        raise UserError(f"no fixture file at {fixture}")
    if port:
        _check_port(host, port)
    typer.echo(f"database: {_shown_url()}", err=True)
    settings = settings.model_copy(update={"gid_seed": seed if seed is not None else settings.gid_seed})
    try:
        running = start(settings, host=host, port=port, fixture=fixture)
    except fixtures.FixtureError as exc:
        raise UserError(f"{fixture}: {exc.message}") from exc
    if print_json:
        typer.echo(json.dumps(running.info()))
    else:
        typer.echo(f"vinyasa emulator serving {running.base_url}/api/1.0 (database {_shown_url()})")
        typer.echo(f"Personal access token: {running.token}")
        typer.echo(f"Admin token (control plane at {running.base_url}/_vinyasa/): {running.admin_token}")
    sys.stdout.flush()
    try:
        while running.thread.is_alive():
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


def main() -> None:
    """The console script: the Typer app, with every failure as one line on stderr (exit status 1)."""
    try:
        app()
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("VINYASA_DEBUG"):
            raise
        try:
            message = _describe(exc)
        except UserError as unusable:
            message = str(unusable)
        typer.echo(f"error: {message}", err=True)
        sys.exit(1)


def _describe(exc: Exception) -> str:
    """One line for an unexpected failure: the database's own message where there is one."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        detail = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        return f"database {_shown_url()}: {detail}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
