"""Publishing with a scope: who a questionnaire applies to, and what publishing adds."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaries.due import WaveStatus, wave_states_for
from beneficiaries.worklist import open_wave_count, work_items
from questionnaires.models import Questionnaire
from questionnaires.publication import publication_added
from tests.factories import BeneficiaryFactory, ResponseFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
FROM = dt.date(2026, 5, 1)


@pytest.fixture
def people(questionnaire, counsellor):
    """Before and after the date, in and out of the programme; one early person answered."""
    organisation = questionnaire.organisation
    made = {}
    for code, entry, programme in [("OLD-ORI", dt.date(2025, 1, 5), "Orientation"),
                                   ("NEW-ORI", dt.date(2026, 5, 20), "Orientation"),
                                   ("NEW-FOR", dt.date(2026, 5, 20), "Formation"),
                                   ("OLD-ANS", dt.date(2025, 1, 5), "Formation"),
                                   ("NO-DATE", None, "Orientation")]:
        made[code] = BeneficiaryFactory(organisation=organisation, code=code, entry_date=entry,
                                        programme=programme, counsellor=counsellor.user)
    ResponseFactory(beneficiary=made["OLD-ANS"], wave=questionnaire.waves.get(number=1),
                    answered_on=dt.date(2025, 1, 10))
    return made


def scoped(questionnaire, programmes=()):
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.scope_entered_from = FROM
    questionnaire.scope_programmes = list(programmes)
    questionnaire.save()
    return Questionnaire.objects.prefetch_related("waves").get(pk=questionnaire.pk)


def on_worklist(questionnaire, organisation):
    return {pk for pk, _q, _s in work_items(people=organisation.beneficiaries.all(),
                                            questionnaires=[questionnaire], today=TODAY)}


def test_people_who_entered_before_the_date_never_have_it_due(questionnaire, people):
    published = scoped(questionnaire)
    found = on_worklist(published, questionnaire.organisation)
    assert people["OLD-ORI"].pk not in found
    assert people["NO-DATE"].pk not in found
    assert {people["NEW-ORI"].pk, people["NEW-FOR"].pk} <= found


def test_someone_who_already_answered_stays_in_scope(questionnaire, people):
    published = scoped(questionnaire)
    assert people["OLD-ANS"].pk in on_worklist(published, questionnaire.organisation)


def test_only_the_chosen_programmes_have_it_due(questionnaire, people):
    published = scoped(questionnaire, programmes=["Formation"])
    found = on_worklist(published, questionnaire.organisation)
    assert people["NEW-FOR"].pk in found
    assert people["NEW-ORI"].pk not in found


@pytest.mark.parametrize("programmes", [(), ("Orientation",)])
def test_the_worklist_and_the_status_grid_agree_on_the_scope(questionnaire, people, programmes):
    published = scoped(questionnaire, programmes=programmes)
    persons = list(people.values())
    states = wave_states_for(beneficiaries=persons, questionnaire=published,
                             waves=list(published.waves.all()), today=TODAY)
    expected = {(pk, s.wave.number, s.status) for pk, row in states.items() for s in row
                if s.is_open}
    found = {(pk, s.wave.number, s.status) for pk, _q, s in work_items(
        people=questionnaire.organisation.beneficiaries.all(), questionnaires=[published],
        today=TODAY)}
    assert found == expected
    assert open_wave_count(people=questionnaire.organisation.beneficiaries.all(),
                           questionnaires=[published], today=TODAY) == len(found)
    assert states[people["OLD-ORI"].pk][0].status == WaveStatus.NOT_APPLICABLE


def test_the_count_before_publishing_is_what_the_worklist_gains(questionnaire, people,
                                                                 counsellor):
    organisation = questionnaire.organisation
    added = publication_added(questionnaire=questionnaire, people=organisation.beneficiaries.all(),
                              entered_from=FROM, programmes=["Orientation"], today=TODAY)
    name = f"{counsellor.user.first_name} {counsellor.user.last_name}".strip()
    assert added == [(name or counsellor.user.username, 1)]
    assert Questionnaire.objects.get(pk=questionnaire.pk).status == Questionnaire.Status.DRAFT
    published = scoped(questionnaire, programmes=["Orientation"])
    gained = on_worklist(published, organisation) - {people["OLD-ANS"].pk}
    assert gained == {people["NEW-ORI"].pk}


def test_the_publish_page_shows_the_count_per_counsellor_and_changes_nothing(
        client, questionnaire, people, manager):
    client.force_login(manager.user)
    address = reverse("questionnaires:publish",
                      args=[questionnaire.organisation.slug, questionnaire.public_id])
    response = client.get(address, {"entered_from": "2020-01-01"})
    page = response.content.decode()
    assert "ajoute 3 personnes" in page
    assert 'value="Orientation"' in page
    assert 'value="Formation"' in page
    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.DRAFT
    assert timezone.localdate().isoformat() in client.get(address).content.decode()
