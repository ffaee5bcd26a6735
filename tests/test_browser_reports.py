"""Directors and board members open the impact dashboard, filter it, download the PDF."""

import subprocess
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache

from beneficiaries.models import Beneficiary
from questionnaires.seeding import demo_seed
from reports.selectors import board_cuts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(organisation):
    cache.clear()
    yield demo_seed(organisation_slug=organisation.slug, n=120).questionnaire
    cache.clear()


def open_dashboard(page, demo):
    page.get_by_role("link", name="Tableaux de bord d'impact").first.click()
    page.get_by_role("link", name=f"Ouvrir le tableau de bord – {demo.title}").click()
    page.get_by_role("heading", name="Qui a répondu").wait_for()


def download_pdf(page, tmp_path):
    with page.expect_download(timeout=60_000) as download_info:  # a PDF under load
        page.get_by_role("link", name="Télécharger le rapport (PDF)").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    return path


def test_a_director_filters_the_dashboard_and_downloads_the_pdf(
        page, log_in, director, demo, screenshot, tmp_path):
    log_in(director)
    page.goto(f"/o/{director.organisation.slug}/rapports/")
    open_dashboard(page, demo)
    screenshot("reports-dashboard-director")

    programme = Beneficiary.objects.filter(organisation=demo.organisation).first().programme
    page.get_by_label("Programme").select_option(programme)
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(lambda url: "programme=" in url)
    assert parse_qs(urlparse(page.url).query)["programme"] == [programme]
    assert page.get_by_label("Programme").input_value() == programme

    # The PDF goes to the board: only for a cut the board could ask for (no programme cut
    # holds enough people here), so the page says why there is none.
    assert page.get_by_role("link", name="Télécharger le rapport (PDF)").count() == 0
    assert page.get_by_text("pour que personne ne puisse être reconnu").count() == 1

    year = next(c for c in board_cuts(questionnaire=demo) if c.kind == "year")
    page.get_by_label("Programme").select_option("")
    page.get_by_label("Entrées du").fill(year.start.isoformat())
    page.get_by_label("au", exact=True).fill(year.end.isoformat())
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(lambda url: "au=" in url)
    path = download_pdf(page, tmp_path)
    assert path.name.endswith(".pdf")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert str(year.start.year) in text  # the cover says what the report is restricted to


def test_a_board_member_sees_no_beneficiary_code_anywhere(
        page, log_in, board_member, demo, screenshot, tmp_path):
    log_in(board_member)
    page.goto(f"/o/{board_member.organisation.slug}/rapports/")
    open_dashboard(page, demo)
    assert page.get_by_label("Conseiller·ère").count() == 0
    # The board picks a fixed period of entry (a year or a semester), not free dates.
    periods = page.get_by_label("Personnes entrées")
    year = periods.locator("option").nth(1).get_attribute("value")
    periods.select_option(year)
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(lambda url: f"du={year}" in url)
    assert page.get_by_text(f"Personnes entrées en {year}").count() == 1
    screenshot("reports-dashboard-board")

    codes = list(Beneficiary.objects.filter(organisation=demo.organisation)
                 .values_list("code", flat=True))
    content = page.content()
    assert not any(code in content for code in codes)
    path = download_pdf(page, tmp_path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Rapport d'impact social" in text
    assert not any(code in text for code in codes)
