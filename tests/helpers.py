"""Small assertions and helpers shared by the tests."""

from __future__ import annotations

import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import httpx


def ok(response: httpx.Response, status: int = 200) -> Any:
    """Assert a success status and return the `data` member."""
    assert response.status_code == status, response.text
    body = response.json()
    assert "errors" not in body
    return body["data"]


def fails(response: httpx.Response, status: int, *fragments: str) -> str:
    """Assert an Asana error envelope with the status and message fragments; return the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"errors"}, body
    assert isinstance(body["errors"], list) and body["errors"]
    error = body["errors"][0]
    assert isinstance(error["message"], str) and error["message"]
    assert "help" in error
    assert ("phrase" in error) == (status >= 500)
    for fragment in fragments:
        assert fragment in error["message"], error["message"]
    return str(error["message"])


def stop(proc: subprocess.Popen[Any]) -> None:
    """Terminate a child process (killed after 10 s) and close its pipes."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def in_threads(worker: Callable[[int], object], count: int) -> None:
    """`worker(0)` ... `worker(count - 1)`, each on its own thread, all started before any is
    waited for (concurrency tests: the workers meet at their own barrier when they need one)."""
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def documented_operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The operations of an OpenAPI document by (METHOD, path)."""
    return {
        (method.upper(), path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


def wait_healthy(base: str, timeout: float = 60, alive: Callable[[], bool] = lambda: True) -> bool:
    """Poll `{base}/healthz` every 0.1 s until it answers 200 (True), or until `timeout` s pass or
    `alive()` turns false (False): a live server is ready once its lifespan is up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            pass
        if not alive() or time.monotonic() > deadline:
            return False
        time.sleep(0.1)
