"""A stale exit page never overwrites a colleague's exit, nor cancels one it did not see."""

import datetime as dt

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary
from beneficiaries.services import beneficiary_exit_record, beneficiary_situation_record
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(organisation):
    return BeneficiaryFactory(organisation=organisation, entry_date=dt.date(2024, 1, 15))


def exit_url(person):
    return reverse("beneficiaries:exit", args=[person.organisation.slug, person.public_id])


def test_an_exit_saved_from_a_stale_page_writes_nothing_and_says_so(client, counsellor, person):
    client.force_login(counsellor.user)
    opened_at = person.version  # the page is opened
    beneficiary_exit_record(beneficiary=Beneficiary.objects.get(pk=person.pk),
                            exit_date=dt.date(2024, 6, 3), exit_reason="employment")
    response = client.post(exit_url(person), {
        "exit_date": "2024-06-10", "exit_reason": "dropped_out", "version": opened_at})
    person.refresh_from_db()
    assert response.status_code == 409
    assert (person.exit_date, person.exit_reason) == (dt.date(2024, 6, 3), "employment")
    page = response.content.decode()
    assert "Votre sortie n’a PAS encore été enregistrée" in page
    assert 'value="dropped_out" selected' in page  # what was typed is kept


def test_saving_again_after_the_notice_records_the_exit(client, counsellor, person):
    client.force_login(counsellor.user)
    beneficiary_exit_record(beneficiary=Beneficiary.objects.get(pk=person.pk),
                            exit_date=dt.date(2024, 6, 3), exit_reason="employment")
    person.refresh_from_db()
    client.post(exit_url(person), {"exit_date": "2024-06-10", "exit_reason": "dropped_out",
                                   "version": person.version})
    person.refresh_from_db()
    assert person.exit_reason == "dropped_out"


def test_cancelling_from_a_stale_page_keeps_the_situation_a_colleague_recorded(
        client, counsellor, person):
    client.force_login(counsellor.user)
    beneficiary_exit_record(beneficiary=Beneficiary.objects.get(pk=person.pk),
                            exit_date=dt.date(2024, 1, 20), exit_reason="employment")
    person.refresh_from_db()
    opened_at = person.version  # the exit page is opened
    beneficiary_situation_record(beneficiary=Beneficiary.objects.get(pk=person.pk),
                                 today=dt.date(2025, 1, 1), seen="", situation="employment")
    client.post(exit_url(person), {"action": "cancel", "version": opened_at})
    person.refresh_from_db()
    assert person.exit_date == dt.date(2024, 1, 20)
    assert person.situation_6_months == "employment"
