"""bench.world's inputs found without per-route code (issue 22's sweep): enum query values from the
vendored spec, references by field name, another object when the path names one of the same kind."""

from __future__ import annotations

from typing import Any

from bench.world import Op, World, enum_value, operations

ADD_DEPENDENCIES = Op("POST", "/tasks/{task_gid}/addDependencies", "addDependenciesForTask")


def _world(**values: Any) -> World:
    world = World(client=None, values=values)  # type: ignore[arg-type]  # value_for sends nothing
    world.gids.update({"workspace": "1", "task": "10", "tag": "20", "project": "30"})
    world.by_kind["task"] = ["10", "11", "12", "13"]
    return world


def test_a_required_enum_query_parameter_takes_the_specs_first_value() -> None:
    assert enum_value("getFavoritesForUser", "resource_type") == "portfolio"
    assert enum_value("getFavoritesForUser", "workspace") is None  # not an enum
    assert enum_value("getTasks", "resource_type") is None  # not a parameter of that operation
    op = next(op for op in operations() if op.operation_id == "getFavoritesForUser")
    assert _world().value_for("resource_type", op) == "portfolio"


def test_a_field_named_after_a_kind_takes_the_worlds_object_of_that_kind() -> None:
    world = _world()
    assert world.value_for("tag", Op("POST", "/tasks/{task_gid}/addTag", "addTagForTask")) == "20"
    assert world.value_for("item", Op("POST", "/portfolios/{portfolio_gid}/addItem", "x")) == "30"
    assert world.value_for("no_such_kind_here") is None


def test_a_reference_to_the_paths_kind_takes_another_object_each_time() -> None:
    world = _world()
    first = world.value_for("dependencies", ADD_DEPENDENCIES)
    second = world.value_for("dependents", Op("POST", "/tasks/{task_gid}/addDependents", "x"))
    assert first == ["11"] and second == ["12"]  # never the path's task, never one taken before
    world.value_for("dependencies", ADD_DEPENDENCIES)
    assert world.value_for("dependencies", ADD_DEPENDENCIES) is None  # none left


def test_a_value_the_run_provides_comes_first() -> None:
    world = _world(target="http://127.0.0.1:9/sweep")
    assert world.value_for("target", Op("POST", "/webhooks", "createWebhook")) == "http://127.0.0.1:9/sweep"
