"""Settings of the web app, from ``CAREBACKLOG_*`` environment variables (and ``DATABASE_URL``).

Outside demo mode the secret key must be set, long and not a known placeholder: the app refuses to start
otherwise. In demo mode a random key is made per process.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PLACEHOLDER_SECRETS", "Settings"]

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "dev", "development", "insecure", "default"}
)


class Settings(BaseSettings):
    """Everything the app factory needs; nothing is read at import time."""

    model_config = SettingsConfigDict(env_prefix="CAREBACKLOG_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path('var/carebacklog.db').resolve()}",
        validation_alias=AliasChoices("DATABASE_URL", "CAREBACKLOG_DATABASE_URL"),
        description="SQLAlchemy URL: SQLite (default, ./var/carebacklog.db) or postgresql+psycopg://…",
    )
    secret_key: str = Field(default="", description="At least 32 characters; required outside demo mode.")
    demo: bool = Field(default=False, description="Demo mode: a random secret key is allowed.")
    session_hours: float = Field(default=8.0, gt=0, le=24 * 7, description="Session lifetime (hours).")
    secure_cookies: bool = Field(default=False, description="Mark cookies Secure (set behind HTTPS).")
    login_max_failures: int = Field(default=5, ge=1, description="Failed logins allowed per window.")
    login_window_minutes: float = Field(
        default=15.0, gt=0, description="Rate-limit window for failed logins."
    )
    provider_code: str | None = Field(
        default=None, description="Which loaded provider to show (default: newest)."
    )
    warm_cache: bool = Field(
        default=True, description="Read and sort the PTL and compute the overview before serving."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> Self:
        if self.demo and not self.secret_key:
            self.secret_key = secrets.token_urlsafe(48)
        key = self.secret_key
        if not self.demo and (key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 32):
            raise ValueError(
                "CAREBACKLOG_SECRET_KEY must be set to a random value of at least 32 characters "
                "outside demo mode (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self
