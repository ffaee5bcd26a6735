"""A person logs in and finds their organisation (Playwright + Debian's Chromium)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_counsellor_logs_in_and_lands_on_their_worklist(page, log_in, counsellor):
    log_in(counsellor)
    assert page.url.endswith(f"/o/{counsellor.organisation.slug}/a-faire/")
    assert page.get_by_text(counsellor.organisation.name).first.is_visible()


def test_a_member_of_two_organisations_chooses_on_the_home_page(
        page, log_in, counsellor, other_organisation, screenshot):
    from tests.factories import MembershipFactory

    MembershipFactory(user=counsellor.user, organisation=other_organisation, role="board")
    log_in(counsellor)
    assert page.get_by_role("heading", name=other_organisation.name).is_visible()
    screenshot("home")
    page.get_by_role("link", name="Tableaux de bord d'impact").click()
    assert page.url.endswith(f"/o/{other_organisation.slug}/rapports/")


def test_a_wrong_password_shows_a_french_message(page, counsellor):
    page.goto("/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(counsellor.user.username)
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Connexion").click()
    message = "Saisissez un nom d’utilisateur et un mot de passe valides"
    assert page.get_by_text(message).is_visible()
