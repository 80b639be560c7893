"""The public JSON API: what it lists, how it filters and pages, how it refuses bad queries, and that
every answer matches the OpenAPI document it publishes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bulletin import i18n
from bulletin.taxonomy import LANGUAGE_CODES

API = "/api/v1"
DOCUMENT_URI = "urn:bulletin:openapi"
LISTED = ["course", "pram", "sofa"]  # newest first


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def _declared_schema(document: dict, path: str, status: int) -> str:
    """A JSON pointer to the schema the document declares for answering ``path`` with ``status``."""
    relative = path[len(API):]
    for template, item in document["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), relative):
            responses = item["get"]["responses"]
            key = str(status) if str(status) in responses else "default"
            response = responses[key]
            if "$ref" in response:
                name = response["$ref"].rsplit("/", 1)[1]
                return _pointer("components", "responses", name, "content", "application/json", "schema")
            return _pointer("paths", template, "get", "responses", key, "content", "application/json",
                            "schema")
    # Addresses the document does not list can only be errors.
    assert status >= 400, path
    return _pointer("components", "schemas", "Error")


@pytest.fixture
def openapi_document(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def api(client, openapi_document):
    """GET an API address and check the answer against the published document before returning it."""
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(openapi_document, default_specification=DRAFT202012)
    )

    def get(path: str, query: dict | str | None = None, **kwargs):
        response = client.get(path, query_string=query, **kwargs)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Set-Cookie" not in response.headers
        if response.status_code != 304:
            assert response.mimetype == "application/json"
            schema = {"$ref": DOCUMENT_URI + _declared_schema(openapi_document, path, response.status_code)}
            validator = Draft202012Validator(
                schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
            validator.validate(response.get_json())
        return response

    return get


@pytest.fixture
def board(make_organisation, make_posting, today):
    """Three listed postings, and one of every kind that must never be listed."""
    helpers = make_organisation("Hilfe Altstadt", key="hilfe-altstadt", type="ngo")
    counselling = make_organisation("Beratung Mühlbach", key="beratung", type="counselling",
                                    district="Mühlbach", descriptions={"de": "Beratung.", "en": "Advice."})
    make_organisation("Quiet Helpers", key="quiet", type="initiative")
    pending = make_organisation("Neu dabei", key="neu", status="pending")
    suspended = make_organisation("Gesperrt", key="gesperrt", status="suspended")
    postings = {
        "sofa": make_posting(helpers, "Sofa abzugeben", key="sofa", district="Altstadt"),
        "pram": make_posting(
            helpers, {"de": "Kinderwagen gesucht", "en": "Looking for a pram"}, key="pram", type="request",
            category="baby-children", district="Oberstadt",
            bodies={"de": "Für ein Baby.", "en": "For a baby."},
        ),
        "course": make_posting(
            counselling, {"ar": "دورة لغة ألمانية"}, key="course", category="language", district="Mühlbach",
            bodies={"ar": "كل يوم اثنين."}, valid_until=today,
        ),
        "closed": make_posting(helpers, "Tisch (vergeben)", key="closed", status="closed"),
        "expired": make_posting(helpers, "Stühle", key="expired", valid_until=today - timedelta(days=1)),
        "pending": make_posting(pending, "Schrank", key="pending"),
        "suspended": make_posting(suspended, "Bett", key="suspended"),
    }
    return {"postings": postings, "helpers": helpers, "counselling": counselling}


def keys(response) -> list[str]:
    return [item["key"] for item in response.get_json()["items"]]


# What is listed


def test_lists_only_open_unexpired_postings_of_approved_organisations(api, board):
    response = api(f"{API}/postings")

    assert response.status_code == 200
    assert keys(response) == LISTED
    assert response.get_json()["total"] == 3
    assert (response.get_json()["page"], response.get_json()["per_page"]) == (1, 20)


def test_a_posting_item_carries_every_text_and_a_link_to_its_page(app, api, board):
    pram = board["postings"]["pram"]

    item = next(item for item in api(f"{API}/postings").get_json()["items"] if item["key"] == "pram")

    assert item == {
        "id": pram.id,
        "key": "pram",
        "type": "request",
        "category": "baby-children",
        "district": "Oberstadt",
        "organisation": {"key": "hilfe-altstadt", "name": "Hilfe Altstadt"},
        "title": {"de": "Kinderwagen gesucht", "en": "Looking for a pram"},
        "body": {"de": "Für ein Baby.", "en": "For a baby."},
        "original_language": "de",
        "valid_until": None,
        "url": url_for("public.posting", lang=app.config["BULLETIN_DEFAULT_LANGUAGE"], posting_id=pram.id,
                       _external=True),
    }


def test_valid_until_is_an_iso_date_and_text_is_sent_as_utf8(api, board, today):
    response = api(f"{API}/postings", {"key": "course"})

    assert response.get_json()["items"][0]["valid_until"] == today.isoformat()
    assert "دورة لغة ألمانية".encode() in response.data


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "kinderwagen"}, ["pram"]),
        ({"q": "PRAM"}, ["pram"]),
        ({"q": "sofa abzugeben"}, ["sofa"]),
        ({"q": "baby"}, ["pram"]),
        ({"q": "Schrank"}, []),
        ({"type": "request"}, ["pram"]),
        ({"type": "offer"}, ["course", "sofa"]),
        ({"category": "language"}, ["course"]),
        ({"category": "housing"}, []),
        ({"district": "Oberstadt"}, ["pram"]),
        ({"district": "Nirgendwo"}, []),
        ({"lang": "en"}, ["pram"]),
        ({"lang": "ar"}, ["course"]),
        ({"lang": "de"}, ["pram", "sofa"]),
        ({"lang": "fa"}, []),
        ({"organisation": "hilfe-altstadt"}, ["pram", "sofa"]),
        ({"organisation": "neu"}, []),
        ({"key": "sofa"}, ["sofa"]),
        ({"key": "closed"}, []),
        ({"type": "offer", "organisation": "hilfe-altstadt"}, ["sofa"]),
        ({"type": "", "q": ""}, LISTED),
    ],
)
def test_each_parameter_filters_the_postings(api, board, query, expected):
    response = api(f"{API}/postings", query)

    assert response.status_code == 200
    assert keys(response) == expected
    assert response.get_json()["total"] == len(expected)


def test_links_point_to_pages_in_the_asked_language_when_the_board_speaks_it(app, api, board):
    pram = board["postings"]["pram"]

    item = api(f"{API}/postings", {"lang": "en"}).get_json()["items"][0]

    assert item["url"] == url_for("public.posting", lang="en", posting_id=pram.id, _external=True)


def test_links_use_the_default_language_when_the_asked_one_is_no_interface_language(
    app, api, board, monkeypatch
):
    # A board may ship fewer interface languages than content languages.
    monkeypatch.setattr(i18n, "ui_languages", lambda app=None: ("de", "en"))
    unspoken = "ar"
    default = app.config["BULLETIN_DEFAULT_LANGUAGE"]

    items = api(f"{API}/postings", {"lang": unspoken}).get_json()["items"]

    assert items
    assert all(item["url"] == url_for("public.posting", lang=default, posting_id=item["id"], _external=True)
               for item in items)


# Paging


def test_pages_split_the_list_and_a_page_past_the_end_is_empty(api, board):
    first = api(f"{API}/postings", {"per_page": 2})
    last = api(f"{API}/postings", {"per_page": 2, "page": 2})
    beyond = api(f"{API}/postings", {"per_page": 2, "page": 3})

    assert keys(first) == LISTED[:2]
    assert keys(last) == LISTED[2:]
    assert keys(beyond) == []
    for response, page in ((first, 1), (last, 2), (beyond, 3)):
        assert response.status_code == 200
        assert response.get_json()["total"] == 3
        assert (response.get_json()["page"], response.get_json()["per_page"]) == (page, 2)


def test_per_page_allows_up_to_a_hundred(api, make_posting, make_organisation):
    organisation = make_organisation()
    for number in range(101):
        make_posting(organisation, f"Angebot {number}")

    full = api(f"{API}/postings", {"per_page": 100})
    rest = api(f"{API}/postings", {"per_page": 100, "page": 2})
    default = api(f"{API}/postings")

    assert (len(full.get_json()["items"]), full.get_json()["total"]) == (100, 101)
    assert len(rest.get_json()["items"]) == 1
    assert len(default.get_json()["items"]) == 20


# One posting


def test_one_listed_posting(app, api, board):
    pram = board["postings"]["pram"]

    response = api(f"{API}/postings/{pram.id}")

    assert response.status_code == 200
    assert response.get_json()["key"] == "pram"
    assert response.get_json()["title"]["en"] == "Looking for a pram"


@pytest.mark.parametrize("key", ["closed", "expired"])
def test_a_closed_or_expired_posting_is_gone(api, board, key):
    response = api(f"{API}/postings/{board['postings'][key].id}")

    assert response.status_code == 410
    assert response.get_json()["error"]["code"] == 410
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("key", ["pending", "suspended"])
def test_postings_of_organisations_not_approved_are_not_found(api, board, key):
    response = api(f"{API}/postings/{board['postings'][key].id}")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404
    assert "Bett" not in response.get_data(as_text=True)


@pytest.mark.parametrize("address", ["/postings/999999", "/postings/0", "/postings/abc", "/postings/-1",
                                     "/postings/99999999999999999999"])
def test_unknown_posting_addresses_answer_json_404(api, board, address):
    response = api(API + address)

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


# Organisations


def test_lists_only_approved_organisations_with_their_open_posting_counts(api, board):
    response = api(f"{API}/organisations")

    items = response.get_json()["items"]
    assert [item["key"] for item in items] == ["beratung", "hilfe-altstadt", "quiet"]
    assert response.get_json()["total"] == 3
    # The closed and the expired posting of Hilfe Altstadt do not count.
    assert {item["key"]: item["open_postings"] for item in items} == {
        "beratung": 1, "hilfe-altstadt": 2, "quiet": 0,
    }


def test_organisation_type_filter_and_paging(api, board):
    counselling = api(f"{API}/organisations", {"type": "counselling"})
    authorities = api(f"{API}/organisations", {"type": "authority"})
    second = api(f"{API}/organisations", {"per_page": 1, "page": 2})
    beyond = api(f"{API}/organisations", {"per_page": 2, "page": 3})

    assert keys(counselling) == ["beratung"]
    assert keys(authorities) == []
    assert keys(second) == ["hilfe-altstadt"]
    assert (second.get_json()["total"], second.get_json()["page"], second.get_json()["per_page"]) == (3, 2, 1)
    assert keys(beyond) == []
    assert beyond.get_json()["total"] == 3


def test_one_approved_organisation(app, api, board):
    response = api(f"{API}/organisations/beratung")

    assert response.status_code == 200
    assert response.get_json() == {
        "key": "beratung",
        "name": "Beratung Mühlbach",
        "type": "counselling",
        "description": {"de": "Beratung.", "en": "Advice."},
        "email": board["counselling"].email,
        "phone": "+49 7141 12345",
        "website": None,
        "address": "Marktplatz 1, Neustetten",
        "district": "Mühlbach",
        "languages": ["de", "en"],
        "verified": False,
        "url": url_for("public.organisation", lang=app.config["BULLETIN_DEFAULT_LANGUAGE"], key="beratung",
                       _external=True),
        "open_postings": 1,
    }


def test_an_organisation_key_may_hold_a_slash(api, make_organisation):
    make_organisation("Verein Süd", key="verein/sued")

    response = api(f"{API}/organisations/verein%2Fsued")

    assert response.status_code == 200
    assert response.get_json()["key"] == "verein/sued"


@pytest.mark.parametrize("key", ["neu", "gesperrt", "nobody", "x" * 101, "nul%00byte"])
def test_organisations_not_approved_or_unknown_are_not_found(api, board, key):
    response = api(f"{API}/organisations/{key}")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


# Bad queries


@pytest.mark.parametrize(
    ("address", "query", "field"),
    [
        ("/postings", "type=gift", "type"),
        ("/postings", "category=toys", "category"),
        ("/postings", "lang=xx", "lang"),
        ("/postings", "page=0", "page"),
        ("/postings", "page=abc", "page"),
        ("/postings", "page=-1", "page"),
        ("/postings", "page=1.5", "page"),
        ("/postings", "page=%2B1", "page"),
        ("/postings", "page=%D9%A2", "page"),  # an Arabic-Indic digit two
        ("/postings", "page=100001", "page"),
        ("/postings", "per_page=500", "per_page"),
        ("/postings", "per_page=0", "per_page"),
        ("/postings", "q=" + "a" * 201, "q"),
        ("/postings", "district=" + "d" * 101, "district"),
        ("/postings", "organisation=" + "o" * 101, "organisation"),
        ("/postings", "key=" + "k" * 101, "key"),
        ("/postings", "page=" + "1" * 11, "page"),
        ("/postings", "q=sofa%00", "q"),
        ("/postings", "district=Alt%0Astadt", "district"),
        ("/postings", "key=sofa%1B", "key"),
        ("/postings", "type=offer&type=request", "type"),
        ("/postings", "page=1&page=1", "page"),
        ("/postings", "sort=newest", "sort"),
        ("/postings", "Type=offer", "Type"),
        ("/organisations", "type=charity", "type"),
        ("/organisations", "per_page=101", "per_page"),
        ("/organisations", "category=food", "category"),
        ("/organisations/beratung", "page=2", "page"),
        ("/postings/1", "lang=en", "lang"),
        ("/openapi.json", "v=2", "v"),
    ],
)
def test_a_bad_parameter_answers_400_naming_it(api, board, address, query, field):
    response = api(API + address, query)

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == 400
    assert error["field"] == field
    assert error["message"].strip()
    assert "Accept-Language" in response.headers.get("Vary", "")


EVERY_PARAMETER = [
    *(("/postings", name) for name in ("q", "type", "category", "district", "lang", "organisation", "key",
                                        "page", "per_page")),
    *(("/organisations", name) for name in ("type", "page", "per_page")),
    ("/postings/1/matches", "limit"),
]


@pytest.mark.parametrize(("address", "name"), EVERY_PARAMETER)
def test_every_parameter_refuses_control_and_invisible_characters(api, address, name):
    # NUL: the safety net under every request (bulletin.input_guard); the others: the text rule.
    refused = {"1\x00": "cannot be accepted", "1\r\n2": "Line breaks are not allowed", "\u202e12": "(U+202E)",
               "1\u200b2": "(U+200B)"}  # short enough for every parameter's length
    for value, message in refused.items():
        response = api(API + address, {name: value}, headers={"Accept-Language": "en"})  # English messages

        assert response.status_code == 400, (name, value)
        error = response.get_json()["error"]
        assert error["field"] == name and message in error["message"], (name, value)


def test_error_messages_say_what_is_allowed(api, board):
    unknown = api(f"{API}/postings", "type=gift").get_json()["error"]["message"]
    too_many = api(f"{API}/postings", "per_page=500").get_json()["error"]["message"]

    assert "offer" in unknown and "request" in unknown
    assert "1" in too_many and "100" in too_many


# The document and the transport


def test_the_openapi_document_is_valid_and_describes_exactly_the_api(openapi_document):
    validate_openapi(openapi_document)

    assert set(openapi_document["paths"]) == {
        "/postings", "/postings/{posting_id}", "/postings/{posting_id}/matches", "/organisations",
        "/organisations/{key}", "/openapi.json",
    }
    assert openapi_document["servers"] == [{"url": API}]
    parameters = {
        path: [parameter["name"] for parameter in item["get"]["parameters"]]
        for path, item in openapi_document["paths"].items()
    }
    assert parameters["/postings"] == [
        "q", "type", "category", "district", "lang", "organisation", "key", "page", "per_page",
    ]
    assert parameters["/organisations"] == ["type", "page", "per_page"]
    lang = next(p for p in openapi_document["paths"]["/postings"]["get"]["parameters"] if p["name"] == "lang")
    assert lang["schema"]["enum"] == list(LANGUAGE_CODES)
    assert set(openapi_document["components"]["schemas"]) >= {"Posting", "Organisation", "Error"}


def test_only_get_is_answered(api, client, board):
    response = client.post(f"{API}/postings")

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == 405
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_api_addresses_answer_json_404(api):
    for address in (f"{API}/nothing", "/api/v2/postings", f"{API}/postings/1/extra"):
        response = api(address)

        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == 404


def test_answers_are_public_short_lived_and_cacheable(api, board):
    response = api(f"{API}/postings")

    assert response.cache_control.public
    assert response.cache_control.max_age == 60
    assert response.headers["ETag"]
    again = api(f"{API}/postings", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_pages_on_other_sites_may_read_answers_and_revalidate_them(client, board):
    preflight = client.options(f"{API}/postings", headers={
        "Origin": "https://town.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match",
    })
    answer = client.get(f"{API}/postings", headers={"Origin": "https://town.example"})

    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Access-Control-Expose-Headers"] == "ETag"


def test_the_api_neither_reads_nor_sets_a_session_cookie(api, client, board):
    with client.session_transaction() as session:
        session.permanent = True
        session["_user_id"] = "1"

    for address in (f"{API}/postings", f"{API}/organisations", f"{API}/openapi.json", f"{API}/postings/0",
                    f"{API}/postings?page=0"):
        response = api(address)

        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")


# Search and matches


def test_q_uses_the_search_engine_best_first_with_word_forms(api, make_posting):
    make_posting(title="Fahrräder für Erwachsene", key="bikes", category="mobility")
    make_posting(title="Fahrradhelm", key="helmet", category="mobility",
                 bodies={"de": "Passt zu jedem Fahrrad."})
    make_posting(title="Kochkurs", key="cooking", category="leisure-sport")

    response = api(f"{API}/postings", {"q": "Fahrrad"})

    assert keys(response) == ["bikes", "helmet"]
    assert response.get_json()["total"] == 2


def test_q_keeps_the_other_filters(api, make_posting):
    make_posting(title="Fahrrad", key="offer", type="offer", category="mobility")
    make_posting(title="Fahrrad gesucht", key="wanted", type="request", category="mobility")

    assert keys(api(f"{API}/postings", {"q": "fahrrad", "type": "request"})) == ["wanted"]


def test_matches_of_a_posting_best_first_with_reasons(api, make_posting):
    request = make_posting(title="Kinderwagen gesucht", key="wanted", type="request",
                           category="baby-children", district="Altstadt",
                           bodies={"de": "Für ein Neugeborenes."})
    make_posting(title="Kinderwagen abzugeben", key="pram", category="baby-children", district="Altstadt")
    make_posting(title="Winterjacke", key="jacket", category="clothing")

    response = api(f"{API}/postings/{request.id}/matches", {"limit": "5"})

    assert response.status_code == 200
    answer = response.get_json()
    assert answer["posting"] == request.id
    assert [match["key"] for match in answer["matches"]] == ["pram"]
    reasons = answer["matches"][0]["reasons"]
    assert {"kind": "category", "value": "baby-children"} in reasons
    assert {"kind": "district", "value": "Altstadt"} in reasons
    assert 0 < answer["matches"][0]["score"] <= 1


def test_matches_of_a_posting_nobody_fits_are_an_empty_list(api, make_posting):
    request = make_posting(title="Klavier gesucht", type="request", category="leisure-sport")
    make_posting(title="Winterjacke", category="clothing")

    assert api(f"{API}/postings/{request.id}/matches").get_json()["matches"] == []


@pytest.mark.parametrize(("query", "status"), [("limit=0", 400), ("limit=51", 400), ("limit=x", 400),
                                               ("other=1", 400)])
def test_matches_refuse_bad_parameters(api, make_posting, query, status):
    request = make_posting(title="Kinderwagen gesucht", type="request")

    assert api(f"{API}/postings/{request.id}/matches?{query}").status_code == status


def test_matches_of_a_closed_or_unknown_posting_are_gone_or_not_found(api, make_posting):
    closed = make_posting(title="Kinderwagen gesucht", type="request", status="closed")

    assert api(f"{API}/postings/{closed.id}/matches").status_code == 410
    assert api(f"{API}/postings/999999/matches").status_code == 404
