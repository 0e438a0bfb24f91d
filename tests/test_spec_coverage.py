"""docs/coverage.md must match the app's routes, and every route must be one of Asana's operations."""

from __future__ import annotations

from tools.spec_coverage import OUTPUT, implemented, render


def test_every_route_is_an_asana_operation():
    _, unknown = render(implemented())
    assert not unknown, f"routes whose operation_id is not in Asana's spec: {sorted(unknown)}"


def test_coverage_document_is_fresh():
    text, _ = render(implemented())
    assert OUTPUT.exists(), "run `python -m tools.spec_coverage`"
    assert OUTPUT.read_text(encoding="utf-8") == text, (
        "docs/coverage.md is stale: run `python -m tools.spec_coverage`"
    )
