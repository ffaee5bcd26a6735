"""Downloads open by double click, and nothing personal is kept by a browser or proxy cache."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import BeneficiaryFactory
from tests.test_builder_views import url
from tests.test_exports_files import fill

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.mark.parametrize(("name", "expected"), [
    ("export_csv", "reponses.csv"), ("export_long", "reponses-long.csv"),
    ("export_xlsx", "reponses.xlsx"), ("export_sav", "reponses.sav"),
    ("export_aggregate_csv", "agregats.csv"), ("export_aggregate_xlsx", "agregats.xlsx"),
    ("definition_download", "definition.json"),
])
def test_a_download_is_named_questionnaire_kind_date_extension(client, questionnaire, director,
                                                               name, expected):
    fill(questionnaire, people=8)
    client.force_login(director.user)
    response = client.get(url(name, questionnaire))
    kind, extension = expected.rsplit(".", 1)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="cisp-impact-{kind}-{today}.{extension}"')


def personal_urls(questionnaire, person):
    org = questionnaire.organisation.slug
    return {
        "person page": reverse("beneficiaries:detail", args=[org, person.public_id]),
        "entry page": reverse("beneficiaries:entry", kwargs={
            "org_slug": org, "public_id": person.public_id,
            "questionnaire_id": questionnaire.public_id, "number": 1}),
        "people list": reverse("beneficiaries:list", args=[org]),
        "donnees.json": reverse("beneficiaries:data_export", args=[org, person.public_id]),
        "rapport.pdf": reverse("reports:pdf", args=[org, questionnaire.public_id]),
        "dashboard": reverse("reports:dashboard", args=[org, questionnaire.public_id]),
        "export": url("export_csv", questionnaire),
    }


@pytest.mark.parametrize("page", ["person page", "entry page", "people list", "donnees.json",
                                  "rapport.pdf", "dashboard", "export"])
def test_personal_pages_and_downloads_are_never_stored(client, questionnaire, director, page):
    questionnaire.status = "published"
    questionnaire.save(update_fields=["status"])
    fill(questionnaire, people=8)
    person = BeneficiaryFactory(organisation=questionnaire.organisation,
                                counsellor=director.user, code="P-PAGES")
    client.force_login(director.user)
    response = client.get(personal_urls(questionnaire, person)[page])
    assert response.status_code == 200
    assert "no-store" in re.split(r",\s*", response["Cache-Control"])
