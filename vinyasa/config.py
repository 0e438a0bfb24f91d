"""Settings read from VINYASA_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """A SQLite file in the user's data directory (e.g. ~/.local/share/vinyasa/vinyasa.db on Linux),
    so every command finds the same database whatever the current directory."""
    return f"sqlite:///{user_data_path('vinyasa', appauthor=False) / 'vinyasa.db'}"


class Settings(BaseSettings):
    """Server configuration; every field maps to a VINYASA_<NAME> variable."""

    model_config = SettingsConfigDict(env_prefix="VINYASA_", extra="ignore")

    # SQLAlchemy URL: sqlite:///absolute/path.db or postgresql://user@host:5432/db.
    database_url: str = default_database_url()
    # Public base URL (scheme://host[:port]) used in permalinks and next_page.uri; request host if unset.
    public_url: str | None = None
    # Largest accepted request body, in bytes; larger bodies get a 413 envelope.
    max_body_bytes: int = 10 * 1024 * 1024
    # Requests per minute per token; 0 turns rate limiting off (the default for the embedded server).
    rate_limit_per_minute: int = 0
    # Seconds a client has to send a request's line and headers (from connecting or its first byte),
    # then its body (from the end of the headers); past them: 408 and the connection closes.
    header_timeout: float = 10.0
    body_timeout: float = 60.0
    # Largest request line plus headers, in bytes; larger requests get a 431 envelope.
    max_header_bytes: int = 64 * 1024
    # Seconds a keep-alive connection may stay idle between requests.
    keep_alive_timeout: int = 5
    # Seconds a SQLite writer waits for the lock before the request fails.
    sqlite_busy_timeout: float = 30.0
    # Rich text on write: "lenient" also accepts what production clients send (b, i, pre, blockquote,
    # any tag-name case) and stores its canonical form; "strict" applies exactly Asana's rich-text guide.
    rich_text: Literal["lenient", "strict"] = "lenient"
    # How long the change journal keeps entries (hours); older sync tokens get a 412. Asana: 24 h.
    journal_retention_hours: float = 24.0
    # The emulator's control plane under /_vinyasa/ (vinyasa.control): off unless `serve --emulator`
    # or the test kit turns it on; it then needs `admin_token` (a random one when unset).
    emulator: bool = False
    admin_token: str | None = None
    # A seed for the gids drawn after start and after every reset (0 <= seed < 2^25); None: no seed.
    gid_seed: int | None = None
    # How many API requests the emulator's recorder keeps.
    recorder_size: int = 1000
    # The background runner (vinyasa.core.runner): seconds a claimed job is held before another process
    # may take it over (its process died), seconds between looks for due work, jobs run at once.
    job_lease_seconds: float = 30.0
    job_poll_seconds: float = 0.5
    job_workers: int = 2
    # After each step a worker rests this many times the step's duration (at most 50 ms), so
    # requests keep most of the process's CPU while a long job runs.
    job_pause: float = 3.0
    # Where each server process runs its runner: "process" (a child process, so job steps do not take
    # the interpreter from requests; vinyasa.core.runner_process) or "thread" (in the server process;
    # always so with the emulator, whose control plane pauses and steps it).
    job_runner: Literal["process", "thread"] = "process"
    # Days a finished (succeeded or failed) job is kept before the runner deletes it; 0 keeps them all.
    job_retention_days: float = 7.0
    # How much lower the child's CPU priority is than the server's (os.nice; 0: the same).
    job_nice: int = 10
    # Webhooks (vinyasa.webhooks; docs/webhooks.md). Targets must be http(s) on a loopback address or on
    # one of these hosts (comma-separated names or addresses; "*" allows any host): a self-hosted server
    # cannot be turned into a scanner of its own network. Link-local and cloud metadata addresses are
    # refused whatever this says.
    webhook_allowed_hosts: str = ""
    # Seconds to connect to a target, and to wait for its answer (Asana: 10 s), for the handshake and
    # for deliveries.
    webhook_connect_timeout: float = 5.0
    webhook_timeout: float = 10.0
    # Hours a webhook may keep failing before it is deleted (Asana: 24 h); first retry delay and the
    # largest one, in seconds (exponential backoff in between); hours between heartbeats (Asana: 8 h).
    webhook_retry_window_hours: float = 24.0
    webhook_retry_base_seconds: float = 1.0
    webhook_retry_max_seconds: float = 600.0
    webhook_heartbeat_hours: float = 8.0
    # Where each server process runs its delivery worker: "process" (a child process, so deliveries
    # do not take time from requests), "thread" (in the server process) or "off" (deliveries wait for
    # another server process); how often it looks for new events (seconds; a commit in the same
    # server process wakes it at once, this catches the others' commits), how many webhooks one
    # round claims and how many deliveries run at once; how the delivery child yields the CPU to the
    # requests (vinyasa.core.priority): "idle" (Linux SCHED_IDLE: it runs when nothing else wants the
    # CPU, ~0.3% of a core against each busy server process; elsewhere, or refused, the niceness) or
    # "nice" (the niceness alone: ~1.5% of a core against each busy server process, so a server
    # saturated for long delays deliveries ~5 times less); the niceness added (0 for the same).
    webhook_delivery: Literal["process", "thread", "off"] = "process"
    webhook_poll_interval: float = 0.01
    # The longest wait between looks (seconds) once looks keep finding nothing: the wait doubles from
    # webhook_poll_interval up to this, and is back at the poll after a ring or any work. Bounds how
    # late another process's commit, a retry or a heartbeat that falls due is noticed by an idle worker.
    webhook_idle_poll_interval: float = 0.25
    webhook_batch_webhooks: int = 200
    webhook_concurrency: int = 4
    webhook_priority: Literal["idle", "nice"] = "idle"
    webhook_nice: int = Field(default=19, ge=0, le=19)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
