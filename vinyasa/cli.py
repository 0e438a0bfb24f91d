"""The `vinyasa` command: serve, init, workspace create, token create, db upgrade."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from vinyasa.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(
    help="vinyasa: a self-hosted server that speaks Asana's REST API v1.0.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
workspace_app = typer.Typer(help="Workspace commands.", no_args_is_help=True)
token_app = typer.Typer(help="Personal access token commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(workspace_app, name="workspace")
app.add_typer(token_app, name="token")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]


def _database_url() -> str:
    return get_settings().database_url


def _engine() -> Engine:
    from vinyasa.db import make_engine

    return make_engine(_database_url())


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to the configured database."""
    from vinyasa.migrate import upgrade

    upgrade(_database_url())
    typer.echo("database is up to date")


def _run_init(email: str, workspace: str) -> dict[str, str | None]:
    from vinyasa.bootstrap import BootstrapError, init

    engine = _engine()
    try:
        with engine.begin() as conn:
            return init(conn, email, workspace)
    except BootstrapError as exc:
        _fail(str(exc))
        raise  # unreachable
    finally:
        engine.dispose()


@app.command()
def init(
    email: Annotated[str, typer.Option(help="The owner's email.")] = "owner@example.com",
    workspace: Annotated[str, typer.Option(help="The organization's name.")] = "My Workspace",
    as_json: JsonFlag = False,
) -> None:
    """On an empty database: an organization, a team, its owner and a token."""
    from vinyasa.migrate import upgrade

    upgrade(_database_url())
    created = _run_init(email, workspace)
    if as_json:
        typer.echo(json.dumps(created))
    else:
        _print_welcome(created, None)


def _print_welcome(created: dict[str, str | None], base: str | None) -> None:
    typer.echo(f"Owner user {created['user']} in workspace {created['workspace']} (team {created['team']}).")
    typer.echo(f"Personal access token (shown once): {created['token']}")
    if base:
        typer.echo(f"API base URL: {base}/api/1.0")
        typer.echo(f"Try: curl -H 'Authorization: Bearer {created['token']}' {base}/api/1.0/users/me")


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

    engine = _engine()
    with engine.begin() as conn:
        created = create_workspace(conn, name, owner, organization=not no_organization)
    engine.dispose()
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
    from vinyasa.bootstrap import BootstrapError, token_for_email

    engine = _engine()
    try:
        with engine.begin() as conn:
            user, token = token_for_email(conn, email)
    except BootstrapError as exc:
        _fail(str(exc))
        return
    finally:
        engine.dispose()
    typer.echo(json.dumps({"token": token, "user": str(user)}) if as_json else token)


class EventLoop(StrEnum):
    """Event loops `serve` can run on."""

    asyncio = "asyncio"
    uvloop = "uvloop"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
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

    from vinyasa.bootstrap import BootstrapError
    from vinyasa.migrate import upgrade
    from vinyasa.users.service import user_count

    upgrade(_database_url())
    engine = _engine()
    with engine.connect() as conn:
        empty = user_count(conn) == 0
    engine.dispose()
    base = settings.public_url or f"http://{host}:{port}"
    if empty:
        try:
            _print_welcome(_run_init("owner@example.com", "My Workspace"), base)
        except BootstrapError:
            pass
    typer.echo(f"vinyasa serving {base}/api/1.0 (database {_database_url()})")
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
