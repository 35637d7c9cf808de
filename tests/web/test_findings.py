"""Findings of the attack review (issue 15), each a test that failed before its fix."""

from __future__ import annotations

import re

from .conftest import WebApp


def test_the_users_page_does_not_show_text_from_the_link(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("admin")
    crafted = client.get("/admin/users", params={"error": "Your session expired: call 0800 000 000"})
    assert crafted.status_code in (200, 422)
    assert "0800 000 000" not in crafted.text and "There is a problem" not in crafted.text
    done = client.get("/admin/users", params={"done": "added", "user": 999_999})  # no such user
    assert "Added" not in done.text
    known = client.get("/admin/users", params={"error": "own_admin"})
    assert "You cannot remove your own admin access." in known.text


def test_adding_a_user_says_so_by_the_stored_name(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("admin")
    page = client.get("/admin/users").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    added = client.post("/admin/users", data={"username": "findings1", "full_name": "F One", "role": "viewer",
                                              "password": "a long enough passphrase", "csrf_token": token})
    assert added.status_code == 303 and "done=added" in added.headers["location"]
    assert "Added findings1" in client.get(added.headers["location"]).text


def test_a_huge_page_number_is_refused_not_a_server_error(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("admin")
    for path in ("/api/v1/audit", "/admin/audit"):
        response = client.get(path, params={"page": "99999999999999999999999"})
        assert response.status_code == 422, (path, response.status_code)
        assert client.get(path).status_code == 200  # the next request is served
