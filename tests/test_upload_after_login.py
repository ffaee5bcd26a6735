"""Confirming an upload still works after the session ended and the user logged in again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questionnaires.models import Response
from tests.page_forms import form_values
from tests.test_builder_views import url
from tests.test_import_responses import GOOD

pytestmark = pytest.mark.django_db


def preview_form(client, questionnaire) -> dict:
    """The preview's confirmation form, as the page shows it, with "confirm" pressed."""
    page = client.post(url("upload", questionnaire),
                       {"file": SimpleUploadedFile("reponses.csv", GOOD.encode())})
    return {**form_values(page.content.decode()), "action": "confirm"}


def test_confirming_after_logging_in_again_imports_the_file(client, questionnaire, manager):
    client.force_login(manager.user)
    preview = preview_form(client, questionnaire)
    client.logout()
    sent = client.post(url("upload_confirm", questionnaire), preview)
    assert sent.url.startswith(reverse("login"))
    client.post(reverse("login"), {"username": manager.user.username,
                                   "password": "correct-horse-battery",
                                   "next": url("upload_confirm", questionnaire)})
    resumed = client.get(url("upload_confirm", questionnaire))
    assert resumed.status_code == 200
    assert not Response.objects.exists()
    client.post(url("upload_confirm", questionnaire),
                {**form_values(resumed.content.decode()), "action": "confirm"})
    assert Response.objects.filter(questionnaire=questionnaire).count() == 3


def test_a_preview_still_confirms_in_a_new_session(client, questionnaire, manager):
    client.force_login(manager.user)
    preview = preview_form(client, questionnaire)
    client.logout()
    client.force_login(manager.user)
    client.post(url("upload_confirm", questionnaire), preview)
    assert Response.objects.filter(questionnaire=questionnaire).count() == 3


def test_another_user_cannot_confirm_with_the_preview_of_someone_else(
        client, questionnaire, manager, director):
    client.force_login(manager.user)
    preview = preview_form(client, questionnaire)
    client.force_login(director.user)
    client.post(url("upload_confirm", questionnaire), preview)
    assert not Response.objects.exists()


def test_opening_the_confirmation_address_leads_back_to_the_upload_page(
        client, questionnaire, manager):
    client.force_login(manager.user)
    response = client.get(url("upload_confirm", questionnaire))
    assert response.status_code == 302
    assert response.url == url("upload", questionnaire)


def test_an_unwritable_pending_folder_gets_a_clear_message_and_imports_nothing(
        client, questionnaire, manager, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    settings.UPLOAD_PENDING_DIR = str(blocked / "pending")
    client.force_login(manager.user)
    response = client.post(url("upload", questionnaire),
                           {"file": SimpleUploadedFile("reponses.csv", GOOD.encode())})
    assert response.status_code == 200
    assert "ne peut pas le conserver" in response.content.decode()
    assert not Response.objects.exists()
