"""The application factory; the lifespan owns the engine. Nothing happens at import time."""

from __future__ import annotations

import asyncio
import gc
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter
from sqlalchemy import select
from starlette.responses import Response

from vinyasa import __version__
from vinyasa.config import Settings, get_settings
from vinyasa.core.runner import Runner
from vinyasa.core.runner_process import RunnerProcess, configured
from vinyasa.custom_fields.routes import router as custom_fields_router
from vinyasa.custom_fields.routes import settings_router as custom_field_settings_router
from vinyasa.custom_fields.routes import tasks_router as custom_id_router
from vinyasa.db import make_engine
from vinyasa.dependencies.routes import router as dependencies_router
from vinyasa.errors import install_error_handlers
from vinyasa.events.routes import router as events_router
from vinyasa.jobs.routes import router as jobs_router
from vinyasa.jobs.template_routes import router as project_templates_router
from vinyasa.memberships.routes import router as memberships_router
from vinyasa.models import Meta
from vinyasa.portfolios.routes import router as portfolios_router
from vinyasa.projects.membership_routes import router as project_memberships_router
from vinyasa.projects.routes import router as projects_router
from vinyasa.protocol.context import Runtime
from vinyasa.protocol.dispatch import AsanaApp
from vinyasa.protocol.pagination import OffsetCodec
from vinyasa.protocol.ratelimit import RateLimiter
from vinyasa.rules.routes import own as rules_own_router
from vinyasa.rules.routes import router as rules_router
from vinyasa.search.routes import router as search_router
from vinyasa.sections.routes import router as sections_router
from vinyasa.spec.docs import install_docs
from vinyasa.statuses.brief_routes import router as project_briefs_router
from vinyasa.statuses.routes import router as statuses_router
from vinyasa.tags.routes import router as tags_router
from vinyasa.tasks.list_routes import router as task_lists_router
from vinyasa.tasks.routes import router as tasks_router
from vinyasa.teams.routes import router as teams_router
from vinyasa.user_task_lists.routes import router as user_task_lists_router
from vinyasa.users.routes import router as users_router
from vinyasa.webhooks.log_routes import router as webhook_log_router
from vinyasa.webhooks.routes import create_router as webhook_create_router
from vinyasa.webhooks.routes import router as webhooks_router
from vinyasa.webhooks.worker import Deliverer, DeliveryProcess
from vinyasa.workspaces.routes import router as workspaces_router

ROUTERS: tuple[APIRouter, ...] = (
    users_router,
    user_task_lists_router,
    workspaces_router,
    teams_router,
    projects_router,
    project_memberships_router,
    memberships_router,
    sections_router,
    tasks_router,
    task_lists_router,
    statuses_router,
    project_briefs_router,
    events_router,
    custom_fields_router,
    custom_field_settings_router,
    custom_id_router,
    jobs_router,
    project_templates_router,
    portfolios_router,
    webhook_create_router,
    webhooks_router,
    webhook_log_router,
    rules_router,
    rules_own_router,
    search_router,
    dependencies_router,
    tags_router,
)


class NotMigrated(RuntimeError):
    """The database has no schema yet: run `vinyasa db upgrade` (or `vinyasa serve`)."""


def build_runtime(settings: Settings) -> Runtime:
    """Open the engine and read the server secret the first migration stored."""
    engine = make_engine(
        settings.database_url, busy_timeout=settings.sqlite_busy_timeout, background_checkpoints=True
    )
    try:
        with engine.connect() as conn:
            secret = conn.execute(select(Meta.value).where(Meta.key == "offset_secret")).scalar_one_or_none()
    except Exception as exc:
        engine.dispose()
        raise NotMigrated(
            f"cannot read the database schema at {engine.url!r}: run `vinyasa db upgrade`"
        ) from exc
    if secret is None:
        engine.dispose()
        raise NotMigrated("the database is not migrated: run `vinyasa db upgrade`")
    limiter = RateLimiter(settings.rate_limit_per_minute) if settings.rate_limit_per_minute > 0 else None
    return Runtime(
        engine=engine,
        codec=OffsetCodec(bytes.fromhex(secret)),
        max_body_bytes=settings.max_body_bytes,
        public_url=settings.public_url.rstrip("/") if settings.public_url else None,
        limiter=limiter,
        rich_text_strict=settings.rich_text == "strict",
        busy_timeout=settings.sqlite_busy_timeout,
    )


def create_app(settings: Settings | None = None) -> AsanaApp:
    """A vinyasa ASGI app for the given settings (environment settings by default)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: AsanaApp) -> AsyncIterator[None]:
        previous = getattr(app.state, "runtime", None)
        if previous is not None:  # an app started twice (tests): the old runtime's connections go
            previous.close()
        app.state.runtime = build_runtime(settings)
        if control is not None:
            control.begin(app.state.runtime)  # the start state a reset returns to
        # Everything loaded so far lives as long as the process: keep it out of the cyclic GC's
        # generations so full collections stay short (they showed up as p99 spikes).
        gc.collect()
        gc.freeze()
        # Every server process runs the durable background work (vinyasa.core.runner), in a child
        # process unless the emulator's control plane needs it here.
        runner: Runner | RunnerProcess
        if settings.job_runner == "process" and not settings.emulator:
            runner = RunnerProcess(settings)
        else:
            runner = app.state.runner = configured(app.state.runtime.transactions, settings)
        if isinstance(runner, Runner):
            runner.start()
        else:
            await asyncio.to_thread(runner.start)
        deliverer: Deliverer | DeliveryProcess | None = None  # vinyasa.webhooks.worker
        if settings.webhook_delivery == "process":
            deliverer = DeliveryProcess(settings)
        elif settings.webhook_delivery == "thread":
            deliverer = Deliverer(app.state.runtime.engine, settings)
        if deliverer is not None:
            deliverer.start()
            app.state.runtime.transactions.on_journal = deliverer.wake  # commits wake it at once
        try:
            yield
        finally:
            if deliverer is not None:
                app.state.runtime.transactions.on_journal = None
                await asyncio.to_thread(deliverer.stop)
            if isinstance(runner, Runner):
                await runner.stop()
            else:
                await asyncio.to_thread(runner.stop)
            app.state.runtime.close()

    control = None
    app_class: type[AsanaApp] = AsanaApp
    if settings.emulator:  # the control plane (vinyasa.control): only imported when on
        from vinyasa.control.plane import ControlPlane, EmulatorApp

        control = ControlPlane(
            settings.admin_token or secrets.token_urlsafe(24),
            seed=settings.gid_seed,
            recorder_size=settings.recorder_size,
        )
        app_class = EmulatorApp

    app = app_class(
        title="vinyasa",
        version=__version__,
        description="A self-hosted server that speaks Asana's REST API v1.0.",
        lifespan=lifespan,
        openapi_url=None,  # vinyasa/spec/docs.py serves Asana's operations instead of FastAPI's guess
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings  # read by routes that need more than the runtime (webhooks)
    install_error_handlers(app)
    # The routes go straight into the app's own list (their paths already carry /api/1.0): FastAPI's
    # include_router wraps each router in a lazily resolved layer that costs ~50 us per request.
    for router in ROUTERS:
        app.router.routes.extend(router.routes)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    if control is not None:
        from vinyasa.control import routes as control_routes

        assert isinstance(app, EmulatorApp)
        app.control = control
        control_routes.install(app)
    install_docs(app)
    app.seal_routes()
    return app
