"""Racing addDependencies calls that together would close a dependency cycle: never all succeed.

Each race is driven ROUNDS times with real threads (see tests/abuse/test_races.py). A 2-cycle and
a 3-cycle share a task between every two calls; the 4-cycle's calls A→B and C→D share none, which
is what per-task row locks alone let through (issue 23, part 4).
"""

from __future__ import annotations

import pytest

from tests.abuse.test_races import ROUNDS, pool, race
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio
__all__ = ["pool"]  # the fixture, used by name


def _acyclic(world) -> None:
    """No task reaches itself along dependencies."""
    with world.db() as conn:
        rows = conn.exec_driver_sql("SELECT task_gid, dependency_gid FROM task_dependencies").all()
    edges: dict[int, list[int]] = {}
    for task, dep in rows:
        edges.setdefault(int(task), []).append(int(dep))
    for start in edges:
        seen, stack = set(), list(edges[start])
        while stack:
            node = stack.pop()
            assert node != start, f"dependency cycle through {start}"
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, []))


def _cycle(pool, world, gids: list[str]) -> None:
    """Each task depends on the next, the last on the first, all at once: exactly one refused."""
    calls = [
        ("POST", f"/tasks/{gid}/addDependencies", {"dependencies": [gids[(i + 1) % len(gids)]]})
        for i, gid in enumerate(gids)
    ]
    answers = race(pool, world, *calls)
    assert sorted(a[0] for a in answers) == [200] * (len(gids) - 1) + [400], answers
    refused = next(a for a in answers if a[0] == 400)
    assert "cycle" in refused[1]["errors"][0]["message"]


@pytest.mark.parametrize("length", [2, 3, 4])
async def test_racing_links_never_close_a_cycle(client, world, pool, length):
    for i in range(ROUNDS):
        gids = [await make_task(client, world, f"c{length}-{i}-{k}") for k in range(length)]
        _cycle(pool, world, gids)
    _acyclic(world)
