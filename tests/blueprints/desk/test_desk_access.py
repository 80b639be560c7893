"""Every page of the desk is the coordinator's: anonymous visitors are sent to sign in, members and
translators are refused. (The actions that change data are tried in tests/test_permissions.py.)"""

from __future__ import annotations

import pytest

DESK_PAGES = [
    "/en/desk/organisations",
    "/en/desk/organisations/all",
    "/en/desk/organisations/{organisation}",
    "/en/desk/postings",
    "/en/desk/postings?review=held",
    "/en/desk/postings/{posting}",
    "/en/desk/reports",
    "/en/desk/statistics",
    "/en/desk/statistics/unmatched.csv",
    "/en/desk/audit",
    "/en/desk/accounts",
]


@pytest.fixture
def things(make_posting):
    posting = make_posting()
    return {"organisation": posting.organisation_id, "posting": posting.id}


def test_the_desk_is_refused_to_everyone_but_the_coordinator(client, login, make_user, things, csrf_token):
    urls = [page.format(**things) for page in DESK_PAGES]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/en/account/login" in response.headers["Location"], url
    for role in ("member", "translator"):
        user = make_user(role=role) if role == "member" else make_user(role=role, email="t@example.org")
        login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403, (role, url)
        client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    login(make_user(role="coordinator", email="c@example.org"))
    assert all(client.get(url).status_code == 200 for url in urls)
