"""In Chromium: an expired session keeps what was typed; a stale save shows both versions."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from questionnaires.models import Questionnaire, Response
from tests.browser_fixtures import PASSWORD, SCREENSHOTS
from tests.factories import BeneficiaryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def entry_url(questionnaire, counsellor):
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save()
    person = BeneficiaryFactory(organisation=questionnaire.organisation, code="DUE-1",
                                counsellor=counsellor.user)
    return reverse("beneficiaries:entry", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id,
        "questionnaire_id": questionnaire.public_id, "number": 1})


def tick(page, code: str, position: int) -> None:
    page.click(f"label[for='id_item_{code}_{position}']")


def log_in_here(page, membership) -> None:
    page.get_by_label("Nom d’utilisateur").fill(membership.user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(lambda url: "/connexion/" not in url)


def test_answers_typed_when_the_session_expired_are_back_after_logging_in(
        page, log_in, counsellor, entry_url):
    log_in(counsellor)
    page.goto(entry_url)
    tick(page, "Q01", 2)  # C
    tick(page, "Q02", 1)  # B
    Session.objects.all().delete()  # the session ends while the counsellor types
    page.get_by_role("button", name="Enregistrer le questionnaire").click()
    page.wait_for_url(re.compile(r"/connexion/"))
    assert "Votre session a expiré, vos réponses sont conservées" in page.content()
    log_in_here(page, counsellor)
    assert page.url.endswith(entry_url)
    assert page.is_checked("#id_item_Q01_2")
    assert page.is_checked("#id_item_Q02_1")
    assert not Response.objects.exists()  # shown again, not saved behind the user's back
    page.get_by_role("button", name="Enregistrer le questionnaire").click()
    page.wait_for_url(lambda url: url.endswith(entry_url))
    saved = Response.objects.get()
    assert {a.item.code: a.choice.code for a in saved.answers.all()} == {
        "Q01": "C", "Q02": "B"}


def test_answers_sent_without_cookies_are_kept_by_the_csrf_page(
        page, log_in, counsellor, entry_url):
    log_in(counsellor)
    page.goto(entry_url)
    tick(page, "Q01", 0)
    tick(page, "Q02", 3)
    page.context.clear_cookies()
    page.get_by_role("button", name="Enregistrer le questionnaire").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Votre session a expiré, vos réponses sont conservées")
    page.get_by_role("link", name="Se reconnecter").click()
    log_in_here(page, counsellor)
    assert page.is_checked("#id_item_Q01_0")
    assert page.is_checked("#id_item_Q02_3")


def test_the_conflict_page_shows_both_versions_and_fits_a_phone(
        page, log_in, counsellor, director, entry_url, browser, live_server):
    log_in(counsellor)
    page.goto(entry_url)
    tick(page, "Q01", 0)
    tick(page, "Q02", 0)
    page.get_by_role("button", name="Enregistrer le questionnaire").click()
    page.wait_for_url(lambda url: url.endswith(entry_url))
    page.reload()
    # A colleague saves a change to Q01 while this page is open.
    other = browser.new_context(locale="fr-FR", base_url=live_server.url).new_page()
    other.goto("/connexion/")
    log_in_here(other, director)
    other.goto(entry_url)
    other.click("label[for='id_item_Q01_2']")
    other.get_by_role("button", name="Enregistrer les modifications").click()
    other.wait_for_url(lambda url: url.endswith(entry_url))
    other.context.close()
    tick(page, "Q01", 1)
    tick(page, "Q02", 3)
    page.get_by_role("button", name="Enregistrer les modifications").click()
    table = page.locator("[data-entry-conflict] table")
    assert "Rien n’a encore été enregistré" in page.content()
    assert table.locator("[data-conflict-row='Q01'] [data-theirs]").inner_text().startswith(
        "Non je ne sais pas")
    assert table.locator("[data-conflict-row='Q01'] [data-mine]").inner_text().endswith(
        "besoin d'aide")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "entry-conflict-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOTS / "entry-conflict-phone.png", full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
