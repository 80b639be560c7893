"""Who may change what. Every route that changes data is in ROUTES; each is tried by everyone who must not
use it, and the database (and the outbox) must be exactly as before. Then the rightful user succeeds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select as sql_select
from sqlmodel import Session, SQLModel, select

from bulletin.db import get_engine, get_session
from bulletin.models import Organisation, OrganisationMessage, Posting, Report, TranslationDraft, User
from bulletin.services import accounts, expiry, listing, moderation, reports, translations
from bulletin.services.actors import SystemActor

OTHER = "member of another organisation"
ANONYMOUS = "anonymous visitor"
PENDING = "member of a pending organisation"
NO_CSRF = "no CSRF token"
SCENARIOS = (OTHER, ANONYMOUS, PENDING, NO_CSRF)
TRANSLATOR = "volunteer translator"  # tried on the coordinator's review of translations
DESK_REFUSALS = (*SCENARIOS, TRANSLATOR)  # the coordinator's decisions: refused to everyone else

NEW_PASSWORD = "another long passphrase"

PASSWORD = "correct horse battery"  # what make_user in conftest.py gives every account


@dataclass
class Side:
    """One organisation with a member, an open and a closed posting."""

    organisation: Organisation
    organisation_id: int  # kept apart: the object itself is gone once a rejection deleted it
    member: User
    posting: Posting
    closed_posting: Posting


@dataclass
class World:
    approved: Side
    pending: Side
    other_member: User  # of a third, approved organisation
    coordinator: User
    reset_token: str  # for the approved side's member
    today: date
    translator: User | None = None  # translates into Arabic and Ukrainian
    draft: TranslationDraft | None = None  # the translator's Ukrainian posting text, waiting for review
    desk: Desk | None = None  # what the coordinator's decisions act on


@dataclass
class Desk:
    """A hidden and a held posting (of the third organisation), a suspended and verified organisation, an open
    report and an open message about the approved side, a deactivated account, and a renew link for the
    approved side's posting."""

    hidden_posting: Posting
    held_posting: Posting
    suspended: Organisation
    report: Report
    message: OrganisationMessage
    inactive: User
    renew_url: str


def desk_for(app, world: World, make_organisation, make_posting, make_user) -> Desk:
    db, coordinator, approved = get_session(), SystemActor("test-setup"), world.approved
    hidden = make_posting(organisation=world.other_member.organisation)
    moderation.hide_posting(db, coordinator, hidden, "Doppelt eingestellt")
    held = make_posting(organisation=world.other_member.organisation)
    held.moderation = "held"
    suspended = make_organisation(name="Ausgesetzt", status="suspended", verified=True)
    inactive = make_user(organisation=suspended)
    inactive.active = False
    report = reports.report_posting(db, approved.posting, "wrong", "Falsche Adresse")
    message = moderation.ask_for_changes(db, coordinator, approved.organisation, "Bitte Logo ergänzen.")
    reminder = expiry.record_reminder(db, approved.posting)
    db.commit()
    return Desk(hidden_posting=hidden, held_posting=held, suspended=suspended, report=report, message=message,
                inactive=inactive, renew_url=f"/en/renew/{expiry.make_token(app.secret_key, reminder)}")


@pytest.fixture
def world(app, make_organisation, make_user, make_posting, today) -> World:
    def side(name: str, status: str) -> Side:
        organisation = make_organisation(name=name, status=status)
        return Side(
            organisation=organisation,
            organisation_id=organisation.id,
            member=make_user(organisation=organisation),
            posting=make_posting(organisation=organisation, valid_until=today + timedelta(days=30)),
            closed_posting=make_posting(organisation=organisation, status="closed"),
        )

    approved = side("Tafel Neustetten", "approved")
    translator = make_user(role="translator")
    translator.languages = ["ar", "uk"]
    db = get_session()
    draft = TranslationDraft(posting_id=approved.posting.id, language="uk", title="Пропонуємо диван",
                             source_digest=translations.source_digest(approved.posting),
                             translator_id=translator.id, translator_email=translator.email)
    db.add(draft)
    db.commit()
    built = World(
        approved=approved,
        pending=side("Neu und wartend", "pending"),
        other_member=make_user(organisation=make_organisation(name="Ganz andere Gruppe")),
        coordinator=make_user(role="coordinator"),
        reset_token=accounts.make_reset_token(app.secret_key, approved.member),
        today=today,
        translator=translator,
        draft=draft,
    )
    built.desk = desk_for(app, built, make_organisation, make_posting, make_user)
    return built


# What the rightful users send ------------------------------------------------------------------------------


def posting_form(world: World) -> dict:
    return {
        "type": "request",
        "category": "food",
        "original_language": "de",
        "title": "Wir suchen Helfer für die Ausgabe",
        "body": "Jeden Freitag ab 14 Uhr.",
        "district": "",
        "valid_until": (world.today + timedelta(days=60)).isoformat(),
    }


def profile_form(_world: World) -> dict:
    return {
        "name": "Tafel Neustetten e.V.",
        "type": "ngo",
        "description_language": "de",
        "description": "Lebensmittel für alle.",
        "languages": ["de"],
        "district": "",
    }


def signup_form(_world: World) -> dict:
    return {
        **profile_form(_world),
        "name": "Frisch angemeldet",
        "account_email": "neu@example.org",
        "password": PASSWORD,
        "password_repeat": PASSWORD,
        "privacy_consent": "y",
    }


def fresh(db: Session, model, id_):
    db.expire_all()
    return db.get(model, id_)


@dataclass(frozen=True)
class Route:
    endpoint: str
    url: Callable[[World, Side], str]
    form: Callable[[World], dict]
    # "posting": the URL names a posting; "own": it acts on the signed-in member's organisation;
    # "desk": the coordinator's; "account": signing up, in and resetting.
    reach: str
    rightful: tuple[str, ...]
    refused: tuple[str, ...]
    changed: Callable[[World, Session, list], bool]
    success: int = 302


ROUTES = [
    Route(
        "dashboard.new_posting",
        lambda w, s: "/en/dashboard/postings/new",
        posting_form,
        "own",
        ("member",),
        SCENARIOS,
        lambda w, db, mails: (
            len(db.exec(select(Posting).where(Posting.organisation_id == w.approved.organisation.id)).all())
            == 3
        ),
    ),
    Route(
        "dashboard.edit_posting",
        lambda w, s: f"/en/dashboard/postings/{s.posting.id}/edit",
        posting_form,
        "posting",
        ("member", "coordinator"),
        SCENARIOS,
        lambda w, db, mails: (
            fresh(db, Posting, w.approved.posting.id).text("de").title == "Wir suchen Helfer für die Ausgabe"
        ),
    ),
    Route(
        "dashboard.renew_posting",
        lambda w, s: f"/en/dashboard/postings/{s.posting.id}/renew",
        lambda w: {},
        "posting",
        ("member", "coordinator"),
        SCENARIOS,
        lambda w, db, mails: (
            fresh(db, Posting, w.approved.posting.id).valid_until == w.today + timedelta(days=90)
        ),
    ),
    Route(
        "dashboard.close_posting",
        lambda w, s: f"/en/dashboard/postings/{s.posting.id}/close",
        lambda w: {},
        "posting",
        ("member", "coordinator"),
        SCENARIOS,
        lambda w, db, mails: fresh(db, Posting, w.approved.posting.id).status == "closed",
    ),
    Route(
        "dashboard.reopen_posting",
        lambda w, s: f"/en/dashboard/postings/{s.closed_posting.id}/reopen",
        lambda w: {},
        "posting",
        ("member", "coordinator"),
        SCENARIOS,
        lambda w, db, mails: fresh(db, Posting, w.approved.closed_posting.id).status == "open",
    ),
    Route(
        "dashboard.translation",
        lambda w, s: f"/en/dashboard/postings/{s.posting.id}/translations/ar",
        lambda w: {"title": "نبحث عن متطوعين", "body": ""},
        "posting",
        ("member", "coordinator"),
        SCENARIOS,
        lambda w, db, mails: "ar" in fresh(db, Posting, w.approved.posting.id).languages,
    ),
    Route(
        "dashboard.profile",
        lambda w, s: "/en/dashboard/profile",
        profile_form,
        "own",
        ("member",),
        (OTHER, ANONYMOUS, NO_CSRF),  # a pending organisation may keep its profile right: see below
        lambda w, db, mails: (
            fresh(db, Organisation, w.approved.organisation.id).name == "Tafel Neustetten e.V."
        ),
    ),
    Route(
        "dashboard.members",
        lambda w, s: "/en/dashboard/members",
        lambda w: {"email": "neue.kollegin@example.org"},
        "own",
        ("member",),
        SCENARIOS,
        lambda w, db, mails: (
            accounts.get_by_email(db, "neue.kollegin@example.org").organisation_id
            == w.approved.organisation.id
            and len(mails) == 1
        ),
    ),
    Route(
        "dashboard.match_digest",
        lambda w, s: "/en/dashboard/match-digest",
        lambda w: {"match_digest": "y"},
        "own",
        ("member",),
        SCENARIOS,
        lambda w, db, mails: fresh(db, Organisation, w.approved.organisation.id).match_digest is True,
    ),
    Route(
        "translate.posting",
        lambda w, s: f"/en/translate/postings/{s.posting.id}/ar",
        lambda w: {"title": "نقدم أريكة", "body": "",
                   "based_on": translations.source_digest(w.approved.posting)},
        "translate",
        ("translator", "coordinator"),
        SCENARIOS,
        lambda w, db, mails: "ar" in fresh(db, Posting, w.approved.posting.id).languages,
    ),
    Route(
        "translate.organisation",
        lambda w, s: f"/en/translate/organisations/{s.organisation_id}/ar",
        lambda w: {"body": "نحن نساعد بكل سرور.",
                   "based_on": translations.source_digest(w.approved.organisation)},
        "translate",
        ("translator", "coordinator"),
        SCENARIOS,
        lambda w, db, mails: "ar" in {
            text.language for text in fresh(db, Organisation, w.approved.organisation_id).texts
        },
    ),
    Route(
        "translate.approve",
        lambda w, s: f"/en/translate/review/{w.draft.id}/approve",
        lambda w: {},
        "desk",
        ("coordinator",),
        (*SCENARIOS, TRANSLATOR),
        lambda w, db, mails: "uk" in fresh(db, Posting, w.approved.posting.id).languages,
    ),
    Route(
        "translate.reject",
        lambda w, s: f"/en/translate/review/{w.draft.id}/reject",
        lambda w: {},
        "desk",
        ("coordinator",),
        (*SCENARIOS, TRANSLATOR),
        lambda w, db, mails: fresh(db, TranslationDraft, w.draft.id).status == "rejected",
    ),
    Route(
        "desk.approve_organisation",
        lambda w, s: f"/en/desk/organisations/{w.pending.organisation.id}/approve",
        lambda w: {},
        "desk",
        ("coordinator",),
        DESK_REFUSALS,
        lambda w, db, mails: fresh(db, Organisation, w.pending.organisation.id).status == "approved",
    ),
    Route(
        "desk.reject_organisation",
        lambda w, s: f"/en/desk/organisations/{w.pending.organisation.id}/reject",
        lambda w: {"reason": "Bitte über den Dachverband."},
        "desk",
        ("coordinator",),
        DESK_REFUSALS,
        lambda w, db, mails: fresh(db, Organisation, w.pending.organisation_id) is None,
    ),
    Route(
        "printing.feature_organisations",
        lambda w, s: "/en/desk/flyer/featured",
        lambda w: {"organisations": [str(w.approved.organisation.id)]},
        "desk",
        ("coordinator",),
        SCENARIOS,
        lambda w, db, mails: fresh(db, Organisation, w.approved.organisation.id).featured,
    ),
    *[
        Route(f"desk.{endpoint}", url, form, "desk", ("coordinator",), DESK_REFUSALS, changed)
        for endpoint, url, form, changed in (
            ("message_organisation",
             lambda w, s: f"/en/desk/organisations/{w.approved.organisation_id}/message",
             lambda w: {"text": "Bitte Öffnungszeiten ergänzen."},
             lambda w, db, mails: len(moderation.messages_of(db, w.approved.organisation_id)) == 2
             and [mail["To"] for mail in mails] == [w.approved.member.email]),
            ("resolve_message",
             lambda w, s: f"/en/desk/organisations/{w.approved.organisation_id}/messages/{w.desk.message.id}"
             "/resolve",
             lambda w: {},
             lambda w, db, mails: not fresh(db, OrganisationMessage, w.desk.message.id).is_open),
            ("suspend_organisation",
             lambda w, s: f"/en/desk/organisations/{w.approved.organisation_id}/suspend",
             lambda w: {"reason": "Beschwerden"},
             lambda w, db, mails: fresh(db, Organisation, w.approved.organisation_id).status == "suspended"),
            ("restore_organisation",
             lambda w, s: f"/en/desk/organisations/{w.desk.suspended.id}/restore",
             lambda w: {},
             lambda w, db, mails: fresh(db, Organisation, w.desk.suspended.id).status == "approved"),
            ("verify_organisation",
             lambda w, s: f"/en/desk/organisations/{w.approved.organisation_id}/verify",
             lambda w: {},
             lambda w, db, mails: fresh(db, Organisation, w.approved.organisation_id).verified),
            ("unverify_organisation",
             lambda w, s: f"/en/desk/organisations/{w.desk.suspended.id}/unverify",
             lambda w: {},
             lambda w, db, mails: not fresh(db, Organisation, w.desk.suspended.id).verified),
            ("hide_posting",
             lambda w, s: f"/en/desk/postings/{w.approved.posting.id}/hide",
             lambda w: {"reason": "Bitte ohne Preise."},
             lambda w, db, mails: fresh(db, Posting, w.approved.posting.id).moderation == "hidden"),
            ("restore_posting",
             lambda w, s: f"/en/desk/postings/{w.desk.hidden_posting.id}/restore",
             lambda w: {},
             lambda w, db, mails: fresh(db, Posting, w.desk.hidden_posting.id).moderation == "visible"),
            ("release_posting",
             lambda w, s: f"/en/desk/postings/{w.desk.held_posting.id}/release",
             lambda w: {},
             lambda w, db, mails: fresh(db, Posting, w.desk.held_posting.id).moderation == "visible"),
            ("resolve_report",
             lambda w, s: f"/en/desk/reports/{w.desk.report.id}/resolve",
             lambda w: {"note": "Adresse korrigiert."},
             lambda w, db, mails: fresh(db, Report, w.desk.report.id).status == "resolved"),
            ("dismiss_report",
             lambda w, s: f"/en/desk/reports/{w.desk.report.id}/dismiss",
             lambda w: {},
             lambda w, db, mails: fresh(db, Report, w.desk.report.id).status == "dismissed"),
            ("accounts",
             lambda w, s: "/en/desk/accounts",
             lambda w: {"email": "neu.uebersetzt@example.org", "role": "translator", "languages": ["ar"]},
             lambda w, db, mails: accounts.get_by_email(db, "neu.uebersetzt@example.org").role == "translator"
             and [mail["To"] for mail in mails] == ["neu.uebersetzt@example.org"]),
            ("deactivate_account",
             lambda w, s: f"/en/desk/accounts/{w.other_member.id}/deactivate",
             lambda w: {},
             lambda w, db, mails: not fresh(db, User, w.other_member.id).active),
            ("reactivate_account",
             lambda w, s: f"/en/desk/accounts/{w.desk.inactive.id}/reactivate",
             lambda w: {},
             lambda w, db, mails: fresh(db, User, w.desk.inactive.id).active),
            ("send_reset",
             lambda w, s: f"/en/desk/accounts/{w.approved.member.id}/send-reset",
             lambda w: {},
             lambda w, db, mails: [mail["To"] for mail in mails] == [w.approved.member.email]),
        )
    ],
    # A visitor's report, and the holder of a renew link: no account needed, but the form's CSRF token.
    Route(
        "reports.posting",
        lambda w, s: f"/en/report/posting/{w.approved.posting.id}",
        lambda w: {"reason": "wrong", "text": "Die Adresse stimmt nicht."},
        "public",
        ("visitor",),
        (NO_CSRF,),
        lambda w, db, mails: db.exec(select(Report).where(Report.text == "Die Adresse stimmt nicht.")).first()
        is not None,
    ),
    Route(
        "reports.organisation",
        lambda w, s: f"/en/report/organisation/{w.approved.organisation.key}",
        lambda w: {"reason": "money", "text": ""},
        "public",
        ("visitor",),
        (NO_CSRF,),
        lambda w, db, mails: db.exec(select(Report).where(Report.reason == "money")).first() is not None,
    ),
    Route(
        "renewal.renew",
        lambda w, s: w.desk.renew_url,
        lambda w: {},
        "public",
        ("visitor",),
        (NO_CSRF,),
        lambda w, db, mails: (
            fresh(db, Posting, w.approved.posting.id).valid_until == w.today + timedelta(days=90)
        ),
        success=200,
    ),
    # Visitors are the rightful users of these; signed-in members are sent on to their dashboard.
    Route(
        "account.signup",
        lambda w, s: "/en/account/signup",
        signup_form,
        "account",
        ("visitor",),
        (OTHER, PENDING, NO_CSRF),
        # The same page for new and known addresses; the account waits for its address to be confirmed.
        lambda w, db, mails: (
            accounts.get_by_email(db, "neu@example.org").organisation.status == "pending"
            and accounts.get_by_email(db, "neu@example.org").email_confirmed_at is None
            and [mail["To"] for mail in mails] == ["neu@example.org"]
        ),
        success=200,
    ),
    Route(
        "account.login",
        lambda w, s: "/en/account/login",
        lambda w: {"email": w.approved.member.email, "password": PASSWORD},
        "account",
        ("visitor",),
        (NO_CSRF,),
        lambda w, db, mails: fresh(db, User, w.approved.member.id).last_login_at is not None,
    ),
    Route(
        "account.forgot_password",
        lambda w, s: "/en/account/forgot-password",
        lambda w: {"email": w.approved.member.email},
        "account",
        ("visitor",),
        (NO_CSRF,),
        lambda w, db, mails: [mail["To"] for mail in mails] == [w.approved.member.email],
        success=200,
    ),
    Route(
        "account.reset_password",
        lambda w, s: f"/en/account/reset/{w.reset_token}",
        lambda w: {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        "account",
        ("visitor",),
        (NO_CSRF,),
        lambda w, db, mails: accounts.authenticate(db, w.approved.member.email, NEW_PASSWORD) is not None,
    ),
]

REFUSALS = [
    pytest.param(route, scenario, id=f"{route.endpoint}: {scenario}")
    for route in ROUTES
    for scenario in route.refused
]
RIGHTFUL = [
    pytest.param(route, actor, id=f"{route.endpoint}: {actor}")
    for route in ROUTES
    for actor in route.rightful
]


def test_every_route_that_changes_data_is_in_the_table(app):
    """A new POST route must be added to ROUTES, or this fails."""
    changing = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods
        and rule.endpoint.split(".")[0]
        in {"account", "dashboard", "desk", "translate", "printing", "reports", "renewal"}
    }
    assert changing - {"account.logout"} == {route.endpoint for route in ROUTES}  # sign-out keeps no data


# Looking at the whole database ------------------------------------------------------------------------------


def database_rows() -> dict[str, list]:
    """Every row of every table, read on a connection of its own: what is really stored."""
    with get_engine().connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(table.select())), key=repr)
            for table in SQLModel.metadata.sorted_tables
        }


def organisation_rows(organisation_id: int) -> dict[str, list]:
    """The rows that belong to one organisation: itself, its texts, postings and accounts."""
    tables = SQLModel.metadata.tables
    posting, posting_text = tables["posting"], tables["posting_text"]
    own_postings = sql_select(posting.c.id).where(posting.c.organisation_id == organisation_id)
    queries = {
        "organisation": tables["organisation"].select().where(tables["organisation"].c.id == organisation_id),
        "organisation_text": tables["organisation_text"]
        .select()
        .where(tables["organisation_text"].c.organisation_id == organisation_id),
        "posting": posting.select().where(posting.c.organisation_id == organisation_id),
        "posting_text": posting_text.select().where(posting_text.c.posting_id.in_(own_postings)),
        "user_account": tables["user_account"]
        .select()
        .where(tables["user_account"].c.organisation_id == organisation_id),
    }
    with get_engine().connect() as connection:
        return {
            name: sorted((tuple(row) for row in connection.execute(query)), key=repr)
            for name, query in queries.items()
        }


def rightful_user(world: World, actor: str) -> User | None:
    return {"member": world.approved.member, "coordinator": world.coordinator, "visitor": None,
            "translator": world.translator}[actor]


def expected_refusal(route: Route, scenario: str) -> int:
    if scenario == NO_CSRF:
        return 400
    if scenario == ANONYMOUS or route.reach == "account":
        return 302  # to the sign-in page, or a signed-in member to the dashboard
    if route.reach == "posting" and scenario == OTHER:
        return 404  # another organisation's posting is not even acknowledged
    return 403


# The matrix ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "scenario"), REFUSALS)
def test_refused_and_nothing_changes(route, scenario, world, client, login, csrf_token, mails):
    signed_in = {
        OTHER: world.other_member,
        ANONYMOUS: None,
        PENDING: world.pending.member,
        NO_CSRF: rightful_user(world, route.rightful[0]),
        TRANSLATOR: world.translator,
    }[scenario]
    if signed_in is not None:
        login(signed_in)
    target = world.pending if scenario == PENDING else world.approved
    data = route.form(world)
    if scenario != NO_CSRF:
        data["csrf_token"] = csrf_token()

    if route.reach == "own" and scenario == OTHER:
        # These routes take no id: a member of another organisation can only reach their own, never this one.
        before = organisation_rows(world.approved.organisation.id)
        client.post(route.url(world, target), data=data)
        assert organisation_rows(world.approved.organisation.id) == before
        return

    before = database_rows()
    response = client.post(route.url(world, target), data=data)
    assert response.status_code == expected_refusal(route, scenario), response.get_data(as_text=True)
    if scenario == ANONYMOUS:
        assert "/en/account/login" in response.headers["Location"]
    assert database_rows() == before
    assert mails == []


@pytest.mark.parametrize(("route", "actor"), RIGHTFUL)
def test_the_rightful_user_succeeds(route, actor, world, client, login, csrf_token, db, mails):
    user = rightful_user(world, actor)
    if user is not None:
        login(user)
    before = database_rows()
    response = client.post(
        route.url(world, world.approved), data={**route.form(world), "csrf_token": csrf_token()}
    )
    assert response.status_code == route.success, response.get_data(as_text=True)
    assert route.changed(world, db, mails)
    if route.endpoint != "account.forgot_password":  # a mail is its whole effect
        assert database_rows() != before


def test_a_pending_organisation_may_keep_its_own_profile_right(world, client, login, csrf_token, db):
    login(world.pending.member)
    data = {**profile_form(world), "name": "Neu und wartend e.V.", "csrf_token": csrf_token()}
    response = client.post("/en/dashboard/profile", data=data)
    assert response.status_code == 302
    organisation = fresh(db, Organisation, world.pending.organisation.id)
    assert organisation.name == "Neu und wartend e.V."
    assert organisation.status == "pending"  # editing is not approving


# The whole way, from sign-up to a public posting ---------------------------------------------------------


def test_sign_up_wait_for_approval_then_post_publicly(client, csrf_token, make_user, login, db, today,
                                                      mails):
    coordinator = make_user(role="coordinator")
    signup = {**signup_form(None), "name": "Sprachpaten Oberstadt", "csrf_token": csrf_token()}
    assert client.post("/en/account/signup", data=signup).status_code == 200
    [confirmation] = mails
    link = re.search(r"https?://[^/\s]+(/\S+)", confirmation.get_content()).group(1)
    assert client.post(link, data={"csrf_token": csrf_token()}).status_code == 302  # signed in now
    member = accounts.get_by_email(db, "neu@example.org")
    organisation_id = member.organisation_id

    posting = {**posting_form(World(None, None, None, None, "", today)), "csrf_token": csrf_token()}
    assert client.post("/en/dashboard/postings/new", data=posting).status_code == 403
    assert listing.list_postings(db, today, listing.PostingFilter(), 1, 20).total == 0
    assert client.get("/en/organisations").get_data(as_text=True).count("Sprachpaten Oberstadt") == 0

    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    login(coordinator)
    approve = client.post(
        f"/en/desk/organisations/{organisation_id}/approve", data={"csrf_token": csrf_token()}
    )
    assert approve.status_code == 302
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})

    login(member)
    assert "/en/dashboard/postings/new" in client.get("/en/dashboard/").get_data(as_text=True)
    posting["csrf_token"] = csrf_token()  # signing in starts a new session, with a new token
    assert client.post("/en/dashboard/postings/new", data=posting).status_code == 302
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})

    listed = listing.list_postings(db, today, listing.PostingFilter(), 1, 20)
    assert [item.organisation.name for item in listed.items] == ["Sprachpaten Oberstadt"]
    public = client.get(f"/en/postings/{listed.items[0].id}")
    assert public.status_code == 200
    assert "Wir suchen Helfer für die Ausgabe" in public.get_data(as_text=True)
