"""The `vinyasa` command from a directory outside the repository, on both databases: the default
database, migrate-first, one-line errors, the banners, the port check, --version and --help."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.conftest import new_database
from tests.helpers import stop, wait_healthy
from vinyasa import __version__, cli

BIN = Path(sys.executable).parent / "vinyasa"


def run(*args: str, cwd: Path, url: str | None = None, data_home: Path | None = None, timeout: float = 60):
    env = {k: v for k, v in os.environ.items() if k not in ("VINYASA_DATABASE_URL", "VINYASA_DEBUG")}
    if url is not None:
        env["VINYASA_DATABASE_URL"] = url
    env["XDG_DATA_HOME"] = str(data_home or cwd / "xdg")
    return subprocess.run(
        [str(BIN), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def one_line_error(out: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert out.returncode == 1, out
    errors = [line for line in out.stderr.splitlines() if not line.startswith("database: ")]
    assert len(errors) == 1 and errors[0].startswith("error: "), out.stderr
    assert fragment in errors[0]
    assert "Traceback" not in out.stderr + out.stdout


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    return new_database(request, request.param, tmp_path / "db")


def test_default_database_is_the_user_data_dir_whatever_the_directory(tmp_path):
    data_home = tmp_path / "xdg"
    first, second = tmp_path / "a", tmp_path / "b" / "c"
    first.mkdir()
    second.mkdir(parents=True)
    made = run("init", "--email", "boss@example.com", cwd=first, data_home=data_home)
    assert made.returncode == 0, made.stderr
    db = data_home / "vinyasa" / "vinyasa.db"
    assert f"database: sqlite:///{db}" in made.stderr
    assert db.exists()
    assert (
        "Another token at any time: vinyasa token create --email boss@example.com" in made.stdout.splitlines()
    )
    token = run("token", "create", "--email", "boss@example.com", "--json", cwd=second, data_home=data_home)
    assert token.returncode == 0, token.stderr
    assert json.loads(token.stdout)["token"].startswith("2/" + json.loads(token.stdout)["user"] + "/")
    assert f"database: sqlite:///{db}" in token.stderr
    assert not list(first.iterdir()) and not list(second.iterdir()), (
        "nothing written to the current directory"
    )


def test_every_command_migrates_first_and_names_its_database(database, tmp_path):
    shown = database.split("://")[0]
    token = run("token", "create", "--email", "owner@example.com", cwd=tmp_path, url=database)
    one_line_error(token, "no users yet: run `vinyasa init` or `vinyasa serve` first")
    assert f"database: {shown}" in token.stderr
    plain = run(
        "workspace",
        "create",
        "Plain",
        "--owner",
        "plain@example.com",
        "--no-organization",
        "--json",
        cwd=tmp_path,
        url=database,
    )
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["team"] is None
    assert run("db", "upgrade", cwd=tmp_path, url=database).stdout == "database is up to date\n"
    again = run("init", cwd=tmp_path, url=database)
    one_line_error(
        again,
        f"only runs on an empty database (a token for its owner: VINYASA_DATABASE_URL='{_shown(database)}' "
        "vinyasa token create --email plain@example.com)",
    )


def test_init_prints_the_owner_email_and_how_to_get_another_token(database, tmp_path):
    out = run("init", "--email", "Boss@Example.com", cwd=tmp_path, url=database)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("Owner boss@example.com (user ")
    assert lines[1].startswith("Personal access token (shown once): 2/")
    hint = f"VINYASA_DATABASE_URL='{_shown(database)}' vinyasa token create --email boss@example.com"
    assert lines[2] == f"Another token at any time: {hint}"
    token = run("token", "create", "--email", "BOSS@example.com", "--json", cwd=tmp_path, url=database)
    assert json.loads(token.stdout)["token"].startswith("2/")


def test_user_errors_are_one_line(database, tmp_path):
    assert run("init", cwd=tmp_path, url=database).returncode == 0
    one_line_error(
        run("token", "create", "--email", "nobody@example.com", cwd=tmp_path, url=database),
        "no user with email nobody@example.com",
    )
    one_line_error(
        run("workspace", "create", "W", "--owner", "not-an-email", cwd=tmp_path, url=database),
        "Not a valid email address",
    )
    one_line_error(
        run("workspace", "create", " ", "--owner", "a@example.com", cwd=tmp_path, url=database),
        "must not be empty",
    )


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "VINYASA_DATABASE_URL is not a database URL"),
        ("postgresql://nobody@127.0.0.1:1/none", "database postgresql://nobody@127.0.0.1:1/none: connection"),
        ("mysql://x@127.0.0.1/none", "VINYASA_DATABASE_URL names mysql; vinyasa runs on sqlite:///"),
    ],
)
def test_unusable_database_is_one_line(tmp_path, url, fragment):
    one_line_error(run("token", "create", "--email", "a@example.com", cwd=tmp_path, url=url), fragment)


def test_version_and_help_are_clean(tmp_path):
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout == f"vinyasa {__version__}\n"
    runner = CliRunner()
    for args in ([], ["serve"], ["init"], ["token", "create"], ["workspace", "create"], ["db"]):
        out = runner.invoke(cli.app, [*args, "--help"], prog_name="vinyasa")
        assert out.exit_code == 0, out.output
        assert "<bool>" not in out.output and "Usage: vinyasa" in out.output
        assert "╭" not in out.output
    assert "--version" in runner.invoke(cli.app, ["--help"], prog_name="vinyasa").output


def _wait_for(proc: subprocess.Popen[str], text: str, timeout: float = 60) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if text in line:
            return lines
    raise AssertionError(f"{text!r} not printed; got {lines}")


def _serve(database: str, port: int, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "VINYASA_DATABASE_URL": database, "XDG_DATA_HOME": str(cwd / "xdg")}
    return subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_serve_banners_and_busy_port(database, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    proc = _serve(database, port, tmp_path)
    try:
        lines = _wait_for(proc, "vinyasa serving")
        assert any(line.startswith("Owner owner@example.com (user ") for line in lines)
        hint = f"VINYASA_DATABASE_URL='{_shown(database)}' vinyasa token create --email owner@example.com"
        assert f"Another token at any time: {hint}" in lines
        assert f"API base URL: {base}/api/1.0" in lines
        assert f"Interactive docs: {base}/docs (Authorize with the token)" in lines
        assert lines[-1].startswith(f"vinyasa serving {base}/api/1.0 (database ")
        assert wait_healthy(base), (
            "the server never answered /healthz"
        )  # the port is bound once the lifespan (its runner child included) is up
        busy = run("serve", "--port", str(port), cwd=tmp_path, url=database)
        one_line_error(busy, f"port {port} on 127.0.0.1 is already in use: choose another with --port")
        assert "serving" not in busy.stdout and "token" not in busy.stdout.lower()
    finally:
        stop(proc)
    proc = _serve(database, port, tmp_path)
    try:
        lines = _wait_for(proc, "vinyasa serving")
        assert f"Get a token: export TOKEN=$({hint})" in lines
        assert not any("shown once" in line for line in lines)
        assert f'Try: curl -H "Authorization: Bearer $TOKEN" {base}/api/1.0/users/me' in lines
    finally:
        stop(proc)
