"""A person's consents: recorded on their page, asked for before entry, in the GDPR export."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaries.consent import beneficiary_consent_record
from beneficiaries.models import Beneficiary
from beneficiaries.people_file import people_export_rows
from beneficiaries.privacy import beneficiary_data_export, beneficiary_erase
from questionnaires.models import Response
from tests.factories import BeneficiaryFactory
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(published, counsellor):
    return BeneficiaryFactory(organisation=published.organisation, counsellor=counsellor.user,
                              consent_processing_on=None, email="")


@pytest.fixture
def signed_in(client, counsellor):
    client.force_login(counsellor.user)
    return client


def entry_url(person, questionnaire):
    return reverse("beneficiaries:entry", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id,
        "questionnaire_id": questionnaire.public_id, "number": 1})


def consent_url(person):
    return reverse("beneficiaries:consent", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id})


def opened(client, url, **changes):
    """The consent form as the page shows it, then changed."""
    data = form_values(client.get(url).content.decode())
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_entry_page_asks_for_the_consent_before_the_questionnaire(signed_in, person,
                                                                      published):
    page = signed_in.get(entry_url(person, published)).content.decode()
    assert "Aucun consentement au traitement des données" in page
    assert "item_Q01" not in page


def test_recording_the_consent_from_the_entry_page_opens_the_questionnaire(
        signed_in, person, published, counsellor):
    url = entry_url(person, published)
    data = form_values(signed_in.get(url).content.decode())
    data.update(processing="on")
    response = signed_in.post(consent_url(person), data)
    assert response.status_code == 302
    assert response.url == url
    person.refresh_from_db()
    assert person.consent_processing_on == timezone.localdate()
    assert person.consent_processing_by == counsellor.user
    assert "item_Q01" in signed_in.get(url).content.decode()


def test_answers_sent_without_consent_are_not_saved_and_stay_in_the_form(signed_in, person,
                                                                         published):
    data = {"answered_on": "2024-02-01", "token": "t-1", "response": "",
            "item_Q01": "A", "item_Q02": "NSP"}
    page = signed_in.post(entry_url(person, published), data).content.decode()
    assert not Response.objects.exists()
    assert "les réponses n’ont pas été enregistrées" in page
    assert 'value="A" checked' in page


def test_the_consent_is_kept_in_the_persons_history(person, counsellor):
    beneficiary_consent_record(beneficiary=person, data={"processing": True},
                               recorded_by=counsellor.user, today=dt.date(2024, 3, 1))
    latest = person.history.first()
    assert latest.consent_processing_on == dt.date(2024, 3, 1)
    assert latest.history_type == "~"
    assert latest.version == person.version


def test_withdrawing_the_processing_consent_withdraws_contact_and_quotes(person, counsellor):
    beneficiary_consent_record(
        beneficiary=person, recorded_by=counsellor.user, today=dt.date(2024, 3, 1),
        data={"processing": True, "contact": True, "quotes": True, "email": "a@example.org"})
    beneficiary_consent_record(
        beneficiary=person, recorded_by=counsellor.user, today=dt.date(2024, 3, 2),
        data={"processing": False, "contact": True, "quotes": True, "email": "a@example.org"})
    person.refresh_from_db()
    assert (person.consent_processing_on, person.consent_processing_by,
            person.consent_contact, person.consent_quotes) == (None, None, False, False)


def test_contact_without_the_processing_consent_is_refused_in_french(signed_in, person):
    data = opened(signed_in, consent_url(person), contact="on", email="a@example.org")
    page = signed_in.post(consent_url(person), data).content.decode()
    assert "enregistrez d’abord le consentement au traitement des données" in page
    person.refresh_from_db()
    assert (person.consent_contact, person.email) == (False, "")


def test_a_stale_consent_form_keeps_the_colleagues_change_and_what_was_typed(
        signed_in, person, director):
    stale = opened(signed_in, consent_url(person), processing="on", email="mine@example.org")
    beneficiary_consent_record(beneficiary=person, recorded_by=director.user,
                               today=dt.date(2024, 3, 1),
                               data={"processing": False, "email": "theirs@example.org"})
    response = signed_in.post(consent_url(person), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "mine@example.org" in page
    assert "theirs@example.org" in page
    person.refresh_from_db()
    assert (person.email, person.consent_processing_on) == ("theirs@example.org", None)


def test_a_stale_form_changing_another_field_merges(signed_in, person, director):
    stale = opened(signed_in, consent_url(person), processing="on")
    beneficiary_consent_record(beneficiary=person, recorded_by=director.user,
                               today=dt.date(2024, 3, 1), data={"email": "b@example.org"})
    assert signed_in.post(consent_url(person), stale).status_code == 302
    person.refresh_from_db()
    assert person.email == "b@example.org"
    assert person.consent_processing_on is not None


def test_the_consent_form_never_sends_back_to_another_site(signed_in, person):
    data = opened(signed_in, consent_url(person), processing="on", next="//evil.example/")
    response = signed_in.post(consent_url(person), data)
    assert response.url == reverse("beneficiaries:detail", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id})


def test_an_outsider_cannot_record_a_consent(client, person, outsider):
    client.force_login(outsider.user)
    assert client.post(consent_url(person), {"processing": "on"}).status_code == 404
    person.refresh_from_db()
    assert person.consent_processing_on is None


def test_the_gdpr_export_holds_the_consents_and_the_email(person, director):
    beneficiary_consent_record(
        beneficiary=person, recorded_by=director.user, today=dt.date(2024, 3, 1),
        data={"processing": True, "contact": True, "email": "alex@example.org"})
    data = beneficiary_data_export(beneficiary=person, performed_by=director.user)
    assert data["person"]["email"] == "alex@example.org"
    assert data["person"]["consents"] == {
        "data_processing": {"given_on": "2024-03-01",
                            "recorded_by": director.user.get_full_name()},
        "contact_for_reminders": True, "quotes_in_reports": False}


def test_an_erasure_keeping_the_answers_removes_the_email_and_contact(person, director):
    beneficiary_consent_record(
        beneficiary=person, recorded_by=director.user, today=dt.date(2024, 3, 1),
        data={"processing": True, "contact": True, "email": "alex@example.org"})
    beneficiary_erase(beneficiary=person, performed_by=director.user, keep_answers=True)
    person.refresh_from_db()
    assert (person.email, person.consent_contact, person.consent_processing_by) == (
        "", False, None)
    assert not person.history.filter(email="alex@example.org").exists()


def test_the_people_file_never_holds_the_email(person, director):
    person.email = "alex@example.org"
    person.save()
    rows = list(people_export_rows(organisation=person.organisation))
    assert not any("alex@example.org" in cell for row in rows for cell in row)


def test_contact_without_processing_consent_is_refused_by_the_database(person):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Beneficiary.objects.filter(pk=person.pk).update(consent_contact=True)


def test_the_persons_page_lists_consent_changes_in_its_history(signed_in, person, director):
    beneficiary_consent_record(beneficiary=person, recorded_by=director.user,
                               today=dt.date(2024, 3, 1),
                               data={"processing": True, "contact": True})
    page = signed_in.get(reverse("beneficiaries:detail", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id})).content.decode()
    assert "Accepte d’être contactée (rappels, lien personnel)" in page
    assert "Consentement au traitement des données donné le" in page
