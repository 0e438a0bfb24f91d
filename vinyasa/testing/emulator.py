"""`Emulator`: a handle on a running emulator, for tests (stdlib HTTP only: no extra dependency).

```python
emu.base_url            # "http://127.0.0.1:PORT/api/1.0": what an SDK's host is set to
emu.token               # the owner's personal access token
emu.reset()             # back to the start state (also the clock, faults and recorder)
emu.load_fixture("world.yaml")         # {"user": {"Alice": "gid"}, "project": {...}, ...}
emu.fault(method="POST", path="/tasks", status=429, retry_after=2, times=3)
emu.requests(method="POST")            # what the code under test sent
emu.clock("freeze", at="2030-01-01T00:00:00Z"); emu.clock("advance", hours=25)
emu.snapshot_save("x"); emu.snapshot_restore("x")
emu.sdk_client()        # an official `asana` ApiClient pointed at the emulator
```
Every method raises `ControlError` (status and Asana's message) when the control plane refuses.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ControlError(Exception):
    """A control-plane call failed: `status` and the first error message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status, self.message = status, message


@dataclass
class Emulator:
    """A running emulator: its root URL, the owner's token and the admin token."""

    url: str
    token: str
    admin_token: str

    @property
    def base_url(self) -> str:
        """The API's base URL (`.../api/1.0`)."""
        return self.url + "/api/1.0"

    def call(
        self,
        method: str,
        route: str,
        data: Any = None,
        *,
        raw: bytes | None = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        """One control-plane request (`route` under /_vinyasa); its `data`."""
        params = {k: v for k, v in (query or {}).items() if v is not None}
        url = f"{self.url}/_vinyasa{route}" + ("?" + urllib.parse.urlencode(params) if params else "")
        body = raw if raw is not None else (json.dumps({"data": data}).encode() if data is not None else None)
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Authorization", f"Bearer {self.admin_token}")
        request.add_header("Content-Type", "application/x-yaml" if raw is not None else "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["data"]
        except urllib.error.HTTPError as exc:
            with exc:
                try:
                    message = json.loads(exc.read())["errors"][0]["message"]
                except (ValueError, KeyError, IndexError):
                    message = exc.reason
            raise ControlError(exc.code, str(message)) from None

    def reset(self, to: str = "start", seed: int | None = None) -> dict[str, Any]:
        """Back to the start state (`to="empty"`: only the owner); clock, faults, recorder too."""
        result: dict[str, Any] = self.call(
            "POST", "/reset", {"to": to, **({"seed": seed} if seed is not None else {})}
        )
        return result

    def load_fixture(self, source: str | Path) -> dict[str, dict[str, str]]:
        """Load a fixture file (a path, or the YAML/JSON text itself); gids by kind and name."""
        text = (
            Path(source).read_text(encoding="utf-8")
            if isinstance(source, Path) or "\n" not in source
            else source
        )
        result: dict[str, dict[str, str]] = self.call("POST", "/fixtures", raw=text.encode())
        return result

    def fault(self, path: str, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (`path` relative to /api/1.0; see vinyasa.control.faults)."""
        result: dict[str, Any] = self.call("POST", "/faults", {"path": path, **rule})
        return result

    def faults(self) -> list[dict[str, Any]]:
        """The fault rules with their counters (`seen`, `fired`, `remaining`)."""
        result: list[dict[str, Any]] = self.call("GET", "/faults")
        return result

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """Recorded API requests, oldest first (`method`, `path` prefix, `status`, `token`, `limit`)."""
        result: list[dict[str, Any]] = self.call("GET", "/requests", query=filters)
        return result

    def clear_requests(self) -> None:
        self.call("DELETE", "/requests")

    def clock(self, action: str | None = None, **args: Any) -> dict[str, Any]:
        """Read the clock, or `freeze` / `resume` / `set` (at=ISO) / `advance` (ms, seconds, ... days)."""
        result: dict[str, Any] = (
            self.call("GET", "/clock") if action is None else self.call("POST", f"/clock/{action}", args)
        )
        return result

    def snapshot_save(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call("POST", "/snapshots", {"name": name})
        return result

    def snapshot_restore(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call("POST", f"/snapshots/{urllib.parse.quote(name, safe='')}/restore")
        return result

    def snapshots(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.call("GET", "/snapshots")
        return result

    def sdk_client(self, token: str | None = None) -> Any:
        """An official Python SDK (`asana`) ApiClient for this emulator (the owner's token by default)."""
        import asana

        configuration = asana.Configuration()
        configuration.host = self.base_url
        configuration.access_token = token or self.token
        return asana.ApiClient(configuration)
