"""The data-protection pages of a person: export and erasure, for directors only."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary, PrivacyAction
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(organisation):
    return BeneficiaryFactory(organisation=organisation, code="B-12", first_name="Elia",
                              last_name="Confiance")


def url(name, person):
    return reverse(f"beneficiaries:{name}", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id})


def test_a_director_downloads_everything_held_on_a_person(client, director, person):
    client.force_login(director.user)
    response = client.get(url("data_export", person))
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["person"]["last_name"] == "Confiance"
    assert PrivacyAction.objects.get().kind == "export"


@pytest.mark.parametrize("name", ["data_export", "erase"])
def test_a_counsellor_cannot_export_or_erase(client, counsellor, person, name):
    client.force_login(counsellor.user)
    assert client.get(url(name, person)).status_code == 404
    assert client.post(url(name, person), {"keep_answers": "1",
                                           "confirm_code": "B-12"}).status_code == 404
    assert Beneficiary.objects.get(pk=person.pk).last_name == "Confiance"


def test_an_erasure_with_the_wrong_code_changes_nothing_and_says_why(client, director, person):
    client.force_login(director.user)
    response = client.post(url("erase", person), {"keep_answers": "1", "confirm_code": "B-13"})
    assert response.status_code == 200
    assert "pas le code de la personne" in response.content.decode()
    assert Beneficiary.objects.get(pk=person.pk).last_name == "Confiance"
    assert not PrivacyAction.objects.exists()


def test_a_director_erases_a_person_keeping_their_anonymous_answers(client, director, person):
    client.force_login(director.user)
    response = client.post(url("erase", person), {"keep_answers": "1", "confirm_code": "B-12"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == ""
    assert person.code.startswith("ANON-")
    assert PrivacyAction.objects.get().performed_by == director.user


def test_the_person_page_warns_a_director_when_the_retention_period_is_over(
        client, director, organisation):
    old = BeneficiaryFactory(organisation=organisation, entry_date=dt.date(2015, 1, 1),
                             exit_date=dt.date(2016, 1, 1), exit_reason="employment")
    client.force_login(director.user)
    body = client.get(url("detail", old)).content.decode()
    assert "durée de conservation" in body
