"""French by default, English available, numbers and dates in the user's locale."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_the_login_page_speaks_french_by_default(client):
    body = client.get(reverse("login")).content.decode()
    assert "Connexion" in body
    assert 'lang="fr"' in body


def test_the_login_page_speaks_english_when_the_browser_asks(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in body
    assert 'lang="en"' in body


def test_a_user_can_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_numbers_are_written_with_a_decimal_comma_in_french():
    with translation.override("fr"):
        rendered = Template("{{ value }}").render(Context({"value": 18.55}))
    assert rendered == "18,55"


def test_dates_are_written_the_french_way():
    with translation.override("fr"):
        rendered = Template("{{ value|date:'SHORT_DATE_FORMAT' }}").render(
            Context({"value": dt.date(2024, 1, 15)}))
    assert rendered == "15/01/2024"


def test_every_french_message_is_translated():
    from pathlib import Path

    catalogue = Path(__file__).resolve().parent.parent / "locale/fr/LC_MESSAGES/django.po"
    entries = catalogue.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [e for e in entries
                    if 'msgstr ""' in e and e.rstrip().endswith('msgstr ""')
                    and not e.startswith("#~")]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not untranslated
    assert not fuzzy
