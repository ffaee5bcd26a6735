"""Hostile files and requests: a clear French message, nothing written, no 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from questionnaires.definitions import DefinitionInvalid, definition_json_load
from questionnaires.models import Questionnaire

NESTED = "[" * 100_000


def test_a_deeply_nested_json_is_refused_with_a_message_not_a_recursion_error():
    with translation.override("fr"), pytest.raises(DefinitionInvalid) as refusal:
        definition_json_load(NESTED)
    assert "niveaux" in refusal.value.problems[0]


def test_brackets_inside_texts_do_not_count_as_nesting():
    text = '{"title": "' + "[" * 1000 + '", "items": [[{"a": ["\\"]"]}]]}'
    assert definition_json_load(text)["title"] == "[" * 1000


def test_the_builder_import_refuses_a_deeply_nested_file_in_french(client, manager):
    client.force_login(manager.user)
    with translation.override("fr"):
        response = client.post(
            reverse("questionnaires:definition_import", args=[manager.organisation.slug]),
            {"file": SimpleUploadedFile("q.json", NESTED.encode())}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "niveaux" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_load_questionnaire_refuses_a_deeply_nested_file(write_file, organisation):
    path = write_file("definition.json", NESTED)
    with pytest.raises(CommandError, match="20"):
        call_command("load_questionnaire", str(path), organisation=organisation.slug)
    assert not Questionnaire.objects.exists()


# -- Login throttling behind a reverse proxy ---------------------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    """Settings as PROXY_COUNT=1 makes them (see test_proxy_count_configures_ipware)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False


def through_proxy(client, username, password, client_ip, forged=None):
    """A login POST as nginx forwards it: from 127.0.0.1, the client's address appended."""
    chain = f"{forged}, {client_ip}" if forged else client_ip
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=chain)


def test_five_failures_from_one_forwarded_address_do_not_lock_out_another(
        client, director, behind_one_proxy):
    for _ in range(5):
        through_proxy(client, director.user.username, "wrong", "203.0.113.9")
    locked = through_proxy(client, director.user.username, "correct-horse-battery",
                           "203.0.113.9")
    assert locked.status_code == 429
    welcome = through_proxy(client, director.user.username, "correct-horse-battery",
                            "198.51.100.7")
    assert welcome.status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_lock(client, director, behind_one_proxy):
    # The attacker writes a new address in each request; nginx appends the real one.
    for n in range(5):
        through_proxy(client, director.user.username, "wrong", "203.0.113.9",
                      forged=f"192.0.2.{n}")
    locked = through_proxy(client, director.user.username, "correct-horse-battery",
                           "203.0.113.9", forged="192.0.2.99")
    assert locked.status_code == 429


def _settings_with(env: dict) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'vises.settings');"
            "django.setup(); from django.conf import settings as s;"
            "print(s.AXES_IPWARE_META_PRECEDENCE_ORDER, getattr(s, 'AXES_IPWARE_PROXY_COUNT',"
            " None))")
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"PROXY_COUNT", "BEHIND_PROXY"}} | env
    return subprocess.run([sys.executable, "-c", code], env=environment, check=True,
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                          text=True).stdout.strip()


def test_proxy_count_configures_ipware():
    assert _settings_with({"PROXY_COUNT": "1"}) == "['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] 0"
    assert _settings_with({"PROXY_COUNT": "2"}) == "['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] 1"
    assert _settings_with({}).startswith("['REMOTE_ADDR']")
