"""A director's PDF goes to the board: only for the board's fixed cuts, never free dates.

Two board-audience reports of free periods one day apart differ by the one person who
entered that day: every item table then gives that person's answers back.
"""

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse

from questionnaires.models import Response
from questionnaires.seeding import demo_seed
from reports.selectors import board_cuts

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(organisation):
    return demo_seed(organisation_slug=organisation.slug, n=80).questionnaire


def pdf_url(demo, query=""):
    url = reverse("reports:pdf", args=[demo.organisation.slug, demo.public_id])
    return f"{url}?{query}" if query else url


def a_day_one_person_entered(demo) -> dt.date:
    firsts = Counter(Response.objects.filter(questionnaire=demo, wave__number=1)
                     .values_list("answered_on", flat=True))
    return max(day for day, count in firsts.items() if count == 1)


def test_a_director_cannot_print_the_pdfs_of_two_periods_one_day_apart(client, director, demo):
    client.force_login(director.user)
    day = a_day_one_person_entered(demo)
    before = client.get(pdf_url(demo, f"au={day - dt.timedelta(days=1)}"))
    after = client.get(pdf_url(demo, f"au={day}"))
    assert (before.status_code, after.status_code) == (400, 400)
    assert "PDF indisponible pour ces filtres" in after.content.decode()
    assert after["Content-Type"].startswith("text/html")


def test_a_director_prints_the_pdf_of_a_cut_the_board_could_ask_for(client, director, demo):
    client.force_login(director.user)
    year = next(c for c in board_cuts(questionnaire=demo) if c.kind == "year")
    response = client.get(pdf_url(demo, f"du={year.start}&au={year.end}"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert client.get(pdf_url(demo)).status_code == 200


def test_the_directors_dashboard_of_a_free_period_says_why_there_is_no_pdf(
        client, director, demo):
    client.force_login(director.user)
    url = reverse("reports:dashboard", args=[demo.organisation.slug, demo.public_id])
    page = client.get(f"{url}?du=2025-02-03").content.decode()
    assert pdf_url(demo) not in page
    assert "pour que personne ne puisse être reconnu" in page


def test_the_command_refuses_a_pdf_of_a_free_period(demo, tmp_path):
    from django.core.management import CommandError, call_command

    day = a_day_one_person_entered(demo)
    with pytest.raises(CommandError, match=r"fixed cuts|découpages fixes") as error:
        call_command("impact_report", "--organisation", demo.organisation.slug,
                     "--questionnaire", "demo", "--format", "pdf", "--to", str(day),
                     "-o", str(tmp_path / "r.pdf"))
    assert error.value.returncode == 2
    assert not (tmp_path / "r.pdf").exists()
