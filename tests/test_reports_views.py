"""Impact dashboards: who may see them, what they show, and the filters in the URL."""

import html
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from beneficiaries.models import Beneficiary
from reports.selectors import board_cuts
from tests.factories import BeneficiaryFactory, ResponseFactory

DEMO_COUNSELLORS = ("Dubois", "Benali", "Lambert")


pytestmark = pytest.mark.usefixtures("empty_cache")


def dashboard_url(questionnaire, org_slug=None, **params):
    url = reverse("reports:dashboard",
                  args=[org_slug or questionnaire.organisation.slug, questionnaire.public_id])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def pdf_url(questionnaire, org_slug=None):
    return reverse("reports:pdf",
                   args=[org_slug or questionnaire.organisation.slug, questionnaire.public_id])


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# ---------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["index", "dashboard", "pdf"])
def test_anonymous_users_are_sent_to_the_login_page(client, questionnaire, name):
    args = [questionnaire.organisation.slug]
    if name != "index":
        args.append(questionnaire.public_id)
    response = client.get(reverse(f"reports:{name}", args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["counsellor", "manager"])
@pytest.mark.parametrize("name", ["index", "dashboard", "pdf"])
def test_counsellors_and_data_managers_get_404(client, request, questionnaire, role, name):
    client.force_login(request.getfixturevalue(role).user)
    args = [questionnaire.organisation.slug]
    if name != "index":
        args.append(questionnaire.public_id)
    assert client.get(reverse(f"reports:{name}", args=args)).status_code == 404


@pytest.mark.parametrize("name", ["index", "dashboard", "pdf"])
def test_an_outsider_gets_404_on_this_organisations_pages(client, outsider, questionnaire, name):
    client.force_login(outsider.user)
    args = [questionnaire.organisation.slug]
    if name != "index":
        args.append(questionnaire.public_id)
    assert client.get(reverse(f"reports:{name}", args=args)).status_code == 404


@pytest.mark.parametrize("name", ["dashboard", "pdf"])
def test_another_organisations_questionnaire_is_404_under_ones_own_slug(
        client, outsider, questionnaire, name):
    """The outsider directs their organisation; this organisation's UUID there is unknown."""
    client.force_login(outsider.user)
    url = reverse(f"reports:{name}", args=[outsider.organisation.slug, questionnaire.public_id])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["dashboard", "pdf"])
def test_a_director_cannot_reach_another_organisations_questionnaire(
        client, director, outsider, spec_definition, name):
    from questionnaires.definitions import definition_parse
    from questionnaires.services import questionnaire_load

    theirs, _ = questionnaire_load(organisation=outsider.organisation,
                                   definition=definition_parse(spec_definition))
    client.force_login(director.user)
    url = reverse(f"reports:{name}", args=[director.organisation.slug, theirs.public_id])
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------
# Index and dashboard
# ---------------------------------------------------------------------------


def test_the_index_lists_the_questionnaires_with_a_link_to_their_dashboard(
        client, board_member, demo):
    client.force_login(board_member.user)
    response = client.get(reverse("reports:index", args=[board_member.organisation.slug]))
    assert response.status_code == 200
    assert demo.title in text_of(response)
    assert dashboard_url(demo) in response.content.decode()


def test_the_navigation_links_directors_and_board_members_to_the_dashboards(
        client, director, counsellor, questionnaire):
    index = reverse("reports:index", args=[director.organisation.slug])
    client.force_login(director.user)
    assert index in client.get(dashboard_url(questionnaire)).content.decode()


def test_the_dashboard_shows_funnel_verdicts_dimensions_ranking_and_tables(
        client, director, demo):
    client.force_login(director.user)
    response = client.get(dashboard_url(demo))
    assert response.status_code == 200
    text = text_of(response)
    for heading in ("Qui a répondu, qui est parti", "Évolution par dimension",
                    "Classement des questions", "Question par question",
                    "Télécharger le rapport (PDF)"):
        assert heading in text
    assert "attendues à la vague suivante" in text
    assert "Ce que cet échantillon permet d'affirmer :" in text
    assert "Khi2 =" in text
    assert "ddl =" in text
    assert "Sur " in text
    assert "personnes suivies" in text
    assert response.content.decode().count('class="vises-chart"') == 3  # three charts


def test_over_and_under_represented_cells_carry_a_class_and_a_text_marker(
        client, director, demo):
    client.force_login(director.user)
    html = client.get(dashboard_url(demo)).content.decode()
    assert re.search(r'class="num cell-over">[^<]*<span aria-hidden="true">▲', html)
    assert re.search(r'class="num cell-under">[^<]*<span aria-hidden="true">▼', html)
    assert "sur-représenté" in html
    assert "sous-représenté" in html


def test_a_board_member_sees_no_beneficiary_code_and_no_counsellor(client, board_member, demo):
    client.force_login(board_member.user)
    html = client.get(dashboard_url(demo)).content.decode()
    codes = list(Beneficiary.objects.filter(organisation=demo.organisation)
                 .values_list("code", flat=True))
    assert codes
    assert not any(code in html for code in codes)
    assert not any(name in html for name in DEMO_COUNSELLORS)
    assert 'name="conseiller"' not in html


def test_a_director_can_filter_by_counsellor(client, director, demo):
    client.force_login(director.user)
    html = client.get(dashboard_url(demo)).content.decode()
    assert 'name="conseiller"' in html
    assert all(name in html for name in DEMO_COUNSELLORS)


def test_the_filters_in_the_url_restrict_the_report(client, director, demo):
    client.force_login(director.user)
    everyone = client.get(dashboard_url(demo)).context["view"].funnel[0].count
    programme = Beneficiary.objects.filter(organisation=demo.organisation).first().programme
    response = client.get(dashboard_url(demo, programme=programme.replace(" ", "+")))
    assert 0 < response.context["view"].funnel[0].count < everyone
    assert response.context["form"]["programme"].value() == programme
    # The PDF keeps the filters where the board could ask for the same cut (a year here).
    year = next(c for c in board_cuts(questionnaire=demo) if c.kind == "year")
    response = client.get(dashboard_url(demo, du=year.start, au=year.end))
    assert f"{pdf_url(demo)}?du={year.start}&amp;au={year.end}" in response.content.decode()


def test_a_period_keeps_only_responses_answered_within_it(client, director, demo):
    client.force_login(director.user)
    response = client.get(dashboard_url(demo, du="2024-01-01", au="2024-12-31"))
    assert response.context["filters_invalid"] is False
    first, last = response.context["view"], response.context["period"]
    assert first.published
    assert "2024" in last
    assert "2023" not in last


@pytest.mark.parametrize("params", [{"du": "2024-13-45"}, {"du": "2025-01-01", "au": "2024-01-01"},
                                    {"programme": "Inconnu"}, {"conseiller": "personne"}])
def test_an_invalid_filter_shows_a_french_message_and_the_whole_report(
        client, director, demo, params):
    client.force_login(director.user)
    everyone = client.get(dashboard_url(demo)).context["view"].funnel[0].count
    response = client.get(dashboard_url(demo, **params))
    assert response.status_code == 200
    assert "Certains filtres ne sont pas valides" in text_of(response)
    assert response.context["view"].funnel[0].count == everyone


def test_a_board_member_may_not_filter_by_counsellor(client, board_member, demo):
    client.force_login(board_member.user)
    response = client.get(dashboard_url(demo, conseiller=f"{demo.organisation.slug}-conseiller"))
    assert "Seule la direction peut filtrer par conseiller" in text_of(response)
    assert response.context["filters_invalid"]


def test_a_group_of_fewer_than_five_people_shows_no_figure(client, director, questionnaire):
    wave = questionnaire.waves.get(number=1)
    for _ in range(4):
        ResponseFactory(beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation),
                        wave=wave)
    client.force_login(director.user)
    response = client.get(dashboard_url(questionnaire))
    text = text_of(response)
    assert "Moins de 5 personnes correspondent à cette vue" in text
    assert "Khi2" not in text


def test_the_chosen_waves_are_kept_in_the_url_and_shown_in_the_tables(client, director, demo):
    client.force_login(director.user)
    response = client.get(dashboard_url(demo, comparaison="1-2"))
    view = response.context["view"]
    assert view.comparison.key == "1-2"
    assert view.items[0].column_labels == ["Entrée", "Mi-parcours"]


def test_by_default_the_dashboard_compares_the_first_and_last_waves(client, director, demo):
    client.force_login(director.user)
    response = client.get(dashboard_url(demo))
    assert response.context["view"].comparison.key == "1-3"
    assert 'value="1-3" selected' in response.content.decode()


def test_the_dashboard_costs_the_same_queries_whatever_the_data_size(
        client, director, demo, django_assert_max_num_queries):
    client.force_login(director.user)
    client.get(dashboard_url(demo))  # warm: the report is cached
    with django_assert_max_num_queries(16):  # the navigation of other areas included
        client.get(dashboard_url(demo))
    cache.clear()
    with django_assert_max_num_queries(30):
        client.get(dashboard_url(demo))


def test_the_dashboard_speaks_english_too(client, director, demo):
    client.force_login(director.user)
    client.cookies["django_language"] = "en"
    text = text_of(client.get(dashboard_url(demo), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Who answered" in text
    assert "Chi2 =" in text
    assert "; df =" in text
