"""A user's own account: changing the password, with errors on the form; error pages keep the navigation;
every signed-in page says which snapshot its data is from."""

from __future__ import annotations

import re

from carebacklog.store import list_audit, make_engine, make_sessionmaker

from .conftest import NOW, PASSWORDS, WebApp


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _change(client, current: str, new: str, confirm: str):  # type: ignore[no-untyped-def]
    token = _csrf(client.get("/account").text)
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm_password": confirm, "csrf_token": token},
    )


def test_a_wrong_current_password_or_a_short_new_one_is_shown_on_the_form(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("viewer")
    wrong = _change(client, "not my password", "a long new passphrase", "a long new passphrase")
    assert wrong.status_code == 400
    assert "There is a problem" in wrong.text and 'href="#current_password"' in wrong.text
    short = _change(client, PASSWORDS["viewer"], "short", "short")
    assert short.status_code == 400 and "at least 12 characters" in short.text
    mismatch = _change(client, PASSWORDS["viewer"], "a long new passphrase", "a long new passphrasf")
    assert mismatch.status_code == 400 and "do not match" in mismatch.text
    assert PASSWORDS["viewer"] not in mismatch.text  # nothing typed into a password field comes back
    missing_token = client.post("/account/password", data={"current_password": PASSWORDS["viewer"]})
    assert missing_token.status_code == 403


def test_changing_the_password_keeps_this_browser_signed_in_and_signs_out_the_others(sqlite_web: WebApp) -> None:
    from fastapi.testclient import TestClient

    from carebacklog.store import create_user, session_scope

    old, new = "changer password 1", "another changer passphrase"
    engine = make_engine(sqlite_web.url)
    with session_scope(make_sessionmaker(engine)) as db:
        create_user(db, username="changer", password=old, role="viewer", full_name="Changer", now=NOW)

    def signed_in() -> TestClient:
        client = TestClient(sqlite_web.app, follow_redirects=False)
        assert client.post("/api/v1/session", json={"username": "changer", "password": old}).status_code == 200
        return client

    mine, other = signed_in(), signed_in()
    done = _change(mine, old, new, new)
    assert done.status_code == 303 and done.headers["location"] == "/account?done=password"
    assert "Your password has been changed" in mine.get(done.headers["location"]).text  # still signed in
    assert other.get("/equity").status_code == 303  # the other session ended: back to the login page
    login = TestClient(sqlite_web.app).post("/api/v1/session", json={"username": "changer", "password": new})
    assert login.status_code == 200
    with make_sessionmaker(engine)() as db:
        _, entries = list_audit(db, object_type="user", object_id="changer")
    engine.dispose()
    assert "change_password" in [e.action for e in entries]


def test_error_pages_keep_the_navigation_of_the_signed_in_user(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("viewer")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and 'href="/equity"' in missing.text and "Not found" in missing.text
    refused = client.get("/ptl")
    assert refused.status_code == 403 and 'href="/forecast"' in refused.text
    assert "signed in as viewer with the viewer role" in refused.text


def test_every_signed_in_page_says_which_snapshot_it_shows(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("ptl")
    for path in ("/", "/ptl", "/equity", "/account"):
        html = client.get(path).text
        assert "data as at 30 November 2024, loaded 2 December 2024 09:30 UTC" in html, path
