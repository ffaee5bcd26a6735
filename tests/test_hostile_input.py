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
