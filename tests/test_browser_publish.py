"""Publishing shows whose worklists it lengthens before it changes anything (Playwright)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import Questionnaire
from tests.factories import BeneficiaryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publishing_shows_the_count_before_it_changes_anything(
        page, log_in, manager, counsellor, questionnaire, screenshot):
    today = timezone.localdate()
    for code, days_ago, programme in [("OLD-1", 400, "Orientation"), ("NEW-1", 2, "Orientation"),
                                      ("NEW-2", 1, "Formation")]:
        BeneficiaryFactory(organisation=questionnaire.organisation, code=code,
                           counsellor=counsellor.user, programme=programme,
                           entry_date=today - dt.timedelta(days=days_ago))
    log_in(manager)
    page.goto(reverse("questionnaires:builder",
                      args=[questionnaire.organisation.slug, questionnaire.public_id]))
    page.get_by_role("link", name="Publier…").click()
    page.get_by_label("Pour les personnes entrées à partir du").fill(
        (today - dt.timedelta(days=7)).isoformat())
    page.get_by_label("Orientation").check()
    page.get_by_role("button", name="Voir à quelles listes").click()
    effect = page.locator("#publication-effect")
    assert "ajoute 1 personne" in effect.inner_text()
    assert page.get_by_role("row").filter(has_text=counsellor.user.last_name or "").filter(
        has_text="1").count() == 1
    screenshot("publish-scope")
    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.DRAFT  # nothing changed yet

    page.get_by_role("button", name="Publier avec ce choix").click()
    page.wait_for_url(lambda url: "/publier/" not in url)
    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.PUBLISHED
    assert questionnaire.scope_programmes == ["Orientation"]
    assert questionnaire.scope_entered_from == today - dt.timedelta(days=7)
