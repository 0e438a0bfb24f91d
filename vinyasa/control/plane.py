"""The emulator's control plane: its state, and the app class that puts faults and the recorder on
the request path.

`EmulatorApp` is the app class when `vinyasa serve --emulator` (or the test kit) turns the control
plane on; otherwise the app is a plain `AsanaApp` and nothing here runs (zero cost when off). Its
`__call__` wraps each `/api/1.0/...` request: the fault rules decide first (a faulted request never
reaches its route, so it changes nothing), then the request runs and the recorder keeps it.
Control routes (`/_vinyasa/...`) and everything else pass straight through.

The state is per process: the emulator serves from one process (`serve --emulator` refuses
`--workers` above 1).
"""

from __future__ import annotations

import asyncio
import hmac
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from vinyasa.control import queries, store
from vinyasa.control.faults import FaultBook, answer
from vinyasa.control.recorder import BODY_LIMIT, Recorder, parse_body
from vinyasa.control.template import Template
from vinyasa.core import clock, journal
from vinyasa.core.stepper import Stepper
from vinyasa.protocol.context import API_PREFIX, Runtime, TokenCache, token_digest
from vinyasa.protocol.dispatch import AsanaApp
from vinyasa.protocol.values import iso_ms

SEED_LIMIT = 1 << 25  # seeds 0 .. 2^25 - 1
_SEED_BASE = 1 << 40  # seeded gid counters start past anything a start state used
_SEED_STRIDE = 1 << 24  # 16.7 million gids per seed before the next seed's range


def seeded_position(seed: int) -> int:
    """The gid counter position a seed starts from (see `ControlPlane.seed`)."""
    return _SEED_BASE + seed * _SEED_STRIDE


@dataclass
class ControlPlane:
    """What the control plane holds for one server process.

    `admin_token` authorizes control requests; `start` is the state the server started with (what
    a reset returns to); `seed`, when set, makes the gids drawn after every reset the same sequence
    on every run and machine; `faults` and `recorder` act on API requests."""

    admin_token: str
    seed: int | None = None
    recorder_size: int = 1000
    start: store.State | None = None
    templates: dict[str, Template] = field(default_factory=dict)  # SQLite: "start", "empty" images
    faults: FaultBook = field(default_factory=FaultBook)
    recorder: Recorder = field(init=False)
    jobs_paused: bool = False
    stepper: Stepper | None = None  # `jobs/step`: the job it holds between steps

    def __post_init__(self) -> None:
        self.recorder = Recorder(self.recorder_size)

    def authorized(self, header: str | None) -> bool:
        """Whether an Authorization header carries the admin token."""
        scheme, _, token = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.admin_token.encode()
        )

    def begin(self, runtime: Runtime) -> None:
        """Remember the database's current state as the start state (at server start, after the
        bootstrap and any `--fixture`), and apply the seed."""
        with runtime.transactions.begin(write=True) as conn:
            self.start = store.capture(conn)
        for template in self.templates.values():
            template.close()
        self.templates.clear()
        image = Template.capture(runtime.engine)
        if image is not None:
            self.templates["start"] = image
        self._seed(runtime)

    def _seed(self, runtime: Runtime) -> None:
        if self.seed is not None:
            with runtime.transactions.begin(write=True) as conn:
                queries.set_gid_position(conn, seeded_position(self.seed))

    def reset(self, runtime: Runtime, to: str = "start") -> int:
        """Put the data back to the start state (`to="empty"`: only the owner and their tokens) in
        one transaction, then (a second one) apply the seed; how many rows the state holds. SQLite
        copies a database image (`vinyasa.control.template`); PostgreSQL deletes and inserts."""
        assert self.start is not None, "begin() first"
        state = self.start if to == "start" else store.owner_only(self.start)
        image = self.templates.get(to)
        if image is None and "start" in self.templates:
            image = self.templates[to] = self.templates["start"].derived(state)
        if image is not None:
            with runtime.transactions.begin(write=False) as conn:
                position = journal.last_id(conn)
            image.restore(runtime.engine)
            with runtime.transactions.begin(write=True) as conn:
                journal.continue_after(conn, position)
        else:
            with runtime.transactions.begin(write=True) as conn:
                store.restore(conn, state)
        self._seed(runtime)
        self.forget_tokens(runtime)
        return state.objects

    def stepper_for(self, runtime: Runtime) -> Stepper:
        """The stepper of `POST /_vinyasa/jobs/step` (made on first use)."""
        if self.stepper is None:
            self.stepper = Stepper(runtime.transactions)
        return self.stepper

    def release_jobs(self) -> None:
        """Hand the job `jobs/step` holds back to the runner."""
        if self.stepper is not None:
            self.stepper.release()

    def forget_tokens(self, runtime: Runtime) -> None:
        """Drop the token cache after the data changed under it (a reset, a restore)."""
        runtime.tokens = TokenCache()

    async def around(self, scope: Scope, receive: Receive, send: Send, app: AsanaApp) -> None:
        """Serve one HTTP request through `app`, with faults and recording for API requests."""
        path: str = scope["path"]
        if not path.startswith(API_PREFIX + "/"):
            await AsanaApp.__call__(app, scope, receive, send)
            return
        started = time.perf_counter()
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        relative = path[len(API_PREFIX) :]
        body, receive = await _buffered(receive)
        outcome = self.faults.decide(method, relative)
        if outcome.latency_ms:
            await asyncio.sleep(outcome.latency_ms / 1000)
        status = [0]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        if outcome.fault is not None:
            await answer(outcome.fault)(scope, receive, watch)
        else:
            await AsanaApp.__call__(app, scope, receive, watch)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.recorder.add(
            _entry(scope, app, method, relative, headers, body, status[0], started, outcome.fault)
        )


def _entry(
    scope: Scope,
    app: AsanaApp,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    status: int,
    started: float,
    fault: Any,
) -> dict[str, Any]:
    from urllib.parse import parse_qsl

    scheme, _, token = headers.get("authorization", "").partition(" ")
    token_id = user = None
    if scheme.lower() == "bearer" and token.strip():
        digest = token_digest(token.strip())
        token_id = digest[:12]
        runtime = getattr(app.state, "runtime", None)
        found = runtime.tokens.get(digest) if runtime is not None else None
        user = str(found) if found is not None else None
    query = scope.get("query_string", b"").decode("latin-1")
    return {
        "at": iso_ms(clock.now_ms()),
        "method": method,
        "path": path,
        "query": [list(pair) for pair in parse_qsl(query, keep_blank_values=True)],
        "body": parse_body(body, headers.get("content-type", "")),
        "status": status,
        "latency_ms": round((time.perf_counter() - started) * 1000, 3),
        "token_id": token_id,
        "user": user,
        "fault": fault.id if fault is not None else None,
    }


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """Read the request body up to the recorder's limit, and a `receive` that hands the app the
    same body (what was read, then the rest as it arrives: a large body is not held twice)."""
    chunks: list[bytes] = []
    size = 0
    first: list[Message] = []
    more = True
    while more and size <= BODY_LIMIT:
        message = await receive()
        if message["type"] != "http.request":
            first.append(message)  # a disconnect: the app sees it
            more = False
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": more}, *first]

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return body, replay


class EmulatorApp(AsanaApp):
    """An `AsanaApp` with the control plane on (see the module docstring)."""

    control: ControlPlane

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.control.around(scope, receive, send, self)
            return
        await super().__call__(scope, receive, send)
