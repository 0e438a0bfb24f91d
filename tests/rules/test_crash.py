"""`kill -9` of a real `vinyasa serve` while it runs a rule on many tasks, then a restart: no
triggered run is lost and none runs twice (each firing's actions, its run record and the job's
progress commit together)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import make_engine_for
from tests.live import crashable, kill_when, poll
from vinyasa.core.unit import unit_of_work
from vinyasa.db import RequestTransactions
from vinyasa.rules import engine as rules_engine
from vinyasa.tasks import service
from vinyasa.tasks.schemas import TaskFields

TASKS = 1500
assert rules_engine.RUNS == "rule_runs"  # imported: its flush hook enqueues the runs below


def _add_tasks(url: str, project: str, user: str) -> None:
    """TASKS tasks added to the project in one transaction, through the task service (so the
    journal flush enqueues the rule's runs, as a request's would)."""
    engine = make_engine_for(url)
    transactions = RequestTransactions(engine)
    try:
        with unit_of_work(transactions, int(user), "http://127.0.0.1") as caller:
            for i in range(TASKS):
                service.create_task(
                    caller, TaskFields.model_validate({"name": f"T{i}", "projects": [project]})
                )
    finally:
        transactions.close()
        engine.dispose()


def _state(url: str) -> dict[str, int | str]:
    engine = make_engine_for(url)
    try:
        with engine.connect() as conn:
            job = conn.execute(text("SELECT status, progress FROM jobs WHERE kind = 'rule_runs'")).one()
            runs = conn.execute(text("SELECT count(*), count(DISTINCT task_gid) FROM rule_runs")).one()
            due = conn.execute(text("SELECT count(*) FROM tasks WHERE due_on = '2030-06-06'")).scalar_one()
    finally:
        engine.dispose()
    done = json.loads(job[1] or "{}").get("next", 0)
    return {"status": job[0], "next": done, "runs": runs[0], "distinct": runs[1], "due": due}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_mid_rule_runs_then_restart(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    live = crashable(request, backend, tmp_path)
    url, made = live.url, live.made
    with live.serve("first.log") as proc:
        with httpx.Client(base_url=f"http://127.0.0.1:{live.port}", headers=live.headers, timeout=30) as http:
            body = {"data": {"name": "Rules", "workspace": made["workspace"], "team": made["team"]}}
            project = http.post("/api/1.0/projects", json=body).json()["data"]["gid"]
            rule = {
                "name": "Due soon",
                "trigger": {"type": "task_added_to_project"},
                "actions": [{"type": "set_due_date", "due_on": "2030-06-06"}],
            }
            made_rule = http.post(f"/_vinyasa/projects/{project}/rules", json={"data": rule})
            assert made_rule.status_code == 201, made_rule.text
        _add_tasks(url, project, made["user"])
        # kill it once some firings committed, well before the end
        kill_when(proc, lambda: int(_state(url)["next"]) > 0, 120)
    interrupted = _state(url)
    assert interrupted["status"] == "in_progress", interrupted
    assert 0 < int(interrupted["runs"]) < TASKS, interrupted
    assert interrupted["runs"] == interrupted["due"] == interrupted["next"], interrupted  # committed together

    with live.serve("second.log"):
        state = poll(lambda: _state(url), lambda seen: seen["status"] in ("succeeded", "failed"), 180, 0.2)
    assert state == {
        "status": "succeeded",
        "next": state["next"],
        "runs": TASKS,
        "distinct": TASKS,
        "due": TASKS,
    }, state
