"""Volunteer translators, end to end: the queue, the side-by-side editor, publishing at once or after the
coordinator's review, and translations marked outdated when the original changes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bulletin.models import AuditEntry, Organisation, Posting, TranslationDraft
from bulletin.services import organisations, postings, translations
from bulletin.services.actors import SystemActor

ACTOR = SystemActor("test")
OUTDATED_MSGID = "This translation may be out of date; the original was changed."


def warning_in(language: str) -> str:
    """The outdated-translation warning as a reader of ``language`` sees it."""
    with force_locale(language):
        return gettext(OUTDATED_MSGID)


@pytest.fixture
def translator(make_user, db):
    user = make_user(role="translator", email="dolmetscherin@example.org")
    user.languages = ["ar", "uk"]
    db.commit()
    return user


@pytest.fixture
def sofa(make_posting, make_organisation):
    organisation = make_organisation(name="Möbelbörse Altstadt")
    return make_posting(organisation=organisation, title={"de": "Sofa abzugeben"},
                        bodies={"de": "Dreisitzer, grau, gut erhalten."})


def page(response) -> str:
    return response.get_data(as_text=True)


def digest(subject) -> str:
    return translations.source_digest(subject)


def fresh(db, model, id_):
    db.expire_all()
    return db.get(model, id_)


def actions(db, object_type: str, object_id: int) -> list[str]:
    statement = select(AuditEntry).where(AuditEntry.object_type == object_type,
                                         AuditEntry.object_id == object_id)
    return [entry.action for entry in db.exec(statement.order_by(AuditEntry.id))]


def translate_posting(client, csrf_token, posting, language, title, body="", based_on=None):
    return client.post(f"/en/translate/postings/{posting.id}/{language}", data={
        "title": title, "body": body, "based_on": based_on or digest(posting), "csrf_token": csrf_token(),
    })


def edit_original(db, posting, title, body):
    data = postings.PostingInput(
        type=posting.type, category=posting.category, original_language=posting.original_language,
        titles={**{text.language: text.title for text in posting.texts}, posting.original_language: title},
        bodies={**{text.language: text.body for text in posting.texts}, posting.original_language: body},
        district=posting.district, valid_until=posting.valid_until,
    )
    postings.update_posting(db, ACTOR, posting, data)
    db.commit()


# The queue --------------------------------------------------------------------------------------------


def test_the_queue_lists_what_misses_the_translators_languages(client, login, translator, sofa, make_posting,
                                                               today):
    already = make_posting(title={"de": "Kinderwagen", "ar": "عربة أطفال", "uk": "Дитячий візок"})
    in_ukrainian = make_posting(title={"uk": "Шукаємо перекладача"})
    make_posting(title={"de": "Abgelaufen"}, valid_until=today - timedelta(days=1))
    login(translator)
    html = page(client.get("/en/translate/"))
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if "/translate/postings/" in row]
    assert len(rows) == 3  # the sofa into ar and uk, the Ukrainian posting into ar
    assert sum("Sofa abzugeben" in row for row in rows) == 2
    assert sum("Шукаємо перекладача" in row for row in rows) == 1
    assert "Kinderwagen" not in html and "Abgelaufen" not in html  # translated; not public
    assert f"/en/translate/postings/{sofa.id}/ar" in html and f"/en/translate/postings/{sofa.id}/uk" in html
    assert f"/en/translate/postings/{in_ukrainian.id}/ar" in html
    assert f"/en/translate/postings/{in_ukrainian.id}/uk" not in html  # it is the original
    assert f"/en/translate/postings/{already.id}/" not in html
    assert f"/en/translate/postings/{sofa.id}/fa" not in html  # not one of her languages
    assert '<span class="native-name" lang="ar" dir="rtl">العربية</span>' in html
    only_ukrainian = page(client.get("/en/translate/?language=uk"))
    assert "Sofa abzugeben" in only_ukrainian and "Шукаємо перекладача" not in only_ukrainian


def test_profiles_without_a_translation_are_in_the_queue(client, login, translator, make_organisation):
    organisation = make_organisation(name="Beratung Nord", descriptions={"de": "Wir beraten zu Asyl."})
    make_organisation(name="Ohne Beschreibung", descriptions={})
    make_organisation(name="Noch nicht freigegeben", status="pending")
    login(translator)
    html = page(client.get("/en/translate/?language=ar"))
    assert f"/en/translate/organisations/{organisation.id}/ar" in html
    assert "Organisation profile" in html
    assert "Ohne Beschreibung" not in html and "Noch nicht freigegeben" not in html


def test_newest_first_or_most_read_first(client, login, translator, make_posting, db):
    older = make_posting(title={"de": "Älteres Angebot"})
    newer = make_posting(title={"de": "Neueres Angebot"})
    older.view_count = 50
    db.commit()
    login(translator)
    newest = page(client.get("/en/translate/?language=ar"))
    assert newest.index("Neueres Angebot") < newest.index("Älteres Angebot")
    most_read = page(client.get("/en/translate/?language=ar&order=most-read"))
    assert most_read.index("Älteres Angebot") < most_read.index("Neueres Angebot")
    assert newer.id != older.id


def test_the_public_posting_page_counts_its_readers(client, sofa, db):
    for _ in range(3):
        assert client.get(f"/de/postings/{sofa.id}").status_code == 200
    assert fresh(db, Posting, sofa.id).view_count == 3


def test_a_reader_gets_the_posting_even_when_its_view_cannot_be_counted(client, sofa, db, monkeypatch):
    def busy(_connection, _views):
        raise OperationalError("UPDATE posting", {}, Exception("database is locked"))

    monkeypatch.setattr(postings, "count_views", busy)
    response = client.get(f"/de/postings/{sofa.id}")
    assert response.status_code == 200 and "Sofa abzugeben" in page(response)
    assert fresh(db, Posting, sofa.id).view_count == 0


def test_unknown_queue_filters_are_refused_with_a_message(client, login, translator):
    login(translator)
    assert client.get("/en/translate/?language=fa").status_code == 400  # not hers
    assert client.get("/en/translate/?order=random").status_code == 400


# Translating and publishing at once ---------------------------------------------------------------------


def test_the_editor_shows_the_original_beside_the_form_in_the_target_direction(client, login, translator,
                                                                             sofa):
    login(translator)
    html = page(client.get(f"/en/translate/postings/{sofa.id}/ar"))
    original = html.index("Sofa abzugeben")
    form = html.index('<form method="post"')
    assert '<div class="side-by-side">' in html and original < form
    assert '<p lang="de" dir="auto"><strong>Sofa abzugeben</strong></p>' in html
    assert re.search(r'<input dir="rtl" id="title" lang="ar"', html)
    assert re.search(r'<textarea dir="rtl" id="body" lang="ar"', html)
    assert f'name="based_on" type="hidden" value="{digest(sofa)}"' in html


def test_a_translation_is_published_at_once_and_audited(client, login, csrf_token, translator, sofa, db):
    login(translator)
    response = translate_posting(client, csrf_token, sofa, "ar", "أريكة للتبرع", "أريكة رمادية بثلاثة مقاعد.")
    assert response.status_code == 302 and response.headers["Location"].endswith("/en/translate/")
    public = page(client.get(f"/ar/postings/{sofa.id}"))
    assert '<h1 lang="ar" dir="auto">أريكة للتبرع</h1>' in public
    assert warning_in("ar") not in public
    assert f"/en/translate/postings/{sofa.id}/ar" not in page(client.get("/en/translate/"))
    assert actions(db, "posting", sofa.id) == ["posting.create", "posting.translate"]
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "posting.translate")).one()
    assert entry.actor == translator.email and entry.changes["language"] == "ar"


def test_bad_translations_are_refused_and_nothing_is_stored(client, login, csrf_token, translator, sofa, db):
    login(translator)
    response = translate_posting(client, csrf_token, sofa, "ar", "", "نص بدون عنوان")
    assert response.status_code == 400
    assert "Please fill in this field." in page(response)
    assert "نص بدون عنوان" in page(response)  # what was typed is still there
    assert fresh(db, Posting, sofa.id).languages == ["de"]


def test_a_translator_works_only_on_her_languages_and_public_postings(client, login, csrf_token, translator,
                                                                      sofa, make_posting, db):
    closed = make_posting(title={"de": "Geschlossen"}, status="closed")
    login(translator)
    assert client.get(f"/en/translate/postings/{sofa.id}/fa").status_code == 403
    assert translate_posting(client, csrf_token, sofa, "fa", "مبل").status_code == 403
    assert client.get(f"/en/translate/postings/{sofa.id}/xx").status_code == 404
    assert client.get(f"/en/translate/postings/{sofa.id}/de").status_code == 403  # de is not hers either
    assert client.get(f"/en/translate/postings/{closed.id}/ar").status_code == 404
    assert client.get("/en/translate/postings/999999/ar").status_code == 404
    assert fresh(db, Posting, sofa.id).languages == ["de"]


def test_members_and_visitors_do_not_see_the_translators_pages(client, login, make_user, sofa):
    response = client.get("/en/translate/")
    assert response.status_code == 302 and "/en/account/login" in response.headers["Location"]
    login(make_user())
    assert client.get("/en/translate/").status_code == 403
    assert client.get(f"/en/translate/postings/{sofa.id}/ar").status_code == 403
    assert client.get("/en/translate/review").status_code == 403


def test_a_translator_signs_in_to_her_queue(client, login, translator):
    login(translator)
    response = client.get("/en/dashboard/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/en/translate/")
    html = page(client.get("/en/translate/"))
    assert 'href="/en/translate/">Translations</a>' in html
    assert "/en/dashboard/" not in html  # she has no organisation's board


def test_a_profile_is_translated_side_by_side(client, login, csrf_token, translator, make_organisation, db):
    organisation = make_organisation(name="Beratung Nord", descriptions={"de": "Wir beraten zu Asyl."})
    login(translator)
    html = page(client.get(f"/en/translate/organisations/{organisation.id}/uk"))
    assert '<div class="posting-body" lang="de" dir="auto">Wir beraten zu Asyl.</div>' in html
    assert 'id="title"' not in html  # a profile has no title
    response = client.post(f"/en/translate/organisations/{organisation.id}/uk", data={
        "body": "Ми консультуємо з питань притулку.", "based_on": digest(organisation),
        "csrf_token": csrf_token(),
    })
    assert response.status_code == 302
    public = page(client.get(f"/uk/organisations/{organisation.key}"))
    assert "Ми консультуємо з питань притулку." in public
    assert "organisation.translate" in actions(db, "organisation", organisation.id)


# Outdated translations --------------------------------------------------------------------------------


def test_changing_the_original_marks_translations_outdated_until_saved_again(client, login, csrf_token,
                                                                             translator, sofa, db):
    login(translator)
    translate_posting(client, csrf_token, sofa, "ar", "أريكة للتبرع")
    translate_posting(client, csrf_token, sofa, "uk", "Віддаємо диван")
    edit_original(db, sofa, "Sofa und Sessel abzugeben", "Dreisitzer und Sessel.")

    texts = {text.language: text for text in fresh(db, Posting, sofa.id).texts}
    assert (texts["de"].outdated, texts["ar"].outdated, texts["uk"].outdated) == (False, True, True)
    update = db.exec(select(AuditEntry).where(AuditEntry.action == "posting.update")).one()
    assert update.changes["outdated"] == {"before": [], "after": ["ar", "uk"]}

    public = page(client.get(f"/ar/postings/{sofa.id}"))
    assert warning_in("ar") in public
    assert f'href="/ar/postings/{sofa.id}?text=de">' in public  # the original, a tap away
    card = page(client.get("/ar/"))
    assert warning_in("ar") in card
    assert warning_in("de") not in page(client.get(f"/de/postings/{sofa.id}"))  # the original itself

    queue = page(client.get("/en/translate/"))
    assert "Translation out of date" in queue
    editor = page(client.get(f"/en/translate/postings/{sofa.id}/ar"))
    assert "The original was changed after this translation was made." in editor
    assert 'value="أريكة للتبرع"' in editor  # the translator starts from the old translation
    assert "Sofa und Sessel abzugeben" in editor

    assert translate_posting(client, csrf_token, sofa, "ar", "أريكة وكرسي للتبرع").status_code == 302
    texts = {text.language: text for text in fresh(db, Posting, sofa.id).texts}
    assert (texts["ar"].outdated, texts["uk"].outdated) == (False, True)
    assert warning_in("ar") not in page(client.get(f"/ar/postings/{sofa.id}"))


def test_an_unchanged_original_leaves_translations_current(client, login, csrf_token, translator, sofa, db):
    login(translator)
    translate_posting(client, csrf_token, sofa, "ar", "أريكة للتبرع")
    posting = fresh(db, Posting, sofa.id)
    data = postings.PostingInput(
        type="offer", category="clothing", original_language="de",
        titles={text.language: text.title for text in posting.texts},
        bodies={text.language: text.body for text in posting.texts}, district="Altstadt",
    )
    postings.update_posting(db, ACTOR, posting, data)  # a new category, the same words
    db.commit()
    assert not any(text.outdated for text in fresh(db, Posting, sofa.id).texts)


def test_translations_given_with_the_new_original_stay_current(sofa, db):
    postings.set_translation(db, ACTOR, sofa, "ar", "أريكة", "")
    postings.set_translation(db, ACTOR, sofa, "uk", "Диван", "")
    db.commit()
    data = postings.PostingInput(
        type="offer", category=sofa.category, original_language="de", district="Altstadt",
        titles={"de": "Neues Sofa", "ar": "أريكة جديدة", "uk": "Диван"}, bodies={},
    )
    postings.update_posting(db, ACTOR, sofa, data)  # an import brings the original and Arabic anew
    db.commit()
    texts = {text.language: text.outdated for text in fresh(db, Posting, sofa.id).texts}
    assert texts == {"de": False, "ar": False, "uk": True}


def test_the_organisation_sees_and_clears_outdated_translations(client, login, csrf_token, make_user, sofa,
                                                                db):
    member = make_user(organisation=sofa.organisation)
    postings.set_translation(db, ACTOR, sofa, "ar", "أريكة للتبرع", "")
    db.commit()
    edit_original(db, sofa, "Sofa abzugeben (grau)", "")
    login(member)
    board = page(client.get("/en/dashboard/"))
    assert "Translation out of date" in board
    assert f'href="/en/dashboard/postings/{sofa.id}/translations/ar"' in board
    form = page(client.get(f"/en/dashboard/postings/{sofa.id}/edit"))
    assert "out of date" in form
    own = page(client.get(f"/en/dashboard/postings/{sofa.id}/translations/ar"))
    assert "The original was changed after this translation was made." in own
    # Checked and saved again unchanged: the organisation confirms it, the warning goes.
    response = client.post(f"/en/dashboard/postings/{sofa.id}/translations/ar",
                           data={"title": "أريكة للتبرع", "body": "", "csrf_token": csrf_token()})
    assert response.status_code == 302
    assert not any(text.outdated for text in fresh(db, Posting, sofa.id).texts)
    assert "Translation out of date" not in page(client.get("/en/dashboard/"))


def test_a_changed_profile_marks_its_translations_outdated(client, make_organisation, db):
    organisation = make_organisation(name="Beratung Nord", descriptions={"de": "Wir beraten."})
    organisations.write_description_translation(db, ACTOR, organisation, "ar", "نقدم الاستشارات.")
    db.commit()
    data = organisations.OrganisationInput(
        name=organisation.name, type=organisation.type, email=organisation.email, phone=organisation.phone,
        address=organisation.address, district=organisation.district, languages=organisation.languages,
        descriptions={"de": "Wir beraten zu Asyl und Arbeit.", "ar": "نقدم الاستشارات."},
    )
    organisations.update_profile(db, ACTOR, organisation, data)
    db.commit()
    assert {text.language: text.outdated for text in fresh(db, Organisation, organisation.id).texts} == {
        "de": False, "ar": True,
    }
    assert warning_in("ar") in page(client.get(f"/ar/organisations/{organisation.key}"))


def test_a_translation_of_an_original_that_changed_meanwhile_is_not_lost(client, login, csrf_token,
                                                                         translator, sofa, db):
    login(translator)
    seen = digest(sofa)
    edit_original(db, sofa, "Sofa abzugeben, bis Freitag", "")
    response = translate_posting(client, csrf_token, sofa, "ar", "أريكة للتبرع", based_on=seen)
    assert response.status_code == 409
    html = page(response)
    assert "The original text was changed while you were translating." in html
    assert 'value="أريكة للتبرع"' in html and "Sofa abzugeben, bis Freitag" in html
    assert f'value="{digest(fresh(db, Posting, sofa.id))}"' in html  # sending again now works
    assert "ar" not in fresh(db, Posting, sofa.id).languages


# Publishing after review ------------------------------------------------------------------------------


@pytest.fixture
def with_review(configure, app):
    configure(BULLETIN_TRANSLATION_REVIEW="coordinator")


def test_with_review_a_translation_waits_for_the_coordinator(client, login, csrf_token, translator, sofa,
                                                             make_user, db, with_review):
    coordinator = make_user(role="coordinator")
    login(translator)
    response = translate_posting(client, csrf_token, sofa, "ar", "أريكة للتبرع", "رمادية")
    assert response.status_code == 302
    assert fresh(db, Posting, sofa.id).languages == ["de"]  # not public yet
    assert "أريكة للتبرع" not in page(client.get(f"/ar/postings/{sofa.id}"))
    assert "Waiting for review" in page(client.get("/en/translate/"))
    editor = page(client.get(f"/en/translate/postings/{sofa.id}/ar"))
    assert "is waiting for the coordinator&#39;s review" in editor and 'value="أريكة للتبرع"' in editor
    assert actions(db, "posting", sofa.id)[-1] == "translation.submit"
    assert client.get("/en/translate/review").status_code == 403  # not hers to approve
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})

    login(coordinator)
    assert "1 translation waits for your review" in page(client.get("/en/translate/"))
    review = page(client.get("/en/translate/review"))
    assert "Sofa abzugeben" in review
    assert '<div class="posting-body" lang="ar" dir="auto">رمادية</div>' in review
    assert translator.email in review
    draft = db.exec(select(TranslationDraft)).one()
    assert client.post(f"/en/translate/review/{draft.id}/approve",
                       data={"csrf_token": csrf_token()}).status_code == 302
    assert '<h1 lang="ar" dir="auto">أريكة للتبرع</h1>' in page(client.get(f"/ar/postings/{sofa.id}"))
    assert fresh(db, TranslationDraft, draft.id).status == "approved"
    assert actions(db, "posting", sofa.id)[-3:] == ["translation.submit", "posting.translate",
                                                    "translation.approve"]
    # Approved once is done: a second click changes nothing.
    again = client.post(f"/en/translate/review/{draft.id}/approve", data={"csrf_token": csrf_token()})
    assert again.status_code == 302
    assert "This translation was already reviewed." in page(client.get("/en/translate/review"))


def test_a_rejected_translation_stays_unpublished(client, login, csrf_token, translator, sofa, make_user, db,
                                                  with_review):
    login(translator)
    translate_posting(client, csrf_token, sofa, "uk", "Диван")
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    login(make_user(role="coordinator"))
    draft = db.exec(select(TranslationDraft)).one()
    client.post(f"/en/translate/review/{draft.id}/reject", data={"csrf_token": csrf_token()})
    assert fresh(db, TranslationDraft, draft.id).status == "rejected"
    assert fresh(db, Posting, sofa.id).languages == ["de"]
    assert actions(db, "posting", sofa.id)[-1] == "translation.reject"
    assert "No translation is waiting for review." in page(client.get("/en/translate/review"))


def test_approving_after_the_original_changed_publishes_it_as_outdated(client, login, csrf_token, translator,
                                                                       sofa, make_user, db, with_review):
    login(translator)
    translate_posting(client, csrf_token, sofa, "ar", "أريكة للتبرع")
    edit_original(db, sofa, "Sofa abzugeben, nur noch heute", "")
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    login(make_user(role="coordinator"))
    draft = db.exec(select(TranslationDraft)).one()
    assert "The original was changed after this translation was made." in page(
        client.get("/en/translate/review")
    )
    client.post(f"/en/translate/review/{draft.id}/approve", data={"csrf_token": csrf_token()})
    assert warning_in("ar") in page(client.get(f"/ar/postings/{sofa.id}"))


def test_the_coordinators_own_translation_needs_no_review(client, login, csrf_token, sofa, make_user, db,
                                                          with_review):
    login(make_user(role="coordinator"))
    assert translate_posting(client, csrf_token, sofa, "fa", "مبل رایگان").status_code == 302
    assert "fa" in fresh(db, Posting, sofa.id).languages


def test_a_draft_goes_with_its_posting(sofa, translator, db, with_review, today):
    translations.submit(db, translator, sofa, "ar", "أريكة", "", based_on=digest(sofa), review="coordinator",
                        today=today)
    db.commit()
    db.delete(sofa)
    db.commit()
    assert db.exec(select(TranslationDraft)).all() == []
