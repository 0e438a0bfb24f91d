"""Settings read from VINYASA_* environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/vinyasa.db"


class Settings(BaseSettings):
    """Server configuration; every field maps to a VINYASA_<NAME> variable."""

    model_config = SettingsConfigDict(env_prefix="VINYASA_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Public base URL (scheme://host[:port]) used in permalinks and next_page.uri; request host if unset.
    public_url: str | None = None
    # Largest accepted request body, in bytes; larger bodies get a 413 envelope.
    max_body_bytes: int = 10 * 1024 * 1024
    # Requests per minute per token; 0 turns rate limiting off (the default for the embedded server).
    rate_limit_per_minute: int = 0
    # Seconds a SQLite writer waits for the lock before the request fails.
    sqlite_busy_timeout: float = 30.0
    # How long the change journal keeps entries (hours); older sync tokens get a 412. Asana: 24 h.
    journal_retention_hours: float = 24.0


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
