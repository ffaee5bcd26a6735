"""A stale page never overwrites a colleague: responses are written field by field, by version."""

import datetime as dt
import random
import threading

import pytest
from django.urls import reverse

from questionnaires.definitions import definition_parse
from questionnaires.models import Questionnaire, Response
from questionnaires.responses import (
    DATE_KEY,
    Outcome,
    entry_token_new,
    response_entry_save,
    response_state,
)
from questionnaires.services import questionnaire_load
from tests.concurrency import postgresql_only, run_threads
from tests.factories import BeneficiaryFactory
from tests.page_forms import form_values, opened, opened_then_saved_meanwhile, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(published, counsellor):
    return BeneficiaryFactory(organisation=published.organisation, counsellor=counsellor.user)


def entry_url(person, questionnaire):
    return reverse("beneficiaries:entry", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id,
        "questionnaire_id": questionnaire.public_id, "number": 1})


def answers_of(response) -> dict:
    return {a.item.code: a.choice.code for a in response.answers.select_related("item", "choice")}


@pytest.fixture
def saved(person, published, counsellor):
    """A saved response (Q01 = A, Q02 = B) that two people then open."""
    url = entry_url(person, published)
    client = signed_in(counsellor)
    client.post(url, {**opened(client, url), "answered_on": "2024-02-01", "item_Q01": "A",
                      "item_Q02": "B"})
    return Response.objects.get()


def test_a_stale_page_that_changed_one_answer_keeps_the_colleagues_other_answers(
        saved, person, published, counsellor, director):
    url = entry_url(person, published)
    mine, stale = opened_then_saved_meanwhile(
        counsellor, director, url, {"item_Q01": "C", "answered_on": "2024-02-03"})
    page = mine.post(url, {**stale, "item_Q02": "NSP"}, follow=True).content.decode()
    saved.refresh_from_db()
    assert answers_of(saved) == {"Q01": "C", "Q02": "NSP"}
    assert saved.answered_on == dt.date(2024, 2, 3)
    assert "leurs modifications sont conservées" in page


def test_the_same_answer_changed_both_ways_writes_nothing_and_shows_both(
        saved, person, published, counsellor, director):
    url = entry_url(person, published)
    mine, stale = opened_then_saved_meanwhile(counsellor, director, url, {"item_Q01": "C"})
    version = Response.objects.get().version
    response = mine.post(url, {**stale, "item_Q01": "B"})
    page = response.content.decode()
    assert response.status_code == 200
    assert Response.objects.get().version == version
    assert answers_of(saved) == {"Q01": "C", "Q02": "B"}
    assert "Rien n’a encore été enregistré" in page
    assert director.user.get_full_name() in page
    # Both values side by side, the typed one selected in the form.
    row = page[page.index('data-conflict-row="Q01"'):]
    row = row[:row.index("</tr>")]
    assert "Non je ne sais pas comment m" in row      # theirs: C
    assert "mais j&#x27;ai besoin d&#x27;aide" in row  # mine: B
    assert form_values(page)["item_Q01"] == "B"


def test_saving_the_conflict_page_writes_the_choice_made_there(
        saved, person, published, counsellor, director):
    url = entry_url(person, published)
    mine, stale = opened_then_saved_meanwhile(
        counsellor, director, url, {"item_Q01": "C", "answered_on": "2024-02-05"})
    page = mine.post(url, {**stale, "item_Q01": "B"}).content.decode()
    resolved = form_values(page)
    # Their other change (the date) is already in the form; the typed answer is kept.
    assert (resolved["answered_on"], resolved["item_Q01"]) == ("2024-02-05", "B")
    mine.post(url, resolved)
    saved.refresh_from_db()
    assert answers_of(saved) == {"Q01": "B", "Q02": "B"}
    assert saved.answered_on == dt.date(2024, 2, 5)


def test_a_response_saved_meanwhile_shows_both_versions(person, published, counsellor,
                                                        director):
    url = entry_url(person, published)
    mine, theirs = signed_in(counsellor), signed_in(director)
    empty = opened(mine, url)
    theirs.post(url, {**opened(theirs, url), "answered_on": "2024-02-01", "item_Q01": "A",
                      "item_Q02": "B"})
    page = mine.post(url, {**empty, "answered_on": "2024-02-01", "item_Q01": "C",
                           "item_Q02": "B"}).content.decode()
    assert answers_of(Response.objects.get()) == {"Q01": "A", "Q02": "B"}
    assert 'data-conflict-row="Q01"' in page
    assert 'data-conflict-row="Q02"' not in page


def test_an_altered_version_record_is_refused_and_nothing_is_written(
        saved, person, published, counsellor):
    url = entry_url(person, published)
    client = signed_in(counsellor)
    page = client.post(url, {**opened(client, url), "item_Q01": "C",
                             "shown": "forged"}).content.decode()
    assert "Le formulaire a expiré" in page
    assert answers_of(saved) == {"Q01": "A", "Q02": "B"}


def test_each_write_adds_one_to_the_version_and_an_unchanged_save_none(
        saved, person, published, counsellor):
    url = entry_url(person, published)
    client = signed_in(counsellor)
    assert saved.version == 1
    client.post(url, opened(client, url))
    assert Response.objects.get().version == 1
    client.post(url, {**opened(client, url), "item_Q01": "C", "item_Q02": "C"})
    assert Response.objects.get().version == 2


def test_an_update_import_makes_an_open_page_stale(saved, person, published, counsellor):
    from questionnaires.imports import responses_import
    from questionnaires.tables import table_read_csv

    url = entry_url(person, published)
    client = signed_in(counsellor)
    stale = opened(client, url)
    table = table_read_csv(f"beneficiary,wave,answered_on,Q01,Q02\n{person.code},1,"
                           f"2024-02-01,A,C\n".encode())
    responses_import(questionnaire=published, table=table, update=True)
    assert Response.objects.get().version == 2
    client.post(url, {**stale, "item_Q01": "NSP"})
    # The import's Q02 stays; the counsellor's one correction is added.
    assert answers_of(Response.objects.get()) == {"Q01": "NSP", "Q02": "C"}


# --- Two editors, many interleavings, on PostgreSQL -------------------------------------------

ITEMS = 8
CODES = ["A", "B", "C", "NSP"]


@pytest.fixture
def wide(organisation, spec_definition):
    """A published questionnaire of 8 items, so that edits often touch different answers."""
    spec_definition["code"] = "wide"
    spec_definition["items"] = [
        {"code": f"Q{n:02d}", "text": f"Question {n}", "dimension": "Projet",
         "scale": "capacite"} for n in range(1, ITEMS + 1)]
    questionnaire, _created = questionnaire_load(
        organisation=organisation, definition=definition_parse(spec_definition))
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save()
    return questionnaire


class Editor:
    """One person's page: opened at some version, then saved with a few answers changed."""

    def __init__(self, name, user, rng):
        self.name, self.user, self.rng = name, user, rng
        self.result = None

    def open(self, response, items):
        response.refresh_from_db()
        self.version = response.version
        self.response_id = response.public_id
        self.shown = response_state(response=response, items=items)
        keys = self.rng.sample([i.code for i in items] + [DATE_KEY], self.rng.randint(1, 3))
        self.typed = dict(self.shown)
        for key in keys:
            if key == DATE_KEY:
                self.typed[key] = dt.date(2024, 3, self.rng.randint(1, 28)).isoformat()
            else:
                self.typed[key] = self.rng.choice([c for c in CODES if c != self.shown[key]])
        self.intent = {k: v for k, v in self.typed.items() if v != self.shown.get(k)}

    def save(self, context):
        items = context["items"]
        choices = {item: item.scale.choices.get(code=self.typed[item.code])
                   if self.typed[item.code] else None for item in items}
        self.result = response_entry_save(
            beneficiary=context["person"], questionnaire=context["questionnaire"],
            wave=context["wave"], editing=self.response_id, version=self.version,
            shown=self.shown, answered_on=dt.date.fromisoformat(self.typed[DATE_KEY]),
            choices=choices, entered_by=self.user, token=entry_token_new())


def _interleaving(rng):
    """One of the 6 orders of A.open < A.save and B.open < B.save."""
    events = ["A", "A", "B", "B"]
    rng.shuffle(events)
    seen, order = set(), []
    for who in events:
        order.append((who, "save" if who in seen else "open"))
        seen.add(who)
    return order


def _run_concurrently(editors, context):
    barrier = threading.Barrier(len(editors))

    def save(editor):
        barrier.wait()
        editor.save(context)

    errors = run_threads(*(lambda e=e: save(e) for e in editors))
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_two_editors_in_100_interleavings_never_overwrite_each_other_silently(
        wide, counsellor, director):
    postgresql_only()
    rng = random.Random(12)
    items = list(wide.items.select_related("scale").prefetch_related("scale__choices"))
    wave = wide.waves.get(number=1)
    silent_overwrites = conflicts_shown = conflicts_expected = merged = 0
    for _round in range(100):
        person = BeneficiaryFactory(organisation=wide.organisation)
        start = {item: item.scale.choices.get(code=rng.choice(CODES)) for item in items}
        response = response_entry_save(
            beneficiary=person, questionnaire=wide, wave=wave, editing=None,
            answered_on=dt.date(2024, 2, 1), choices=start, entered_by=counsellor.user,
            token=entry_token_new()).response
        initial = response_state(response=response, items=items)
        context = {"items": items, "person": person, "questionnaire": wide, "wave": wave}
        editors = {"A": Editor("A", counsellor.user, rng), "B": Editor("B", director.user, rng)}
        order = _interleaving(rng)
        if [step for _who, step in order] == ["open", "open", "save", "save"]:
            for who, _step in order[:2]:
                editors[who].open(response, items)
            _run_concurrently(list(editors.values()), context)
        else:
            for who, step in order:
                getattr(editors[who], step)(*((response, items) if step == "open"
                                              else (context,)))
        # What each save should have done, from the versions it saw and wrote.
        written = sorted((e for e in editors.values() if e.result.outcome in (
            Outcome.UPDATED, Outcome.MERGED)), key=lambda e: e.result.response.version)
        for editor in editors.values():
            other = editors["B" if editor.name == "A" else "A"]
            other_wrote_first = (
                other in written and other.result.response.version > editor.version
                and (editor not in written
                     or other.result.response.version < editor.result.response.version))
            clash = other_wrote_first and any(
                key in other.intent and other.intent[key] != value
                for key, value in editor.intent.items())
            conflicts_expected += clash
            if editor.result.outcome == Outcome.CONFLICT:
                conflicts_shown += 1
                assert editor.result.conflict.conflicts, "a conflict with nothing to show"
            merged += editor.result.outcome == Outcome.MERGED
            if clash and editor in written:
                silent_overwrites += 1
        final = response_state(response=Response.objects.get(pk=response.pk), items=items)
        expected = dict(initial)
        for editor in written:
            expected.update(editor.intent)
        silent_overwrites += final != expected
    print(f"\n100 interleavings: {conflicts_shown} conflicts shown of {conflicts_expected} "
          f"expected, {merged} merged, {silent_overwrites} silent overwrites")
    assert silent_overwrites == 0
    assert conflicts_shown == conflicts_expected > 0
    assert merged > 0
