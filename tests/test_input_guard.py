"""The safety net under every request: a NUL byte or a lone surrogate in a query string, a form or a JSON
body is a translated 400 (the API's JSON error under /api/), never a query the database refuses."""

from __future__ import annotations

import json

import pytest

MESSAGE = "holds a character that cannot be accepted"


QUERY_STRINGS = [
    "/en/search?q=Sofa%00",
    "/en/search?district=%00",
    "/en/categories/food?district=Alt%00stadt",
    "/en/organisations?type=ngo%00",
    "/en/postings/1?text=de%00",
    "/en/desk/audit?actor=%00",
    "/en/desk/postings?organisation=1%00",
    "/en/flyer.pdf?lang=de%00",
    "/en/search?%00=1",
]


def test_a_nul_in_the_query_string_is_a_translated_400(client):
    for address in QUERY_STRINGS:
        response = client.get(address)

        assert response.status_code == 400, address
        assert MESSAGE in response.get_data(as_text=True), address
        assert '<html lang="en"' in response.get_data(as_text=True)


def test_the_page_speaks_the_language_of_its_address(client):
    response = client.get("/de/search?q=%00")

    assert response.status_code == 400
    assert '<html lang="de"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "field"), [
    ("q=Sofa%00", "q"), ("district=%00", "district"), ("key=k%00", "key"), ("%00=1", "\\u0000"),
])
def test_the_api_names_the_parameter_in_its_json_error(client, query, field):
    response = client.get(f"/api/v1/postings?{query}", headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    assert MESSAGE in response.get_json()["error"]["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("address", ["/en/organisations/tafel%00", "/api/v1/organisations/tafel%00",
                                     "/en/categories/food%00"])
def test_a_nul_in_the_address_is_no_page(client, make_organisation, address):
    make_organisation(name="Tafel", key="tafel")

    assert client.get(address).status_code == 404


def test_a_nul_in_any_form_field_is_refused_before_the_view(client, csrf_token, db):
    # The login form's hidden "next" is read by no validator; the net still refuses it.
    response = client.post("/en/account/login", data={
        "email": "someone@example.org", "password": "secret secret", "next": "/en/\x00",
        "csrf_token": csrf_token(),
    })

    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


JSON_BODIES = [
    json.dumps({"email": "a\u0000@example.org"}),
    json.dumps({"items": [{"name": "\ud800"}]}),
    json.dumps({"\u0000": 1}),
    b'{"name": "\xff"}',
    "{not json",
    "[" * 100_000,  # nested beyond what the parser reads
]


def test_a_json_body_no_database_can_hold_is_refused(client):
    for body in JSON_BODIES:
        for address in ("/en/search", "/api/v1/postings"):
            response = client.get(address, data=body, content_type="application/json",
                                  headers={"Accept-Language": "en"})  # the API speaks the client's language

            assert response.status_code == 400, (address, body[:20])
            assert MESSAGE in response.get_data(as_text=True)


def test_ordinary_input_passes(client, make_organisation):
    make_organisation(name="Tafel", key="tafel")

    assert client.get("/en/search?q=Sofa+%E2%80%AE+%D8%B3+%FF").status_code == 200
    assert client.get("/api/v1/organisations/tafel").status_code == 200
    assert client.get("/en/search", data=json.dumps({"q": "Tafel \u202e\n"}),
                      content_type="application/json").status_code == 200
