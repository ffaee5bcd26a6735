"""A counsellor finds who is due and enters a questionnaire with the keyboard (Playwright)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.models import Membership
from questionnaires.models import Questionnaire, Response
from tests.browser_fixtures import PASSWORD
from tests.factories import BeneficiaryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def due_person(questionnaire, counsellor):
    """A person followed by the counsellor whose first wave is due, and one not yet due."""
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save()
    today = timezone.localdate()
    BeneficiaryFactory(organisation=questionnaire.organisation, counsellor=counsellor.user,
                       code="LATER-1", entry_date=today + dt.timedelta(days=10))
    return BeneficiaryFactory(organisation=questionnaire.organisation, code="DUE-1",
                              counsellor=counsellor.user, first_name="Nadia",
                              last_name="Benali", entry_date=today - dt.timedelta(days=3))


def open_entry_from_the_worklist(page, organisation):
    page.goto(reverse("beneficiaries:worklist", kwargs={"org_slug": organisation.slug}))
    row = page.get_by_role("row").filter(has_text="DUE-1")
    assert page.get_by_role("row").filter(has_text="LATER-1").count() == 0
    row.get_by_role("link", name="Saisir").click()
    page.wait_for_url(re.compile(r"/vagues/1/$"))


def tab_into(page, name: str, limit: int = 10) -> None:
    """Press Tab until the focus is on a radio button of the group ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == name:
            return
    raise AssertionError(f"Tab never reached {name}")


def test_a_counsellor_enters_a_due_wave_with_the_keyboard_and_a_double_click_saves_once(
        page, log_in, counsellor, due_person, questionnaire, screenshot):
    log_in(counsellor)
    open_entry_from_the_worklist(page, questionnaire.organisation)
    counter = page.locator("[data-unanswered-counter]")
    assert "2 questions sans réponse" in counter.inner_text()

    page.get_by_label("Date de réponse").focus()
    tab_into(page, "item_Q01")  # past the day, month and year of the date
    page.keyboard.press("Space")  # A
    page.keyboard.press("ArrowRight")  # B
    tab_into(page, "item_Q02", limit=1)
    page.keyboard.press("Space")  # A
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # … B, C, then "Ne se prononce pas"
    assert page.get_by_role("radio", name="Oui je m'en sens capable mais j'ai besoin d'aide"
                            ).first.is_checked()
    assert page.locator("#item-Q02").get_by_role("radio", name="Ne se prononce pas").is_checked()
    assert counter.inner_text() == "Toutes les questions ont une réponse."

    page.keyboard.press("Tab")
    submit = page.get_by_role("button", name="Enregistrer le questionnaire")
    assert submit.evaluate("button => button === document.activeElement")
    submit.dblclick()
    page.wait_for_selector("[data-saved-response]")

    saved = Response.objects.get()
    assert (saved.beneficiary, saved.wave.number) == (due_person, 1)
    assert {a.item.code: a.choice.code for a in saved.answers.all()} == {"Q01": "B",
                                                                         "Q02": "NSP"}
    assert page.locator("[data-saved-response]").get_attribute("data-saved-response") == str(
        saved.public_id)
    assert page.locator("#item-Q01").get_by_role("radio", name=re.compile("besoin d'aide")
                                                 ).is_checked()
    screenshot("workspace-entry-saved")

    # The page sent again from the browser's history ends on the same saved response.
    page.go_back()
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    page.wait_for_selector("[data-saved-response]")
    assert Response.objects.count() == 1


def test_a_form_with_errors_keeps_everything_typed(page, log_in, counsellor, due_person,
                                                   questionnaire, screenshot):
    log_in(counsellor)
    open_entry_from_the_worklist(page, questionnaire.organisation)
    page.locator("#item-Q01").get_by_text("Non je ne sais pas comment m'y prendre").click()
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    page.get_by_label("Date de réponse").fill(future)
    page.get_by_role("button", name="Enregistrer le questionnaire").click()

    summary = page.get_by_role("alert").filter(has_text="pas encore enregistré")
    assert summary.is_visible()
    assert "ne peut pas être dans le futur" in summary.inner_text()
    assert "1 question est sans réponse" in summary.inner_text()
    assert page.get_by_label("Date de réponse").input_value() == future
    assert page.locator("#item-Q01").get_by_role(
        "radio", name="Non je ne sais pas comment m'y prendre").is_checked()
    assert page.locator("#item-Q02 input:checked").count() == 0
    assert not Response.objects.exists()
    screenshot("workspace-entry-errors")


def test_the_workspace_pages_on_demo_data(page, log_in, screenshot, db):
    """Screenshots of each page at tablet and desktop width, on the 30-item demo."""
    from questionnaires.seeding import demo_seed

    result = demo_seed(organisation_slug="demo", n=60, password=PASSWORD)
    counsellor = Membership.objects.get(user__username="demo-conseiller")
    log_in(counsellor)
    slug = result.organisation.slug

    page.goto(reverse("beneficiaries:worklist", kwargs={"org_slug": slug}))
    rows = page.locator("table.worklist tbody tr")
    assert rows.count() > 0
    badge = page.locator("[data-due-count]").inner_text()
    assert badge.startswith(str(page.locator("table.worklist").get_attribute("data-total")))
    screenshot("workspace-worklist")

    page.goto(reverse("beneficiaries:list", kwargs={"org_slug": slug}))
    assert page.get_by_text("Légende").is_visible()
    assert page.locator(".status-grid .status-done").count() > 0
    screenshot("workspace-list")

    person = (Response.objects.filter(questionnaire=result.questionnaire,
                                      beneficiary__counsellor=counsellor.user)
              .order_by("-wave__number", "pk").first().beneficiary.public_id)
    page.goto(reverse("beneficiaries:detail", kwargs={"org_slug": slug, "public_id": person}))
    assert page.locator("svg.dimension-chart").is_visible()
    assert page.get_by_role("heading", name="Réponses vague par vague").is_visible()
    screenshot("workspace-profile")

    page.goto(reverse("beneficiaries:worklist", kwargs={"org_slug": slug}))
    rows.first.get_by_role("link", name="Saisir").click()
    page.wait_for_url(re.compile(r"/vagues/\d+/$"))
    assert page.locator("fieldset[data-item]").count() == 30
    page.locator("fieldset[data-item]").first.locator("label").first.click()
    screenshot("workspace-entry")
