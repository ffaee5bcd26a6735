"""The list, the worklist and a person's page: what they show, and their constant cost."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.responses import response_create
from tests.factories import BeneficiaryFactory, MembershipFactory, ResponseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def url(name, organisation, **kwargs):
    return reverse(f"beneficiaries:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def people(n, published, counsellor, **kwargs):
    """N people followed by the counsellor, each with a wave-1 response (wave 2 due)."""
    wave = published.waves.get(number=1)
    made = BeneficiaryFactory.create_batch(n, organisation=published.organisation,
                                           counsellor=counsellor.user, **kwargs)
    for person in made:
        ResponseFactory(beneficiary=person, wave=wave, answered_on=days_ago(100))
    return made


# --- The list ----------------------------------------------------------------------------


def test_a_counsellor_sees_their_own_people_by_default(client, counsellor, published):
    colleague = MembershipFactory(organisation=published.organisation, role="counsellor")
    mine = BeneficiaryFactory(organisation=published.organisation, counsellor=counsellor.user,
                              code="MINE-1")
    BeneficiaryFactory(organisation=published.organisation, counsellor=colleague.user,
                       code="THEIRS-1")
    client.force_login(counsellor.user)
    page = client.get(url("list", published.organisation)).content.decode()
    assert mine.code in page
    assert "THEIRS-1" not in page
    everyone = client.get(url("list", published.organisation), {"counsellor": "all"})
    assert "THEIRS-1" in everyone.content.decode()


def test_a_director_sees_everyone_by_default(client, director, counsellor, published):
    BeneficiaryFactory(organisation=published.organisation, counsellor=counsellor.user,
                       code="THEIRS-1")
    client.force_login(director.user)
    assert "THEIRS-1" in client.get(url("list", published.organisation)).content.decode()


def test_the_list_searches_by_code_or_name(client, director, published):
    BeneficiaryFactory(organisation=published.organisation, code="B-1", last_name="Lemaire")
    BeneficiaryFactory(organisation=published.organisation, code="B-2", last_name="Dupont")
    client.force_login(director.user)
    by_name = client.get(url("list", published.organisation), {"q": "lemai"}).content.decode()
    assert "B-1" in by_name
    assert "B-2" not in by_name
    by_code = client.get(url("list", published.organisation), {"q": "b-2"}).content.decode()
    assert "Dupont" in by_code
    assert "Lemaire" not in by_code


def test_the_list_filters_by_status_and_programme(client, director, published):
    BeneficiaryFactory(organisation=published.organisation, code="ACTIVE-1",
                       programme="Orientation")
    BeneficiaryFactory(organisation=published.organisation, code="LEFT-1",
                       programme="Orientation", exit_date=days_ago(3), exit_reason="employment")
    BeneficiaryFactory(organisation=published.organisation, code="OTHER-1", programme="Emploi")
    client.force_login(director.user)
    exited = client.get(url("list", published.organisation), {"status": "exited"})
    assert "LEFT-1" in exited.content.decode()
    assert "ACTIVE-1" not in exited.content.decode()
    orientation = client.get(url("list", published.organisation),
                             {"programme": "Orientation", "status": "active"}).content.decode()
    assert "ACTIVE-1" in orientation
    assert "LEFT-1" not in orientation
    assert "OTHER-1" not in orientation


def test_an_unknown_filter_value_falls_back_to_its_default(client, counsellor, published):
    BeneficiaryFactory(organisation=published.organisation, counsellor=counsellor.user,
                       code="MINE-1")
    client.force_login(counsellor.user)
    response = client.get(url("list", published.organisation),
                          {"counsellor": "999999", "sort": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert "MINE-1" in response.content.decode()


def test_the_status_grid_shows_each_wave_in_words(client, counsellor, published):
    people(1, published, counsellor, code="P-1", entry_date=days_ago(120))
    client.force_login(counsellor.user)
    page = client.get(url("list", published.organisation)).content.decode()
    assert "Fait" in page
    assert f"{days_ago(100):%d/%m/%Y}" in page
    assert "À faire" in page
    assert "Pas encore" in page
    assert "Légende" in page


def test_the_list_is_paginated_by_fifty(client, director, published):
    BeneficiaryFactory.create_batch(51, organisation=published.organisation)
    client.force_login(director.user)
    first = client.get(url("list", published.organisation))
    assert len(first.context["rows"]) == 50
    second = client.get(url("list", published.organisation), {"page": 2})
    assert len(second.context["rows"]) == 1


@pytest.mark.parametrize("n", [5, 50])
def test_the_list_costs_the_same_queries_for_5_or_50_people(client, counsellor, published, n,
                                                            django_assert_max_num_queries):
    people(n, published, counsellor)
    client.force_login(counsellor.user)
    # One bound for both sizes: a query per person would exceed it at 5 already.
    with django_assert_max_num_queries(13):
        response = client.get(url("list", published.organisation))
    assert len(response.context["rows"]) == n


# --- The worklist ------------------------------------------------------------------------


def test_the_worklist_lists_the_due_waves_with_a_link_to_enter_them(client, counsellor,
                                                                    published):
    due, = people(1, published, counsellor, code="DUE-1", entry_date=days_ago(120))
    BeneficiaryFactory(organisation=published.organisation, counsellor=counsellor.user,
                       code="LATER-1", entry_date=TODAY + dt.timedelta(days=5))
    client.force_login(counsellor.user)
    page = client.get(url("worklist", published.organisation)).content.decode()
    assert "DUE-1" in page
    assert "LATER-1" not in page
    entry = url("entry", published.organisation, public_id=due.public_id,
                questionnaire_id=published.public_id, number=2)
    assert entry in page


def test_the_worklist_leaves_out_people_who_have_left(client, counsellor, published):
    people(1, published, counsellor, code="LEFT-1", entry_date=days_ago(120),
           exit_date=days_ago(1), exit_reason="employment")
    client.force_login(counsellor.user)
    page = client.get(url("worklist", published.organisation)).content.decode()
    assert "LEFT-1" not in page


def test_the_navigation_counts_the_waves_to_enter(client, counsellor, published):
    people(3, published, counsellor, entry_date=days_ago(120))
    client.force_login(counsellor.user)
    for page in ("list", "worklist"):
        response = client.get(url(page, published.organisation))
        assert "3<span class=\"visually-hidden\"> questionnaires à saisir" in (
            response.content.decode()), page


@pytest.mark.parametrize("n", [5, 50])
def test_the_worklist_costs_the_same_queries_for_5_or_50_people(
        client, counsellor, published, n, django_assert_max_num_queries):
    people(n, published, counsellor)
    client.force_login(counsellor.user)
    with django_assert_max_num_queries(9):
        response = client.get(url("worklist", published.organisation))
    assert len(response.context["rows"]) == n


# --- A person's page ---------------------------------------------------------------------


def answered(person, published, number, answered_on, codes, user=None):
    items = {item.code: item for item in published.items.select_related("scale")}
    return response_create(
        beneficiary=person, questionnaire=published, wave=published.waves.get(number=number),
        answered_on=answered_on, entered_by=user, token=f"t{number}",
        choices={items[code]: items[code].scale.choices.get(code=choice)
                 for code, choice in codes.items()})


def test_the_profile_shows_the_answers_wave_by_wave_and_a_chart(client, counsellor, published):
    person = BeneficiaryFactory(organisation=published.organisation, first_name="Léa",
                                last_name="Dubois", entry_date=days_ago(200))
    answered(person, published, 1, days_ago(190), {"Q01": "C", "Q02": "B"})
    answered(person, published, 2, days_ago(90), {"Q01": "A", "Q02": "NSP"})
    client.force_login(counsellor.user)
    response = client.get(url("detail", published.organisation, public_id=person.public_id))
    page = unescape(response.content.decode())
    assert "Léa Dubois" in page
    assert "Non je ne sais pas comment m'y prendre" in page
    assert "Oui je m'en sens capable par moi-même" in page
    assert "<svg" in page
    assert "Projet personnel" in page
    path = response.context["paths"][0][0]
    # Q01 is "Projet personnel" (C=1 then A=3); Q02 "Autonomie administrative" (B=2, then NSP).
    assert dict(path.score_rows()) == {"Projet personnel": [1.0, 3.0, None],
                                       "Autonomie administrative": [2.0, None, None]}


def test_the_profile_shows_who_changed_what_from_what_to_what(client, director, counsellor,
                                                              published):
    person = BeneficiaryFactory(organisation=published.organisation, entry_date=days_ago(200))
    answered(person, published, 1, days_ago(190), {"Q01": "C", "Q02": "B"})
    client.force_login(counsellor.user)
    entry = url("entry", published.organisation, public_id=person.public_id,
                questionnaire_id=published.public_id, number=1)
    saved = person.responses.get()
    client.post(entry, {"answered_on": days_ago(190).isoformat(), "token": "x",
                        "response": str(saved.public_id), "item_Q01": "A", "item_Q02": "B"})
    client.force_login(director.user)
    response = client.get(url("detail", published.organisation, public_id=person.public_id))
    change = next(e for e in response.context["history"] if "Q01" in e.what)
    assert (change.old, change.new) == ("Non je ne sais pas comment m'y prendre",
                                        "Oui je m'en sens capable par moi-même")
    assert change.who == counsellor.user.get_full_name()
    assert "Historique des modifications" in response.content.decode()


@pytest.mark.parametrize("n", [1, 3])
def test_the_profile_costs_the_same_queries_whatever_the_responses(
        client, counsellor, published, n, django_assert_max_num_queries):
    person = BeneficiaryFactory(organisation=published.organisation, entry_date=days_ago(400))
    for number in range(1, n + 1):
        answered(person, published, number, days_ago(300 - number * 90),
                 {"Q01": "A", "Q02": "B"})
    client.force_login(counsellor.user)
    with django_assert_max_num_queries(19):
        client.get(url("detail", published.organisation, public_id=person.public_id))
