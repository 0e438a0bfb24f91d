"""The vendored spec (vinyasa/spec) is the one everything reads, and it is not stale."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from vinyasa.spec import SPEC_DIR, SPEC_FILES, load_spec

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(os.environ.get("VINYASA_REFERENCE_DIR", ROOT.parent / "shared" / "reference"))


@pytest.mark.parametrize("name", SPEC_FILES)
def test_vendored_spec_matches_the_reference(name):
    """Fails when the reference copy beside the repository (CI's ../shared) is newer or different."""
    reference = REFERENCE / name
    if not reference.exists():
        pytest.skip(f"no reference copy at {reference}: nothing to compare against")
    assert (SPEC_DIR / name).read_bytes() == reference.read_bytes(), (
        f"vinyasa/spec/{name} is stale against {reference}: run `make spec-refresh` and commit"
    )


def test_spec_ships_with_its_licence_and_source_note():
    assert "Apache License" in (SPEC_DIR / "LICENSE-asana-openapi").read_text(encoding="utf-8")
    note = (SPEC_DIR / "README.md").read_text(encoding="utf-8")
    assert "github.com/Asana/openapi" in note
    assert load_spec("asana_oas.yaml")["info"]["license"]["name"] == "Apache 2.0"
    scope = load_spec("scope_oas.yaml")
    assert {op for item in scope["paths"].values() for op in item} >= {"get", "post", "put", "delete"}


def test_nothing_in_the_repository_reads_the_shared_directory():
    """Only this test may name the reference directory beside the repository."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    this = Path(__file__).resolve().relative_to(ROOT).as_posix()
    offenders = []
    for name in tracked:
        if name == this or name.startswith("vinyasa/spec/") or name == "Makefile":
            continue  # the spec's note and `make spec-refresh` name it as the refresh source
        path = ROOT / name
        if path.suffix in {".py", ".md", ".toml", ".ini", ".cfg", ".sh", ""} and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if "../shared" in text or '"shared" / "reference"' in text:
                offenders.append(name)
    assert not offenders, f"files that depend on ../shared: {offenders}"
