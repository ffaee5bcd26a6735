"""Entering one wave in the browser: saved once, bad input refused in French, edits recorded."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import Answer, Questionnaire, Response
from questionnaires.responses import Outcome, response_entry_save
from tests.factories import BeneficiaryFactory, ResponseFactory, UserFactory
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(published, counsellor):
    return BeneficiaryFactory(organisation=published.organisation, counsellor=counsellor.user,
                              entry_date=dt.date(2024, 1, 15))


def entry_url(person, questionnaire, number=1):
    return reverse("beneficiaries:entry", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id,
        "questionnaire_id": questionnaire.public_id, "number": number})


def form(**changes):
    data = {"answered_on": "2024-02-01", "token": "token-1", "response": "",
            "item_Q01": "A", "item_Q02": "NSP"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def opened(client, url, **changes):
    """The entry form as the page shows it (version and values included), then changed."""
    data = form_values(client.get(url).content.decode())
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def signed_in(client, counsellor):
    client.force_login(counsellor.user)
    return client


def answers_of(response):
    return {a.item.code: a.choice.code for a in response.answers.select_related("item",
                                                                              "choice")}


def test_the_empty_form_offers_today_as_the_answered_date(signed_in, person, published):
    page = signed_in.get(entry_url(person, published)).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert "Ne se prononce pas" in page


def test_a_submitted_form_saves_one_response_with_its_answers(signed_in, person, published,
                                                              counsellor):
    url = entry_url(person, published)
    response = signed_in.post(url, form())
    assert response.status_code == 302
    assert response.url == url
    saved = Response.objects.get()
    assert (saved.beneficiary, saved.wave.number, saved.answered_on) == (
        person, 1, dt.date(2024, 2, 1))
    assert saved.entered_by == counsellor.user
    assert answers_of(saved) == {"Q01": "A", "Q02": "NSP"}


def test_the_saved_response_is_shown_for_editing_after_saving(signed_in, person, published):
    url = entry_url(person, published)
    page = signed_in.post(url, form(), follow=True).content.decode()
    assert "a été enregistré" in page
    assert 'value="A" checked' in page
    assert str(Response.objects.get().public_id) in page


def test_a_double_submission_saves_once_and_ends_on_the_saved_response(signed_in, person,
                                                                        published):
    url = entry_url(person, published)
    signed_in.post(url, form())
    second = signed_in.post(url, form(item_Q01="C"), follow=True)
    assert Response.objects.count() == 1
    assert answers_of(Response.objects.get()) == {"Q01": "A", "Q02": "NSP"}
    page = second.content.decode()
    assert second.status_code == 200
    assert "déjà été envoyé" in page
    assert 'value="A" checked' in page


def test_a_response_saved_meanwhile_by_someone_else_is_not_overwritten(signed_in, person,
                                                                       published):
    wave = published.waves.get(number=1)
    other = ResponseFactory(beneficiary=person, wave=wave, answered_on=dt.date(2024, 1, 20),
                            entered_by=UserFactory(first_name="Paul", last_name="Martin"))
    page = signed_in.post(entry_url(person, published), form(item_Q01="B")).content.decode()
    assert Response.objects.get() == other
    assert not other.answers.exists()
    assert "Paul Martin" in page
    assert "Rien n’a encore été enregistré" in page
    # What was typed is still there, now as an edit of the saved response.
    assert 'value="B" checked' in page
    assert f'value="{other.public_id}"' in page


def test_the_database_constraint_holds_when_two_saves_race(person, published, counsellor):
    """The second save finds the first one's response (as after an IntegrityError)."""
    wave = published.waves.get(number=1)
    items = {item.code: item for item in published.items.select_related("scale")}
    choice = items["Q01"].scale.choices.get(code="A")
    arguments = {"beneficiary": person, "questionnaire": published, "wave": wave,
                 "editing": None, "answered_on": dt.date(2024, 2, 1),
                 "choices": {items["Q01"]: choice, items["Q02"]: None},
                 "entered_by": counsellor.user, "token": "same"}
    first = response_entry_save(**arguments)
    second = response_entry_save(**arguments)
    assert (first.outcome, second.outcome) == (Outcome.CREATED, Outcome.ALREADY_SAVED)
    assert second.response == first.response
    assert Response.objects.count() == 1


def test_an_integrity_error_ends_on_the_response_that_won(person, published, counsellor,
                                                          monkeypatch):
    from questionnaires import responses

    wave = published.waves.get(number=1)
    winner = responses.response_create(
        beneficiary=person, questionnaire=published, wave=wave,
        answered_on=dt.date(2024, 2, 1), choices={}, entered_by=counsellor.user, token="t1")
    # As if the existence check had run before the other request committed.
    real_filter = Response.objects.filter
    calls = []

    def filter_missing_once(*args, **kwargs):
        calls.append(1)
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if len(calls) == 1 else queryset

    monkeypatch.setattr(Response.objects, "filter", filter_missing_once)
    result = response_entry_save(
        beneficiary=person, questionnaire=published, wave=wave, editing=None,
        answered_on=dt.date(2024, 2, 1), choices={}, entered_by=counsellor.user, token="t1")
    assert result.outcome == Outcome.ALREADY_SAVED
    assert result.response == winner
    monkeypatch.undo()
    assert Response.objects.count() == 1


def test_an_unknown_choice_is_refused_in_french_and_nothing_is_saved(signed_in, person,
                                                                    published):
    page = signed_in.post(entry_url(person, published), form(item_Q01="Z")).content.decode()
    assert "« Z » n’est pas une réponse possible" in page
    assert not Response.objects.exists()


def test_a_future_date_is_refused_and_the_answers_typed_are_kept(signed_in, person,
                                                                 published):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page = signed_in.post(entry_url(person, published),
                          form(answered_on=tomorrow, item_Q01="B")).content.decode()
    assert "ne peut pas être dans le futur" in page
    assert f'value="{tomorrow}"' in page
    assert 'value="B" checked' in page
    assert 'value="NSP" checked' in page
    assert not Response.objects.exists()


def test_an_item_left_out_needs_a_confirmation(signed_in, person, published):
    url = entry_url(person, published)
    page = signed_in.post(url, form(item_Q02=None)).content.decode()
    assert "1 question est sans réponse" in page
    assert "Enregistrer avec les questions restées sans réponse" in page
    assert 'value="A" checked' in page
    assert not Response.objects.exists()
    signed_in.post(url, form(item_Q02=None, allow_unanswered="on"))
    assert answers_of(Response.objects.get()) == {"Q01": "A"}


def test_a_wave_that_does_not_exist_gets_a_french_404(signed_in, person, published):
    response = signed_in.post(entry_url(person, published, number=9), form())
    assert response.status_code == 404
    assert "n’a pas de vague 9" in response.content.decode()
    assert not Response.objects.exists()


def test_a_draft_questionnaire_cannot_be_entered(signed_in, person, published):
    Questionnaire.objects.filter(pk=published.pk).update(status=Questionnaire.Status.DRAFT)
    assert signed_in.get(entry_url(person, published)).status_code == 404


def test_editing_records_each_change_with_who_and_old_and_new(signed_in, person, published,
                                                              counsellor):
    url = entry_url(person, published)
    signed_in.post(url, form())
    saved = Response.objects.get()
    signed_in.post(url, opened(signed_in, url, item_Q01="C", answered_on="2024-02-03"))
    assert answers_of(saved) == {"Q01": "C", "Q02": "NSP"}
    saved.refresh_from_db()
    assert saved.answered_on == dt.date(2024, 2, 3)
    q01 = Answer.objects.get(item__code="Q01")
    old, new = q01.history.order_by("history_date", "history_id")
    assert (old.choice.code, new.choice.code) == ("A", "C")
    assert new.history_user == counsellor.user
    assert Response.objects.count() == 1


def test_editing_without_change_writes_no_history(signed_in, person, published):
    url = entry_url(person, published)
    signed_in.post(url, form())
    assert Response.objects.count() == 1
    before = Answer.history.count() + Response.history.count()
    response = signed_in.post(url, opened(signed_in, url), follow=True)
    assert Answer.history.count() + Response.history.count() == before
    assert "Rien ne différait" in response.content.decode()


def test_editing_an_imported_response_keeps_the_old_value_in_the_history(
        signed_in, person, published):
    from questionnaires.bulk import rows_insert

    wave = published.waves.get(number=1)
    imported = ResponseFactory(beneficiary=person, wave=wave)
    Response.history.all().delete()
    q01 = published.items.get(code="Q01")
    rows_insert(model=Answer, fields=("response", "item", "choice"),
                rows=[(imported.pk, q01.pk, q01.scale.choices.get(code="B").pk)])
    url = entry_url(person, published)
    signed_in.post(url, opened(signed_in, url, item_Q01="A", allow_unanswered="on"))
    records = Answer.history.filter(item_id=q01.pk).order_by("history_date", "history_id")
    assert [r.choice.code for r in records] == ["B", "A"]
