"""The picture of needs: counts of what is listed, history from snapshots, requests without offers,
languages, and CSV cells a spreadsheet cannot run."""

import csv
import io
from datetime import timedelta

import pytest

from bulletin.models import OpenPostingsSnapshot
from bulletin.services import moderation, statistics
from bulletin.services.actors import SystemActor


def test_counts_cover_only_listed_postings_per_category_and_district(
    db, make_organisation, make_posting, today
):
    organisation = make_organisation()
    make_posting(organisation=organisation, category="food", district="Altstadt")
    make_posting(organisation=organisation, category="food", type="request", district=None)
    make_posting(organisation=organisation, category="food", status="closed")
    make_posting(organisation=organisation, category="food", valid_until=today - timedelta(days=1))
    hidden = make_posting(organisation=organisation, category="food")
    moderation.hide_posting(db, SystemActor("coordinator"), hidden, "Doppelt")
    make_posting(organisation=make_organisation(status="suspended"), category="food")
    db.commit()

    by_category = statistics.open_by_category(db, today)
    assert list(by_category)[0] == "clothing"  # every category, in the board's order
    assert by_category["food"] == statistics.TypeCounts(offers=1, requests=1)
    assert by_category["housing"] == statistics.TypeCounts()
    assert statistics.open_by_district(db, today) == {
        "Altstadt": statistics.TypeCounts(1, 0),
        "": statistics.TypeCounts(0, 1),
    }


def test_unmatched_requests_are_those_without_an_offer_in_their_category_and_district(
    db, make_organisation, make_posting, today
):
    organisation = make_organisation()
    make_posting(organisation=organisation, category="housing", district="Altstadt")
    make_posting(organisation=organisation, category="clothing", district=None)  # the whole town
    served_locally = make_posting(organisation=organisation, type="request", category="housing",
                                  district="Altstadt")
    elsewhere = make_posting(organisation=organisation, type="request", category="housing",
                             district="Oberstadt")
    anywhere = make_posting(organisation=organisation, type="request", category="housing", district=None)
    served_town_wide = make_posting(organisation=organisation, type="request", category="clothing",
                                    district="Unterried")
    nothing = make_posting(organisation=organisation, type="request", category="health", district=None)

    unmatched = statistics.unmatched_requests(db, today)

    assert [posting.id for posting in unmatched] == [elsewhere.id, nothing.id]
    assert {served_locally.id, anywhere.id, served_town_wide.id}.isdisjoint(p.id for p in unmatched)
    oldest = statistics.oldest_open_requests(db, today, limit=2)
    assert [posting.id for posting in oldest] == [served_locally.id, elsewhere.id]


def test_a_snapshot_is_written_once_a_day_and_makes_the_weekly_history(db, make_posting, today):
    make_posting(category="food")
    make_posting(category="food", type="request", district="Oberstadt")
    assert statistics.record_snapshot(db, today)
    assert not statistics.record_snapshot(db, today)
    db.add(OpenPostingsSnapshot(day=today - timedelta(days=9), type="offer", category="food", district="",
                                count=5))
    db.add(OpenPostingsSnapshot(day=today - timedelta(days=9), **statistics.MARKER, count=0))
    db.commit()

    history = statistics.weekly_history(db, today)

    assert len(history) == 12 and history[-1].week_end == today
    assert history[-1].counts == statistics.TypeCounts(offers=1, requests=1)
    assert history[-2].counts == statistics.TypeCounts(offers=5, requests=0)  # day -9 is in week -7..-13
    assert all(point.counts is None for point in history[:-2])
    only_oberstadt = statistics.weekly_history(db, today, district="Oberstadt")
    assert only_oberstadt[-1].counts == statistics.TypeCounts(offers=0, requests=1)
    assert statistics.weekly_history(db, today, category="housing")[-1].counts == statistics.TypeCounts()


def test_an_empty_board_still_records_its_day(db, today):
    assert statistics.record_snapshot(db, today)
    db.commit()
    assert statistics.is_recorded(db, today)
    assert statistics.weekly_history(db, today)[-1].counts == statistics.TypeCounts()


def test_postings_per_language_count_originals_and_translations(db, make_posting, today):
    make_posting(title={"de": "Tisch", "ar": "طاولة"})
    make_posting(title={"uk": "Стіл"})
    counted = statistics.postings_per_language(db, today)
    assert {item.code: (item.written, item.readable) for item in counted} == {
        "de": (1, 1), "ar": (0, 1), "uk": (1, 1)
    }
    assert [item.code for item in counted] == ["de", "ar", "uk"]


@pytest.mark.parametrize("dangerous", ["=1+1", "+49 170", "-2", "@SUM(A1)", "\tTAB", "\rCR"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(dangerous):
    text = statistics.csv_text(["Title", "Count"], [[dangerous, 3], ["Tisch", -1]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'" + dangerous, "3"]
    assert rows[2] == ["Tisch", "-1"]  # numbers are numbers, not formulas
    assert text.endswith("\r\n")
