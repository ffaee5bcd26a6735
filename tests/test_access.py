"""The scoping helper: one organisation never sees another's, and each role only what it needs."""

import pytest
from django.http import Http404
from django.urls import reverse

from organisations.access import (
    beneficiaries_for,
    get_membership,
    questionnaires_for,
    responses_for,
)
from tests.factories import (
    BeneficiaryFactory,
    MembershipFactory,
    OrganisationFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def test_a_member_gets_their_membership(counsellor):
    membership = get_membership(counsellor.user, counsellor.organisation.slug)
    assert membership == counsellor


def test_an_outsider_gets_404_in_another_organisation(outsider, organisation):
    with pytest.raises(Http404):
        get_membership(outsider.user, organisation.slug)


def test_a_member_without_the_required_capability_gets_404(board_member):
    with pytest.raises(Http404):
        get_membership(board_member.user, board_member.organisation.slug, "see_people")


def test_an_anonymous_user_gets_404(organisation):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        get_membership(AnonymousUser(), organisation.slug)


def test_a_counsellor_sees_only_their_organisations_beneficiaries(counsellor, other_organisation):
    own = BeneficiaryFactory(organisation=counsellor.organisation)
    BeneficiaryFactory(organisation=other_organisation)
    assert list(beneficiaries_for(counsellor)) == [own]


def test_the_board_sees_no_beneficiary(board_member):
    BeneficiaryFactory(organisation=board_member.organisation)
    assert not beneficiaries_for(board_member).exists()


def test_the_board_sees_no_individual_response(board_member, questionnaire):
    ResponseFactory(beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation),
                    wave=questionnaire.waves.get(number=1))
    assert not responses_for(board_member).exists()


def test_a_director_sees_the_organisations_responses_only(director, questionnaire, outsider):
    response = ResponseFactory(
        beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation),
        wave=questionnaire.waves.get(number=1))
    assert list(responses_for(director)) == [response]
    assert not responses_for(outsider).exists()


def test_an_outsider_does_not_see_the_organisations_questionnaires(outsider, questionnaire):
    assert not questionnaires_for(outsider).filter(pk=questionnaire.pk).exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_home_page_lists_only_the_users_organisations(client, counsellor, other_organisation):
    third = OrganisationFactory(name="SIS de Charleroi")
    MembershipFactory(user=counsellor.user, organisation=third, role="board")
    client.force_login(counsellor.user)
    body = client.get(reverse("home")).content.decode()
    assert counsellor.organisation.name in body
    assert third.name in body
    assert other_organisation.name not in body


@pytest.mark.parametrize(("role", "place"), [
    ("counsellor", "beneficiaries:worklist"), ("director", "reports:index"),
    ("board", "reports:index"), ("manager", "questionnaires:list")])
def test_a_member_of_one_organisation_is_sent_to_their_roles_place(client, organisation, role,
                                                                   place):
    membership = MembershipFactory(organisation=organisation, role=role)
    client.force_login(membership.user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(place, kwargs={"org_slug": organisation.slug})


def test_a_user_logs_in_with_the_login_page(client, counsellor):
    response = client.post(reverse("login"), {"username": counsellor.user.username,
                                              "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert not client.get(reverse("home")).url.startswith(reverse("login"))


def test_a_wrong_password_keeps_the_user_out(client, counsellor):
    response = client.post(reverse("login"), {"username": counsellor.user.username,
                                              "password": "wrong-password"})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302
