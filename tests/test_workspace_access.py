"""Who may open the workspace's pages: counsellors and directors of the organisation only."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from questionnaires.models import Questionnaire, Response
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(published):
    return BeneficiaryFactory(organisation=published.organisation)


def urls(slug, person, questionnaire):
    """Every page of the workspace, for that organisation slug and those objects."""
    ids = {"org_slug": slug}
    one = {**ids, "public_id": person.public_id}
    return [
        reverse("beneficiaries:worklist", kwargs=ids),
        reverse("beneficiaries:list", kwargs=ids),
        reverse("beneficiaries:create", kwargs=ids),
        reverse("beneficiaries:detail", kwargs=one),
        reverse("beneficiaries:edit", kwargs=one),
        reverse("beneficiaries:exit", kwargs=one),
        reverse("beneficiaries:entry", kwargs={
            **one, "questionnaire_id": questionnaire.public_id, "number": 1}),
    ]


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, person, published):
    for url in urls(published.organisation.slug, person, published):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("role", ["counsellor", "director"])
def test_counsellors_and_directors_open_every_page(client, request, role, person, published):
    client.force_login(request.getfixturevalue(role).user)
    for url in urls(published.organisation.slug, person, published):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["board_member", "manager"])
def test_the_board_and_data_managers_get_404_everywhere(client, request, role, person,
                                                        published):
    client.force_login(request.getfixturevalue(role).user)
    for url in urls(published.organisation.slug, person, published):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"code": "X"}).status_code == 404, url


def test_an_outsider_gets_404_on_every_page_of_the_organisation(client, outsider, person,
                                                                 published):
    client.force_login(outsider.user)
    for url in urls(published.organisation.slug, person, published):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"code": "X"}).status_code == 404, url


def test_an_outsider_gets_404_with_the_organisations_ids_under_their_own_slug(
        client, outsider, person, published):
    client.force_login(outsider.user)
    for url in urls(outsider.organisation.slug, person, published):
        if str(person.public_id) in url:
            assert client.get(url).status_code == 404, url


def test_a_member_gets_404_with_another_organisations_person_in_their_own_url(
        client, counsellor, published, other_organisation):
    foreign = BeneficiaryFactory(organisation=other_organisation)
    client.force_login(counsellor.user)
    for url in urls(counsellor.organisation.slug, foreign, published):
        if str(foreign.public_id) in url:
            assert client.get(url).status_code == 404, url


def test_posting_an_answer_for_a_foreign_person_changes_nothing(
        client, counsellor, published, other_organisation):
    foreign = BeneficiaryFactory(organisation=other_organisation)
    client.force_login(counsellor.user)
    url = reverse("beneficiaries:entry", kwargs={
        "org_slug": counsellor.organisation.slug, "public_id": foreign.public_id,
        "questionnaire_id": published.public_id, "number": 1})
    data = {"answered_on": "2024-03-01", "token": "t", "item_Q01": "A", "item_Q02": "B"}
    assert client.post(url, data).status_code == 404
    assert not Response.objects.exists()


def test_another_organisations_questionnaire_gets_404(client, counsellor, person,
                                                       other_organisation, spec_definition):
    from questionnaires.definitions import definition_parse
    from questionnaires.services import questionnaire_load

    foreign, _ = questionnaire_load(organisation=other_organisation,
                                    definition=definition_parse(spec_definition))
    Questionnaire.objects.filter(pk=foreign.pk).update(status=Questionnaire.Status.PUBLISHED)
    client.force_login(counsellor.user)
    url = reverse("beneficiaries:entry", kwargs={
        "org_slug": counsellor.organisation.slug, "public_id": person.public_id,
        "questionnaire_id": foreign.public_id, "number": 1})
    assert client.get(url).status_code == 404


def test_the_navigation_shows_the_workspace_to_counsellors_only(client, counsellor,
                                                                board_member, published):
    url = reverse("beneficiaries:worklist", kwargs={"org_slug": published.organisation.slug})
    client.force_login(counsellor.user)
    assert url in client.get(url).content.decode()
    # The board's pages of this organisation must not link to the worklist.
    html = render_to_string("includes/nav_workspace.html", {
        "membership": board_member, "org_slug": published.organisation.slug})
    assert url not in html
