"""In Chromium: entry asks for the consent first, recorded in the page, then the questionnaire."""

import pytest
from django.urls import reverse

from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_counsellor_records_the_consent_then_enters_the_wave(page, log_in, screenshot,
                                                                published, counsellor):
    person = BeneficiaryFactory(organisation=published.organisation,
                                counsellor=counsellor.user, consent_processing_on=None)
    entry = reverse("beneficiaries:entry", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id,
        "questionnaire_id": published.public_id, "number": 1})
    log_in(counsellor)
    page.goto(entry)
    assert "Aucun consentement au traitement des données" in page.content()
    screenshot("consent-asked-at-entry")
    page.get_by_label("Consent au traitement de ses données").check()
    page.get_by_role("button", name="Enregistrer les consentements").click()
    page.wait_for_url(lambda url: url.endswith(entry))
    assert page.get_by_role("button", name="Enregistrer le questionnaire").is_visible()
    person.refresh_from_db()
    assert person.consent_processing_by == counsellor.user
    page.goto(reverse("beneficiaries:detail", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id}))
    assert "Traitement des données depuis le" in page.content()
    screenshot("consent-on-person-page")
