"""Settings refuse unsafe secrets; logins are rate-limited; sessions expire; no patient data in logs."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from carebacklog.store import TrustData
from carebacklog.web.settings import Settings

from .conftest import PASSWORDS, Clock, build_web_app


@pytest.mark.parametrize("key", ["", "changeme", "secret", "short-key"])
def test_settings_refuse_default_or_short_secrets(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAREBACKLOG_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(secret_key=key)


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREBACKLOG_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/x")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db/x" and not settings.demo
    demo = Settings(demo=True, secret_key="")
    assert len(demo.secret_key) >= 32  # demo mode makes a random key


def test_login_is_rate_limited(tmp_path: Path, trust: TrustData) -> None:
    web = build_web_app(f"sqlite:///{tmp_path / 'rate.db'}", trust, Clock())
    client = web.client()
    for _ in range(5):
        assert (
            client.post("/api/v1/session", json={"username": "ptl", "password": "wrong"}).status_code == 401
        )
    locked = client.post("/api/v1/session", json={"username": "ptl", "password": PASSWORDS["ptl"]})
    assert locked.status_code == 429 and locked.headers["content-type"].startswith("application/problem+json")
    web.clock.now += dt.timedelta(minutes=16)  # the window has passed
    assert (
        client.post("/api/v1/session", json={"username": "ptl", "password": PASSWORDS["ptl"]}).status_code
        == 200
    )


def test_sessions_expire(tmp_path: Path, trust: TrustData) -> None:
    web = build_web_app(f"sqlite:///{tmp_path / 'expiry.db'}", trust, Clock())
    client = web.client("ptl")
    assert client.get("/api/v1/ptl").status_code == 200
    web.clock.now += dt.timedelta(hours=9)  # default lifetime is 8 hours
    assert client.get("/api/v1/ptl").status_code == 401


def test_request_log_has_route_templates_not_patient_identifiers(
    tmp_path: Path, trust: TrustData, caplog: pytest.LogCaptureFixture
) -> None:
    web = build_web_app(f"sqlite:///{tmp_path / 'log.db'}", trust, Clock())
    client = web.client("ptl")
    pathway = trust.ptl["pathway_id"][0]
    with caplog.at_level(logging.INFO, logger="carebacklog.web"):
        client.get(f"/pathways/{pathway}")
        client.get(f"/api/v1/pathways/{pathway}")
        client.get("/api/v1/ptl", params={"page_size": 5})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/pathways/{pathway_id}" in logged
    assert pathway not in logged and trust.ptl["patient_id"][0] not in logged
