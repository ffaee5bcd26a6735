"""A questionnaire sent after the session ended is kept for its author, never saved silently."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations.models import KeptForm
from questionnaires.models import Response
from tests.factories import BeneficiaryFactory
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db
EXPIRED = "Votre session a expiré, vos réponses sont conservées"


@pytest.fixture
def url(published, counsellor):
    person = BeneficiaryFactory(organisation=published.organisation, counsellor=counsellor.user)
    return reverse("beneficiaries:entry", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id,
        "questionnaire_id": published.public_id, "number": 1})


@pytest.fixture
def typed(client, counsellor, url):
    """The form opened while logged in, then filled in."""
    client.force_login(counsellor.user)
    values = form_values(client.get(url).content.decode())
    return {**values, "answered_on": "2024-02-01", "item_Q01": "C", "item_Q02": "B"}


def log_in(client, membership, next_url=""):
    return client.post(reverse("login"), {"username": membership.user.username,
                                          "password": "correct-horse-battery",
                                          "next": next_url})


def test_an_entry_sent_after_the_session_ended_is_kept_and_the_login_page_says_so(
        client, typed, url):
    client.logout()
    response = client.post(url, typed, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert EXPIRED in response.content.decode()
    assert not Response.objects.exists()


def test_after_logging_in_again_the_form_shows_the_answers_without_saving_them(
        client, typed, url, counsellor):
    client.logout()
    client.post(url, typed)
    landed = log_in(client, counsellor, url)
    assert landed.url == url
    page = client.get(url).content.decode()
    assert {k: v for k, v in form_values(page).items() if k.startswith("item_")} == {
        "item_Q01": "C", "item_Q02": "B"}
    assert "ne sont pas encore enregistrées" in page
    assert not Response.objects.exists()
    # Given back once: the next visit is an empty form again.
    assert "item_Q01" not in form_values(client.get(url).content.decode())


def test_kept_answers_are_given_back_to_their_author_only(client, typed, url, director):
    client.logout()
    client.post(url, typed)
    log_in(client, director)
    assert "item_Q01" not in form_values(client.get(url).content.decode())
    assert KeptForm.objects.count() == 1


def test_kept_answers_are_forgotten_after_one_hour(client, typed, url, counsellor):
    client.logout()
    client.post(url, typed)
    KeptForm.objects.update(kept_at=timezone.now() - dt.timedelta(minutes=61))
    log_in(client, counsellor)
    assert "item_Q01" not in form_values(client.get(url).content.decode())
    assert not KeptForm.objects.exists()


def test_a_post_without_a_valid_author_token_keeps_nothing(client, typed, url):
    client.logout()
    page = client.post(url, {**typed, "form_owner": "1:forged"}, follow=True)
    assert EXPIRED not in page.content.decode()
    assert not KeptForm.objects.exists()


def test_a_csrf_failure_on_the_entry_form_keeps_the_answers_on_a_french_page(
        typed, url, counsellor):
    browser = Client(enforce_csrf_checks=True)  # its cookies are gone
    response = browser.post(url, typed)
    page = response.content.decode()
    assert response.status_code == 403
    assert EXPIRED in page
    assert 'class="navbar' in page  # the site's layout
    assert not Response.objects.exists()
    browser.force_login(counsellor.user)
    restored = form_values(browser.get(url).content.decode())
    assert restored["item_Q01"] == "C"


def test_a_csrf_failure_elsewhere_gets_the_french_page_and_keeps_nothing(counsellor):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Cette page a expiré" in response.content.decode()
    assert not KeptForm.objects.exists()
