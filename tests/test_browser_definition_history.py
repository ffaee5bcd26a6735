"""In the browser: relabelling an answered choice asks first, and the history shows it."""

import pytest

from tests.browser_fixtures import PASSWORD
from tests.factories import AnswerFactory, BeneficiaryFactory, ResponseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_relabelled_answered_choice_is_confirmed_then_shown_in_the_history(
        page, log_in, screenshot, manager, questionnaire):
    manager.user.set_password(PASSWORD)
    manager.user.save()
    item = questionnaire.items.get(code="Q01")
    AnswerFactory(response=ResponseFactory(
        beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation),
        wave=questionnaire.waves.get(number=1)), item=item, choice=item.scale.choices.get(code="A"))
    log_in(manager)
    base = f"/o/{questionnaire.organisation.slug}/questionnaires/{questionnaire.public_id}/"
    page.goto(base + "echelles/capacite/")
    page.locator("input[name='choices-0-label']").fill("Oui, par moi-même")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_label("Le sens est inchangé").wait_for()
    screenshot("definition-confirm-meaning")
    page.get_by_label("Le sens est inchangé").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(lambda url: "/echelles/" not in url)
    page.goto(base + "historique/")
    row = page.locator("tr", has_text="Choix A de l'échelle « capacite »").first
    assert "Oui, par moi-même" in row.inner_text()
    assert "Sens confirmé inchangé" in row.inner_text()
    screenshot("definition-history")
