"""The privacy notice, imprint and accessibility statement: the operator's details, in every language,
linked from every page; and no production start without them."""

from __future__ import annotations

import pytest

from bulletin import create_app
from bulletin.config import ConfigError

OPERATOR = {
    "BULLETIN_OPERATOR_NAME": "Stadt Neustetten",
    "BULLETIN_OPERATOR_ADDRESS": "Rathausplatz 1, 71234 Neustetten",
    "BULLETIN_OPERATOR_EMAIL": "buergerbuero@neustetten.example",
    "BULLETIN_OPERATOR_PHONE": "+49 7141 100-0",
    "BULLETIN_OPERATOR_REPRESENTATIVE": "Bürgermeisterin Anna Beispiel",
    "BULLETIN_DPO_NAME": "Datenschutz Neustetten",
    "BULLETIN_DPO_EMAIL": "datenschutz@neustetten.example",
    "BULLETIN_SUPERVISORY_AUTHORITY": "Landesbeauftragte für den Datenschutz, Stuttgart",
    "BULLETIN_ACCESSIBILITY_CONTACT": "barrierefrei@neustetten.example",
    "BULLETIN_ACCESSIBILITY_ENFORCEMENT": "Ombudsstelle für barrierefreie IT, Stuttgart",
    "BULLETIN_ACCESSIBILITY_ASSESSED": "2026-03-31",
}
PAGES = ["privacy", "imprint", "accessibility"]


@pytest.fixture
def operator(configure, app):
    configure(**OPERATOR)
    return OPERATOR


@pytest.mark.parametrize("lang", ["en", "de", "ar", "uk"])
@pytest.mark.parametrize("page", PAGES)
def test_each_page_in_each_language_names_the_operator(client, operator, page, lang):
    response = client.get(f"/{lang}/{page}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}"' in html
    assert "Stadt Neustetten" in html and "Rathausplatz 1, 71234 Neustetten" in html
    assert "Set-Cookie" not in response.headers  # reading about privacy sets no cookie either


def test_the_imprint_has_every_contact(client, operator):
    html = client.get("/en/imprint").get_data(as_text=True)
    assert 'href="mailto:buergerbuero@neustetten.example"' in html
    assert 'href="tel:+4971411000"' in html
    assert "Bürgermeisterin Anna Beispiel" in html


def test_the_privacy_notice_names_the_dpo_the_authority_and_the_periods(configure, app, client, operator):
    configure(BULLETIN_REPORT_RETENTION_DAYS=30, BULLETIN_AUDIT_PERSONAL_DAYS=200,
                      BULLETIN_SESSION_IDLE_MINUTES=45, BULLETIN_SIGNUP_CONFIRM_HOURS=24,
                      BULLETIN_REPORT_LIMIT="5 per hour;20 per day", BULLETIN_LOGIN_LIMIT="10 per minute")
    html = client.get("/en/privacy").get_data(as_text=True)
    assert 'href="mailto:datenschutz@neustetten.example"' in html
    assert "Landesbeauftragte für den Datenschutz" in html
    assert "deleted 30 days after the coordinator has dealt with it" in html
    assert "removed 200 days after the last record" in html
    assert "after 45 minutes without activity" in html
    assert "not confirmed within 24 hours" in html
    assert "disappear after at most 24 hours" in html  # the longest window: 20 per day
    assert "Argon2id" in html and "stores no IP addresses" in html


def test_without_optional_settings_the_pages_say_what_applies(client):
    privacy = client.get("/en/privacy").get_data(as_text=True)
    assert "For questions about data protection, write to the address above." in privacy
    assert "for example the one of the federal state where you live" in privacy
    statement = client.get("/en/accessibility").get_data(as_text=True)
    assert "partially compliant" in statement and "Enforcement procedure" not in statement


def test_the_accessibility_statement_has_its_date_contact_and_enforcement_body(configure, app, client,
                                                                              operator):
    html = client.get("/en/accessibility").get_data(as_text=True)
    assert "prepared on March 31, 2026" in html
    assert "self-assessment" in html
    assert 'href="mailto:barrierefrei@neustetten.example"' in html
    assert "Ombudsstelle für barrierefreie IT" in html
    configure(BULLETIN_ACCESSIBILITY_STATUS="full", BULLETIN_ACCESSIBILITY_METHOD="third-party")
    html = client.get("/en/accessibility").get_data(as_text=True)
    assert "fully compliant" in html and "What is not accessible yet" not in html
    assert "an independent body" in html


def test_development_and_tests_show_marked_example_values(client):
    html = client.get("/en/imprint").get_data(as_text=True)
    assert "EXAMPLE Operator (set BULLETIN_OPERATOR_NAME)" in html


def footer_links(html: str) -> bool:
    return all(f'href="/en/{page}"' in html for page in PAGES)


def test_every_page_links_to_them_in_its_footer(client, csrf_token, login, make_user):
    assert footer_links(client.get("/en/").get_data(as_text=True))
    assert footer_links(client.get("/en/account/signup").get_data(as_text=True))
    missing = client.get("/en/nothing-here")
    assert missing.status_code == 404 and footer_links(missing.get_data(as_text=True))
    login(make_user())
    assert footer_links(client.get("/en/dashboard/").get_data(as_text=True))
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    login(make_user(role="coordinator"))
    assert footer_links(client.get("/en/desk/organisations").get_data(as_text=True))


# Starting in production -----------------------------------------------------------------------------------


@pytest.fixture
def production(app_config, monkeypatch):
    """What a production start needs besides the operator's details."""
    for name in OPERATOR:
        monkeypatch.delenv(name, raising=False)
    return {**app_config, "BULLETIN_ENV": "production", "BULLETIN_BASE_URL": "https://board.example.org"}


@pytest.mark.parametrize("missing", ["BULLETIN_OPERATOR_NAME", "BULLETIN_OPERATOR_ADDRESS",
                                     "BULLETIN_OPERATOR_EMAIL"])
def test_production_refuses_to_start_without_the_operator(production, missing):
    settings = {name: value for name, value in OPERATOR.items() if name != missing}
    with pytest.raises(ConfigError, match=missing):
        create_app({**production, **settings})


def test_production_starts_with_the_operator(production):
    app = create_app({**production, **OPERATOR})
    assert app.config["BULLETIN_OPERATOR_NAME"] == "Stadt Neustetten"


@pytest.mark.parametrize(("name", "value"), [("BULLETIN_ACCESSIBILITY_ASSESSED", "31.03.2026"),
                                             ("BULLETIN_ACCESSIBILITY_STATUS", "mostly"),
                                             ("BULLETIN_ACCESSIBILITY_METHOD", "guess")])
def test_a_bad_accessibility_setting_is_refused_by_name(app_config, name, value):
    with pytest.raises(ConfigError, match=name):
        create_app({**app_config, name: value})
