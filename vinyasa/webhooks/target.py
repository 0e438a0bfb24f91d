"""Where webhooks may send, and how one POST is made: the target policy, the handshake and signing.

Target policy (vinyasa's; Asana refuses localhost with a 403, a self-hosted server must allow it):
- `http` or `https` URLs with a host only (else 400);
- a host is allowed when every address it resolves to is loopback, or when it (the name or the
  address as written) is listed in `VINYASA_WEBHOOK_ALLOWED_HOSTS` (`*` lists every host), else 403;
- link-local addresses (169.254.0.0/16, fe80::/10) and cloud metadata addresses are refused
  whatever the settings say (403), so the server cannot be pointed at its own instance metadata.
The policy is checked when the webhook is created and before every delivery (names are resolved
again each time; a name that changes its answer between the check and the connection is not caught).

Signing (Asana): `X-Hook-Signature` is the hex HMAC-SHA256 of the exact request body, keyed with the
secret the handshake exchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import secrets
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from vinyasa.config import Settings
from vinyasa.errors import Forbidden, InvalidRequest
from vinyasa.webhooks.client import Connections, tls

# Instance metadata services of the clouds (AWS, GCP, Azure, Oracle: 169.254.169.254, inside
# link-local anyway; AWS over IPv6; Alibaba).
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
HANDSHAKE_FAILED = (
    "target: The webhook handshake failed: {reason}. vinyasa POSTed to the target with an X-Hook-Secret "
    "header; the target must answer 200 or 204 within the timeout, echoing the same X-Hook-Secret header"
)
EXCERPT = 2048  # characters of a target's answer kept in the log and in last_failure_content
USER_AGENT = "vinyasa-webhooks"


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """`VINYASA_WEBHOOK_ALLOWED_HOSTS` as lower-case names (brackets of IPv6 literals removed)."""
    return frozenset(
        h.strip().strip("[]").lower() for h in settings.webhook_allowed_hosts.split(",") if h.strip()
    )


def check_target(url: str, settings: Settings) -> None:
    """400 for a URL that is not http(s) with a host, 403 for a host the policy refuses (module doc).

    Resolves the host name (blocking: call it off the event loop)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise InvalidRequest("target: Not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidRequest("target: The target must be an http or https URL with a host")
    addresses = _addresses(host)
    if not addresses:
        raise InvalidRequest(f"target: The host {host[:253]} could not be resolved")
    for address in addresses:
        if address in METADATA or address.is_link_local:
            raise Forbidden(f"target: Webhooks cannot target link-local or metadata addresses ({address})")
    listed = allowed_hosts(settings)
    if "*" in listed or host.lower() in listed or all(a.is_loopback for a in addresses):
        return
    raise Forbidden(
        f"target: Webhooks may target loopback addresses and the hosts listed in "
        f"VINYASA_WEBHOOK_ALLOWED_HOSTS only; {host[:253]} is not one of them"
    )


def timeouts(settings: Settings) -> httpx.Timeout:
    """The connect and read timeouts of every request to a target (VINYASA_WEBHOOK_*_TIMEOUT)."""
    return httpx.Timeout(settings.webhook_timeout, connect=settings.webhook_connect_timeout)


def new_secret() -> str:
    """A handshake secret: 32 random bytes, hex."""
    return secrets.token_hex(32)


def signature(secret: str, body: bytes) -> str:
    """`X-Hook-Signature`: hex HMAC-SHA256 of the exact body, keyed with the secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def handshake(url: str, settings: Settings) -> str:
    """POST an empty body to `url` with a new `X-Hook-Secret`; the secret when the target answered
    200/204 echoing it, else 400 (HANDSHAKE_FAILED with the reason: no answer, status, no echo)."""
    secret = new_secret()
    headers = {"X-Hook-Secret": secret, "User-Agent": USER_AGENT, "Content-Type": "application/json"}
    try:
        async with httpx.AsyncClient(
            timeout=timeouts(settings), follow_redirects=False, verify=tls()
        ) as client:
            response = await client.post(url, content=b"", headers=headers)
    except httpx.TimeoutException:
        raise InvalidRequest(HANDSHAKE_FAILED.format(reason="the target did not answer in time")) from None
    except httpx.HTTPError as exc:
        reason = f"the target could not be reached ({exc.__class__.__name__})"
        raise InvalidRequest(HANDSHAKE_FAILED.format(reason=reason)) from None
    if response.status_code not in (200, 204):
        reason = f"the target answered {response.status_code}"
        raise InvalidRequest(HANDSHAKE_FAILED.format(reason=reason))
    if not hmac.compare_digest(response.headers.get("x-hook-secret", ""), secret):
        reason = "the target's answer did not echo the X-Hook-Secret header"
        raise InvalidRequest(HANDSHAKE_FAILED.format(reason=reason))
    return secret


@dataclass(frozen=True)
class Outcome:
    """What one POST to a target came to: its status (None without an answer), why it failed,
    the time to the answer (ms) and the start of the answer's body."""

    status_code: int | None
    error: str | None
    latency_ms: int
    excerpt: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(connections: Connections, url: str, secret: str, body: bytes, settings: Settings) -> Outcome:
    """Deliver one signed body (blocking; the worker runs it in a thread) on a kept-alive
    connection (vinyasa.webhooks.client: connect/read timeouts). The target policy is checked
    again first; a refused target is a failure like an unreachable one. At most `EXCERPT` bytes of
    the answer are read."""
    started = time.perf_counter()
    try:
        check_target(url, settings)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Hook-Signature": signature(secret, body),
        }
        status, excerpt = connections.post(url, headers, body, EXCERPT)
    except TimeoutError:
        return Outcome(None, "timeout: no answer in time", _ms(started), "")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Outcome(None, f"{exc.__class__.__name__}: {str(exc)[:200]}", _ms(started), "")
    except (InvalidRequest, Forbidden) as exc:
        return Outcome(None, exc.message, _ms(started), "")
    return Outcome(status, None, _ms(started), excerpt.decode("utf-8", errors="replace"))


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
