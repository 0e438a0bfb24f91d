"""Asana's OpenAPI spec, vendored (Apache-2.0, see README.md here): the one copy everything reads.

`SPEC_DIR` holds `asana_oas.yaml` (Asana's whole spec) and `scope_oas.yaml` (the in-scope cut).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

SPEC_DIR = Path(__file__).resolve().parent
SpecName = Literal["asana_oas.yaml", "scope_oas.yaml"]
SPEC_FILES: tuple[SpecName, ...] = ("asana_oas.yaml", "scope_oas.yaml")


@cache
def load_spec(name: SpecName) -> dict[str, Any]:
    """The parsed spec (read once per process; about 1 s for the whole spec with libyaml).

    Callers must not mutate the result: copy what they change."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SPEC_DIR / name).open(encoding="utf-8") as f:
        loaded: dict[str, Any] = yaml.load(f, Loader=loader)
    return loaded
