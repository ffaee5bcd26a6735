"""Recording an exit keeps the wave at exit due and offers to enter it at once (Playwright)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import Questionnaire
from tests.factories import BeneficiaryFactory, ResponseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leaving_person(questionnaire, counsellor):
    """Waves 1 and 2 answered; wave 3 ("Sortie", at exit) not due by its delay yet."""
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save()
    questionnaire.waves.filter(number=3).update(at_exit=True)
    waves = {w.number: w for w in questionnaire.waves.all()}
    today = timezone.localdate()
    person = BeneficiaryFactory(organisation=questionnaire.organisation, code="EXIT-1",
                                counsellor=counsellor.user,
                                entry_date=today - dt.timedelta(days=100))
    ResponseFactory(beneficiary=person, wave=waves[1], answered_on=today - dt.timedelta(days=95))
    ResponseFactory(beneficiary=person, wave=waves[2], answered_on=today - dt.timedelta(days=3))
    return person


def test_an_exit_keeps_the_exit_wave_due(page, log_in, counsellor, leaving_person,
                                         questionnaire, screenshot):
    organisation = questionnaire.organisation
    worklist = reverse("beneficiaries:worklist", kwargs={"org_slug": organisation.slug})
    log_in(counsellor)
    page.goto(worklist)
    assert page.get_by_role("row").filter(has_text="EXIT-1").count() == 0  # not due yet

    page.goto(reverse("beneficiaries:exit", kwargs={"org_slug": organisation.slug,
                                                    "public_id": leaving_person.public_id}))
    page.get_by_label("Date de sortie").fill(timezone.localdate().isoformat())
    page.get_by_label("Motif").select_option("training")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    enter_now = page.get_by_role("link", name=re.compile("Saisir le questionnaire de sortie"))
    enter_now.wait_for()
    screenshot("exit-wave-offer")

    page.goto(worklist)
    row = page.get_by_role("row").filter(has_text="EXIT-1")
    assert row.count() == 1
    assert "Sortie" in row.inner_text()
    page.goto(reverse("beneficiaries:detail", kwargs={"org_slug": organisation.slug,
                                                      "public_id": leaving_person.public_id}))
    assert "Sans objet" not in page.locator("main").inner_text()

    page.goto(reverse("beneficiaries:exit", kwargs={"org_slug": organisation.slug,
                                                    "public_id": leaving_person.public_id}))
    page.get_by_role("link", name=re.compile("Saisir le questionnaire de sortie")).click()
    page.wait_for_url(re.compile(r"/vagues/3/$"))
