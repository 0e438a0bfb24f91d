"""The control plane's routes under `/_vinyasa/` (outside Asana's `/api/1.0`), admin token only.

Installed only when the control plane is on (`install`); when off, every one of these paths is an
unknown route: 404 in Asana's envelope. Bodies are `{"data": {...}}` JSON like Asana's (the
fixture upload takes the file itself); answers are `{"data": ...}`; errors Asana's envelope
(401 without the admin token, 400 naming a bad field, 404 for an unknown snapshot or fault).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from vinyasa.config import get_settings
from vinyasa.control import fixtures, store
from vinyasa.control.faults import FaultSpec
from vinyasa.control.plane import SEED_LIMIT, ControlPlane, EmulatorApp
from vinyasa.core import clock, journal
from vinyasa.core.unit import unit_of_work
from vinyasa.errors import InvalidRequest, NotAuthorized, NotFound
from vinyasa.protocol.body import parse_body, validate
from vinyasa.protocol.context import JSON, Runtime, _base_url
from vinyasa.protocol.values import iso_ms, parse_datetime_ms
from vinyasa.users import favorites
from vinyasa.users import fields as user_fields
from vinyasa.users.service import find_user

PREFIX = "/_vinyasa"
TAG = "Emulator control"
TAG_DESCRIPTION = (
    "vinyasa's emulator control plane (on with `vinyasa serve --emulator`; a 404 otherwise): reset, "
    "fixtures, snapshots, the clock, faults and the request recorder. Authorize with the admin token "
    "`vinyasa serve --emulator` printed."
)


def _control(request: Request) -> ControlPlane:
    app = request.app
    assert isinstance(app, EmulatorApp)
    if not app.control.authorized(request.headers.get("authorization")):
        raise NotAuthorized("Not Authorized")
    return app.control


Control = Annotated[ControlPlane, Depends(_control)]
router = APIRouter(prefix=PREFIX, tags=[TAG])


def _ok(value: Any, status: int = 200) -> Response:
    import orjson

    return Response(orjson.dumps({"data": value}), status, media_type=JSON)


async def _body(request: Request, model: type[BaseModel]) -> Any:
    payload = parse_body(await request.body(), request.headers.get("content-type", ""))
    return validate(model, payload.data)


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


class ResetBody(BaseModel):
    """`to`: `start` (the state the server started with) or `empty` (no data but the owner and the
    printed token); `seed`: gids drawn afterwards follow this seed's sequence (kept for later resets)."""

    model_config = ConfigDict(extra="forbid")
    to: Literal["start", "empty"] = "start"
    seed: int | None = Field(default=None, ge=0, lt=SEED_LIMIT)


@router.post("/reset", summary="Reset the data, the clock, faults and the recorder")
async def reset(request: Request, control: Control) -> Response:
    """Back to the start state (or `empty`) in one transaction; the clock follows the system time
    again, fault rules and recorded requests are dropped. The printed tokens stay valid.
    Answers `{"data": {"to", "seed", "objects"}}`."""
    body: ResetBody = await _body(request, ResetBody)
    runtime = _runtime(request)
    if body.seed is not None:
        control.seed = body.seed

    await run_in_threadpool(control.release_jobs)
    objects = await run_in_threadpool(control.reset, runtime, body.to)
    _pause(request, control, False)
    clock.reset()
    control.faults.clear()
    control.recorder.clear()
    return _ok({"to": body.to, "seed": control.seed, "objects": objects})


@router.post("/fixtures", summary="Load a fixture file (YAML or JSON)")
async def load_fixture(request: Request, control: Control) -> Response:
    """The body is the fixture file itself (see `vinyasa.control.fixtures`). All or nothing: a bad
    file is a 400 naming its line and changes nothing. Answers `{"data": {name: gid}}` for every
    named object (201)."""
    raw = await request.body()
    runtime = _runtime(request)
    base = runtime.public_url or _base_url(request)
    created = await run_in_threadpool(
        fixtures.load_text, runtime.transactions, raw.decode("utf-8", "replace"), base
    )
    control.forget_tokens(runtime)
    return _ok(created, 201)


class SnapshotBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=store.SNAPSHOT_NAME_LIMIT)


@router.get("/snapshots", summary="List saved snapshots")
async def list_snapshots(request: Request, control: Control) -> Response:
    """`{"data": [{"name", "created_at", "objects"}]}`, by name."""
    runtime = _runtime(request)

    def work() -> list[dict[str, Any]]:
        with runtime.transactions.begin(write=False) as conn:
            return store.listing(conn)

    return _ok(await run_in_threadpool(work))


@router.post("/snapshots", summary="Save the whole state under a name")
async def save_snapshot(request: Request, control: Control) -> Response:
    """Saves every table and the gid counter as snapshot `name` (replacing one of that name); 201
    with `{"data": {"name", "created_at", "objects"}}`."""
    body: SnapshotBody = await _body(request, SnapshotBody)
    runtime = _runtime(request)

    def work() -> dict[str, Any]:
        with runtime.transactions.begin(write=True) as conn:
            return store.save(conn, body.name)

    return _ok(await run_in_threadpool(work), 201)


@router.post("/snapshots/{name}/restore", summary="Restore a saved snapshot")
async def restore_snapshot(name: str, request: Request, control: Control) -> Response:
    """Replaces the whole state by snapshot `name` (404 when unknown; nothing changes then)."""
    runtime = _runtime(request)

    def work() -> dict[str, Any]:
        with runtime.transactions.begin(write=True) as conn:
            state = store.load(conn, name)
            store.restore(conn, state)
            return {"name": name, "objects": state.objects}

    restored = await run_in_threadpool(work)
    control.forget_tokens(runtime)
    return _ok(restored)


@router.delete("/snapshots/{name}", summary="Delete a saved snapshot")
async def delete_snapshot(name: str, request: Request, control: Control) -> Response:
    """`{"data": {}}`; 404 when there is no such snapshot."""
    runtime = _runtime(request)

    def work() -> None:
        with runtime.transactions.begin(write=True) as conn:
            store.drop(conn, name)

    await run_in_threadpool(work)
    return _ok({})


def _clock_view(state: clock.ClockState) -> dict[str, Any]:
    return {
        "now": iso_ms(state.now_ms),
        "now_ms": state.now_ms,
        "frozen": state.frozen,
        "offset_ms": state.offset_ms,
    }


class ClockBody(BaseModel):
    """`at`: an ISO 8601 instant (freeze at it, or set the clock to it). For advance: any of `ms`,
    `seconds`, `minutes`, `hours`, `days` (added up; negative moves back; finite numbers)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    at: str | None = None
    ms: int = 0
    seconds: float = 0
    minutes: float = 0
    hours: float = 0
    days: float = 0

    def advance_ms(self) -> tuple[int, str]:
        """The duration in ms, and the field that gives most of it (what a refusal names); 400
        when no clock could move so far and stay within years 0001-9999."""
        parts = {
            "days": 86_400_000 * self.days,
            "hours": 3_600_000 * self.hours,
            "minutes": 60_000 * self.minutes,
            "seconds": 1000 * self.seconds,
            "ms": float(self.ms),
        }
        largest = max(parts, key=lambda name: abs(parts[name]))
        fraction = sum(parts.values()) - parts["ms"]
        span = clock.MAX_MS - clock.MIN_MS
        if abs(fraction) > span or abs(self.ms) > span:
            raise _outside(largest)
        return self.ms + round(fraction), largest


def _outside(field: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: Would move the clock outside years 0001-9999")


@router.get("/clock", summary="Read the clock")
async def read_clock(control: Control) -> Response:
    """`{"data": {"now", "now_ms", "frozen", "offset_ms"}}`."""
    return _ok(_clock_view(clock.state()))


@router.post("/clock/{action}", summary="Freeze, resume, set or advance the clock")
async def move_clock(action: str, request: Request, control: Control) -> Response:
    """`freeze` (at `at`, or now), `resume`, `set` (`at` required) or `advance` (by the duration
    fields). Every timestamp vinyasa writes reads this clock; moving it also expires journal
    entries older than the retention (old sync tokens then get 412). Answers the clock's state."""
    body: ClockBody = await _body(request, ClockBody)
    at = parse_datetime_ms("at", body.at) if body.at is not None else None
    if action == "freeze":
        state = clock.freeze(at)
    elif action == "resume":
        state = clock.resume()
    elif action == "set":
        if at is None:
            raise InvalidRequest("at: Missing input")
        state = clock.set_ms(at)
    elif action == "advance":
        by, largest = body.advance_ms()
        try:
            state = clock.advance(by)
        except ValueError:
            raise _outside(largest) from None
    else:
        raise NotFound("No matching route for request")
    runtime = _runtime(request)

    def expire() -> None:
        horizon = clock.now_ms() - int(get_settings().journal_retention_hours * 3_600_000)
        with runtime.transactions.begin(write=True) as conn:
            journal.prune(conn, horizon)

    await run_in_threadpool(expire)
    return _ok(_clock_view(state))


@router.get("/faults", summary="List fault rules")
async def list_faults(control: Control) -> Response:
    """Every rule with its counters: `seen` (matching requests), `fired`, `remaining`."""
    return _ok([f.view() for f in control.faults.faults])


@router.post("/faults", summary="Add a fault rule")
async def add_fault(request: Request, control: Control) -> Response:
    """A rule (`vinyasa.control.faults`): `method`, `path` pattern (relative to /api/1.0; `*` one
    segment, `**` the rest), `status` (429 adds `Retry-After: retry_after`; 5xx a `phrase`),
    `latency_ms`, `times`, `every`, `message`. 201 with the rule and its `id`."""
    spec: FaultSpec = await _body(request, FaultSpec)
    return _ok(control.faults.add(spec).view(), 201)


@router.delete("/faults", summary="Remove every fault rule")
async def clear_faults(control: Control) -> Response:
    control.faults.clear()
    return _ok({})


@router.delete("/faults/{fault_id}", summary="Remove one fault rule")
async def remove_fault(fault_id: str, control: Control) -> Response:
    if not control.faults.remove(fault_id):
        raise NotFound(f"Unknown fault: {fault_id[:32]}")
    return _ok({})


@router.get("/requests", summary="The recorded API requests")
async def recorded(
    control: Control,
    method: str | None = None,
    path: str | None = None,
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
    token: str | None = None,
    limit: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """The last requests (oldest first), filtered by exact `method`, `path` prefix (relative to
    /api/1.0), `status`, `token` (the token itself) and cut to the newest `limit`. Each: `seq`,
    `at`, `method`, `path`, `query`, `body`, `status`, `latency_ms`, `token_id`, `user`, `fault`."""
    from vinyasa.protocol.context import token_digest

    token_id = token_digest(token)[:12] if token else None
    found = control.recorder.select(method=method, path=path, status=status, token_id=token_id, limit=limit)
    return _ok(found)


@router.delete("/requests", summary="Forget the recorded requests")
async def forget_requests(control: Control) -> Response:
    control.recorder.clear()
    return _ok({})


def _pause(request: Request, control: ControlPlane, paused: bool) -> bool:
    """Pause or resume the lifespan's runner (there is none over bare ASGI); the new state."""
    control.jobs_paused = paused
    runner = getattr(request.app.state, "runner", None)
    if runner is not None:
        (runner.pause if paused else runner.resume)()
    return paused


@router.get("/jobs", summary="The background runner's state")
async def jobs_state(request: Request, control: Control) -> Response:
    """`{"data": {"paused", "held"}}`: whether the runner is paused, and the job `jobs/step` holds."""
    held = control.stepper.run if control.stepper is not None else None
    return _ok({"paused": control.jobs_paused, "held": str(held.gid) if held is not None else None})


@router.post("/jobs/pause", summary="Pause the background runner")
async def pause_jobs(request: Request, control: Control) -> Response:
    """The runner claims no job and hands back the one under way after its current step, so jobs
    stay `not_started` or `in_progress` until `jobs/step` or `jobs/resume`."""
    return _ok({"paused": _pause(request, control, True)})


@router.post("/jobs/resume", summary="Resume the background runner")
async def resume_jobs(request: Request, control: Control) -> Response:
    """The runner claims jobs again, the one `jobs/step` held included."""
    await run_in_threadpool(control.release_jobs)
    return _ok({"paused": _pause(request, control, False)})


@router.post("/jobs/step", summary="Run one step of one job")
async def step_job(request: Request, control: Control) -> Response:
    """One step of the job held since the last call, or of the most overdue due job; answers
    `{"data": {"gid", "kind", "status"}}` after it (`status` `in_progress` while steps remain), or
    `{"data": null}` when no job is due. Pause the runner first, or it may take the jobs."""
    runtime = _runtime(request)
    stepper = control.stepper_for(runtime)
    return _ok(await run_in_threadpool(stepper.step, runtime.rich_text_strict))


class FavoriteBody(BaseModel):
    """A change to a user's favorites: `resource` (a gid of a project, task, portfolio, tag, user or
    project template), `action` `add` (at the end, or `insert_before`/`insert_after` another
    favorite of the same list; an existing favorite moves) or `remove`; `workspace` for a user."""

    model_config = ConfigDict(extra="forbid")
    resource: str
    action: Literal["add", "remove"] = "add"
    workspace: str | None = None
    insert_before: str | None = None
    insert_after: str | None = None


@router.post("/users/{user_gid}/favorites", summary="Add, move or remove a user's favorite")
async def change_favorite(user_gid: str, request: Request, control: Control) -> Response:
    """Asana sets favorites only in its web app; this sets what `GET /users/{gid}/favorites`
    lists (vinyasa.users.favorites). The user is a gid or an email (404 if unknown); a bad body is
    a 400 naming its field. Answers `{"data": [gid, ...]}`: the changed list in order."""
    body: FavoriteBody = await _body(request, FavoriteBody)
    runtime = _runtime(request)

    def work() -> list[str]:
        with unit_of_work(runtime.transactions, 0, runtime.public_url or _base_url(request)) as caller:
            user = find_user(caller.conn, user_gid)
            if user is None:
                raise NotFound(f"Unknown user: {user_gid[:64]}")
            return favorites.change(
                caller.conn,
                user,
                body.resource,
                remove=body.action == "remove",
                workspace=body.workspace,
                before=body.insert_before,
                after=body.insert_after,
            )

    return _ok(await run_in_threadpool(work))


class UserFieldBody(BaseModel):
    """`custom_field`: a field of the workspace to give its members (`add`) or take back (`remove`)."""

    model_config = ConfigDict(extra="forbid")
    custom_field: str
    action: Literal["add", "remove"] = "add"


@router.post(
    "/workspaces/{workspace_gid}/user_custom_fields", summary="Give a workspace's users a custom field"
)
async def change_user_field(workspace_gid: str, request: Request, control: Control) -> Response:
    """Asana sets users' custom fields ("profile fields") in its admin console; this decides which
    fields the workspace's members carry in `custom_fields` and can set with `PUT /users/{gid}`
    (vinyasa.users.fields). Answers `{"data": [field gid, ...]}`: the workspace's user fields in
    order; 400 naming a bad field."""
    body: UserFieldBody = await _body(request, UserFieldBody)
    runtime = _runtime(request)

    def work() -> list[str]:
        with unit_of_work(runtime.transactions, 0, runtime.public_url or _base_url(request)) as caller:
            return user_fields.change_setting(
                caller, workspace_gid, body.custom_field, remove=body.action == "remove"
            )

    return _ok(await run_in_threadpool(work))


@router.get("/status", summary="What the control plane holds")
async def status(control: Control) -> Response:
    """`{"data": {"clock", "seed", "faults", "recorded", "start_objects"}}`."""
    return _ok(
        {
            "clock": _clock_view(clock.state()),
            "seed": control.seed,
            "faults": len(control.faults.faults),
            "recorded": len(control.recorder.entries),
            "start_objects": control.start.objects if control.start else 0,
            "jobs_paused": control.jobs_paused,
        }
    )


_BODIES: dict[str, type[BaseModel]] = {
    "reset": ResetBody,
    "save_snapshot": SnapshotBody,
    "move_clock": ClockBody,
    "add_fault": FaultSpec,
    "change_favorite": FavoriteBody,
    "change_user_field": UserFieldBody,
}


def openapi() -> tuple[dict[str, Any], dict[str, Any]]:
    """The control routes' OpenAPI paths (served from the root, admin token) and their tag."""
    from fastapi.openapi.utils import get_openapi

    document = get_openapi(title="vinyasa control", version="1", routes=router.routes)
    paths: dict[str, Any] = {}
    for path, item in document["paths"].items():
        for operation in item.values():
            operation["responses"].pop("422", None)
            operation["responses"].setdefault("401", {"description": "Not the admin token."})
            operation["tags"] = [TAG]
            name = operation["operationId"].split("_vinyasa")[0].rstrip("_")
            operation["operationId"] = "vinyasa_" + name
            model = next((m for key, m in _BODIES.items() if name == key), None)
            if model is not None:
                schema = {"type": "object", "properties": {"data": model.model_json_schema()}}
                operation["requestBody"] = {"content": {"application/json": {"schema": schema}}}
            if name == "load_fixture":
                operation["requestBody"] = {
                    "content": {"application/x-yaml": {"schema": {"type": "string"}}},
                    "description": "The fixture file (YAML or JSON).",
                }
        paths[path] = {"servers": [{"url": "/", "description": "the emulator's control plane"}], **item}
    return paths, {"name": TAG, "description": TAG_DESCRIPTION}


def install(app: FastAPI) -> None:
    """Add the control routes to an app (before its route table is sealed) and to its /docs."""
    app.router.routes.extend(router.routes)
    app.state.control_openapi = openapi
