"""A person logs in and finds their organisation (Playwright + Debian's Chromium)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_counsellor_logs_in_and_sees_their_organisation(page, log_in, counsellor, screenshot):
    log_in(counsellor)
    assert page.get_by_role("heading", name=counsellor.organisation.name).is_visible()
    screenshot("home")


def test_a_wrong_password_shows_a_french_message(page, counsellor):
    page.goto("/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(counsellor.user.username)
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Connexion").click()
    message = "Saisissez un nom d’utilisateur et un mot de passe valides"
    assert page.get_by_text(message).is_visible()
