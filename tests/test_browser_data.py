"""A data manager builds a questionnaire and uploads responses (Playwright + Debian's Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from questionnaires.models import Questionnaire, Response
from tests.test_import_responses import GOOD
from tests.test_upload_views import BAD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _pending_dir(settings, tmp_path):
    settings.UPLOAD_PENDING_DIR = str(tmp_path / "pending")


def choose_file(page, name: str, content: str) -> None:
    page.get_by_label("Fichier de réponses").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()})


def test_a_manager_builds_a_small_questionnaire(page, log_in, manager, screenshot):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(manager)
    page.goto(f"/o/{manager.organisation.slug}/questionnaires/")
    expect(page.get_by_role("link", name="Questionnaires et données")).to_be_visible()
    page.get_by_role("link", name="Nouveau questionnaire").click()
    page.get_by_label("Code").fill("suivi-2025")
    page.get_by_label("Titre").fill("Suivi 2025")
    page.get_by_role("button", name="Créer").click()
    expect(page.get_by_role("heading", name="Suivi 2025")).to_be_visible()

    page.get_by_role("link", name="Ajouter une question", exact=True).click()
    page.get_by_label("Code").fill("Q02")
    page.get_by_label("Question").fill("Savez-vous où chercher des offres d’emploi ?")
    page.get_by_label("Dimension").fill("Recherche d’emploi")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("link", name="Ajouter une question", exact=True).click()
    page.get_by_label("Code").fill("Q03")
    page.get_by_label("Question").fill("Savez-vous rédiger une lettre de motivation ?")
    page.get_by_label("Dimension").fill("Recherche d’emploi")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Monter Q03").click()
    expect(page.locator(".item-code")).to_have_text(["Q01", "Q03", "Q02"])
    screenshot("data-builder")

    page.get_by_role("link", name="Aperçu", exact=True).first.click()
    expect(page.get_by_text("Savez-vous rédiger une lettre de motivation ?")).to_be_visible()
    expect(page.get_by_label("Ne se prononce pas").first).to_be_disabled()
    screenshot("data-preview")

    page.get_by_role("link", name="Construction").click()
    page.locator("#waves-title + a").click()
    page.locator("#id_waves-1-label").fill("Mi-parcours (3 mois)")
    screenshot("data-waves")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("cell", name="Mi-parcours (3 mois)")).to_be_visible()
    page.get_by_role("link", name="Modifier capacite").click()
    screenshot("data-scale")
    page.get_by_role("link", name="Annuler").click()
    page.get_by_role("link", name="Publier…").click()
    page.get_by_role("button", name="Publier avec ce choix").click()
    expect(page.locator(".badge", has_text="Publié")).to_be_visible()
    questionnaire = Questionnaire.objects.get(code="suivi-2025")
    assert questionnaire.status == Questionnaire.Status.PUBLISHED
    assert list(questionnaire.items.values_list("code", flat=True)) == ["Q01", "Q03", "Q02"]


def test_an_upload_with_errors_lists_them_and_writes_nothing(
        page, log_in, manager, questionnaire, screenshot):
    log_in(manager)
    page.goto(f"/o/{manager.organisation.slug}/questionnaires/{questionnaire.public_id}"
              "/reponses/importer/")
    choose_file(page, "reponses.csv", BAD)
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", name=re.compile("3 problèmes"))).to_be_visible()
    rows = page.locator(".problems-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("Q01")
    screenshot("data-upload-errors")
    assert not Response.objects.exists()


def test_a_good_upload_shows_a_preview_then_imports_on_confirmation(
        page, log_in, manager, questionnaire, screenshot):
    log_in(manager)
    page.goto(f"/o/{manager.organisation.slug}/questionnaires/{questionnaire.public_id}"
              "/reponses/importer/")
    choose_file(page, "reponses.csv", GOOD)
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.locator("#responses-created")).to_have_text("3")
    expect(page.locator("#new-beneficiaries")).to_have_text("2")
    screenshot("data-upload-preview")
    assert not Response.objects.exists()
    page.get_by_role("button", name="Confirmer l’import").click()
    expect(page.locator("#response-count")).to_contain_text("3 réponses")
    assert Response.objects.filter(questionnaire=questionnaire).count() == 3
