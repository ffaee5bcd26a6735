"""Chart text is data: a "$" in an item or a dimension never becomes mathtext (no 500)."""

import pytest
from django.urls import reverse

from questionnaires.models import Item
from questionnaires.seeding import demo_seed
from reports import charts

# Between its two "$", matplotlib's mathtext would read " / h^" and raise a ParseException.
HOSTILE = "Coût horaire 10$ / h^$2"


pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture
def hostile_demo(organisation):
    """The demo questionnaire whose every text and dimension name carries the hostile text."""
    questionnaire = demo_seed(organisation_slug=organisation.slug, n=40).questionnaire
    for item in Item.objects.filter(questionnaire=questionnaire):
        item.text = f"{HOSTILE} {item.code}"
        item.dimension = f"{HOSTILE} {item.dimension}"
        item.save(update_fields=["text", "dimension"])
    return questionnaire


def test_the_funnel_prints_a_dollar_label_as_typed():
    svg = charts.funnel_chart([charts.FunnelStep(HOSTILE, 3, 100.0)], chart_id="c",
                              title="t", description="d", count_label=HOSTILE)
    assert "10$ / h^$2" in svg


def test_the_dashboard_shows_items_and_dimensions_with_dollars(client, director, hostile_demo):
    client.force_login(director.user)
    response = client.get(reverse("reports:dashboard", args=[director.organisation.slug,
                                                             hostile_demo.public_id]))
    assert response.status_code == 200
    assert "10$ / h^$2" in response.content.decode()


def test_the_pdf_is_built_with_dollars_in_the_texts(client, director, hostile_demo):
    client.force_login(director.user)
    response = client.get(reverse("reports:pdf", args=[director.organisation.slug,
                                                       hostile_demo.public_id]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_a_person_page_draws_dimension_names_with_dollars(client, director, hostile_demo):
    person = hostile_demo.responses.select_related("beneficiary").first().beneficiary
    client.force_login(director.user)
    response = client.get(reverse("beneficiaries:detail",
                                  args=[director.organisation.slug, person.public_id]))
    assert response.status_code == 200
    assert "10$ / h^$2" in response.content.decode()


def test_markup_in_a_chart_label_or_title_is_escaped_by_the_chart_itself():
    svg = charts.funnel_chart([charts.FunnelStep("<script>alert(1)</script>", 3, 100.0)],
                              chart_id="c", title="<b>title</b>", description="<i>d</i>",
                              count_label="<img src=x>")
    assert [tag for tag in ("<script", "<b>", "<img") if tag in svg] == []
    assert "&lt;script&gt;" in svg
    assert "&lt;b&gt;title" in svg
