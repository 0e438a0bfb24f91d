"""A headless Chromium driven over the DevTools protocol (CDP), for tests of the /docs page.

`chromium()` finds Debian's `chromium` (installing it with apt-get when missing and running as root)
and fails with a clear message in CI, or skips elsewhere, when none can be had.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import websocket

from tests.helpers import stop

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def _find() -> str | None:
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


def chromium() -> str:
    """The browser's path; apt-get installs Debian's `chromium` when none is found (as root)."""
    found = _find()
    if found is None and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True, check=False
        )
        found = _find()
    if found is None:
        message = "no headless browser: install Debian's chromium (`apt-get install chromium`) to test /docs"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


class Page:
    """One browser tab: CDP commands, JavaScript evaluation and waiting for a condition."""

    def __init__(self, ws: websocket.WebSocket) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one CDP command and return its result (events received meanwhile are dropped)."""
        ident = next(self._ids)
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll until the expression is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression!r}")
            time.sleep(0.1)

    def click(self, selector: str) -> None:
        """Click the first element matching the CSS selector (waiting for it)."""
        self.wait(f"!!document.querySelector({json.dumps(selector)})")
        self.js(f"document.querySelector({json.dumps(selector)}).click()")

    def type(self, selector: str, text: str) -> None:
        """Focus the input and type into it as a user would (React sees real input events)."""
        self.wait(f"!!document.querySelector({json.dumps(selector)})")
        self.js(f"document.querySelector({json.dumps(selector)}).select()")  # typing replaces what is there
        self.send("Input.insertText", text=text)


@contextmanager
def open_page(url: str, profile: Path) -> Iterator[Page]:
    """A headless Chromium showing `url`, closed on exit."""
    proc = subprocess.Popen(
        [
            chromium(),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"chromium did not start (exit status {proc.poll()})")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = json.load(r)
        target = next(t for t in targets if t["type"] == "page")
        ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        try:
            page = Page(ws)
            page.send("Page.enable")
            page.send("Page.navigate", url=url)
            yield page
        finally:
            ws.close()
    finally:
        stop(proc)
