"""Uploading responses in the browser: a preview first, nothing written until confirmed."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.html import escape

from beneficiaries.models import Beneficiary
from questionnaires.models import Answer, Response
from tests.test_builder_views import url
from tests.test_import_responses import GOOD
from tests.test_upload_reading import workbook

pytestmark = pytest.mark.django_db

BAD = (
    "beneficiary;wave;answered_on;Q01;Q02\n"
    "B-0001;1;2024-01-15;C;B\n"
    "B-0002;7;2024-01-15;A;B\n"
    "B-0003;1;2024-13-45;Z;A\n"
)


@pytest.fixture(autouse=True)
def _pending_dir(settings, tmp_path):
    settings.UPLOAD_PENDING_DIR = str(tmp_path / "pending")


@pytest.fixture
def logged_in(client, manager):
    client.force_login(manager.user)
    return client


def upload(client, questionnaire, content, *, name="reponses.csv", update=False):
    data = content.encode() if isinstance(content, str) else content
    form = {"file": SimpleUploadedFile(name, data)}
    if update:
        form["update"] = "on"
    return client.post(url("upload", questionnaire), form)


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def confirm(client, questionnaire, token, action="confirm"):
    return client.post(url("upload_confirm", questionnaire), {"token": token, "action": action})


def french(message, **values):
    with translation.override("fr"):
        return escape(translation.gettext(message) % values if values
                      else translation.gettext(message))


def test_the_upload_page_shows_the_expected_columns(logged_in, questionnaire):
    content = logged_in.get(url("upload", questionnaire)).content.decode()
    assert "beneficiary;wave;answered_on;Q01;Q02" in content


def test_a_good_file_shows_a_preview_and_writes_nothing(logged_in, questionnaire):
    response = upload(logged_in, questionnaire, GOOD)
    assert response.status_code == 200
    assert response.context["plan"].created == 3
    assert len(response.context["plan"].new_codes) == 2
    assert response.context["plan"].answers == 5
    assert not Response.objects.exists()
    assert not Beneficiary.objects.exists()


def test_confirming_writes_everything(logged_in, questionnaire):
    token = token_of(upload(logged_in, questionnaire, GOOD))
    response = confirm(logged_in, questionnaire, token)
    assert response["Location"] == url("builder", questionnaire)
    assert Response.objects.filter(questionnaire=questionnaire).count() == 3
    assert Answer.objects.count() == 5


def test_the_builder_then_counts_the_responses(logged_in, questionnaire):
    confirm(logged_in, questionnaire, token_of(upload(logged_in, questionnaire, GOOD)))
    response = logged_in.get(url("builder", questionnaire))
    assert response.context["response_count"] == 3


def test_a_second_confirmation_imports_nothing_more(logged_in, questionnaire):
    token = token_of(upload(logged_in, questionnaire, GOOD))
    confirm(logged_in, questionnaire, token)
    response = confirm(logged_in, questionnaire, token)
    assert response.status_code == 302
    assert Response.objects.count() == 3


def test_a_second_confirmation_says_so(logged_in, questionnaire):
    token = token_of(upload(logged_in, questionnaire, GOOD))
    confirm(logged_in, questionnaire, token)
    response = logged_in.post(url("upload_confirm", questionnaire), {"token": token},
                              follow=True)
    assert french("This file was already imported, or its preview has expired. Nothing more "
                  "was written; upload it again if needed.") in response.content.decode()


def test_another_users_token_imports_nothing(client, logged_in, questionnaire, director):
    token = token_of(upload(logged_in, questionnaire, GOOD))
    client.force_login(director.user)
    confirm(client, questionnaire, token)
    assert not Response.objects.exists()


def test_a_token_for_another_questionnaire_imports_nothing(
        logged_in, questionnaire, manager):
    from questionnaires.builder import questionnaire_create

    other = questionnaire_create(organisation=manager.organisation, code="autre", title="Autre")
    token = token_of(upload(logged_in, questionnaire, GOOD))
    confirm(logged_in, other, token)
    assert not Response.objects.exists()


def test_cancelling_writes_nothing_and_forgets_the_file(logged_in, questionnaire, tmp_path):
    token = token_of(upload(logged_in, questionnaire, GOOD))
    confirm(logged_in, questionnaire, token, action="cancel")
    assert not Response.objects.exists()
    assert not list((tmp_path / "pending").glob("*"))


def test_the_confirmation_checks_the_file_again(logged_in, questionnaire):
    token = token_of(upload(logged_in, questionnaire, GOOD))
    # Meanwhile someone else imports the same rows.
    other = token_of(upload(logged_in, questionnaire, GOOD))
    confirm(logged_in, questionnaire, other)
    response = confirm(logged_in, questionnaire, token)
    assert response.status_code == 200
    assert response.context["problem_count"] == 3
    assert Response.objects.count() == 3


def test_a_file_with_errors_lists_each_with_line_and_column(logged_in, questionnaire):
    response = upload(logged_in, questionnaire, BAD)
    problems = [(p.line, p.column) for p in response.context["problems"]]
    assert problems == [(3, "wave"), (4, "answered_on"), (4, "Q01")]
    content = response.content.decode()
    assert "<td>Q01</td>" in content
    assert not Response.objects.exists()
    assert not Beneficiary.objects.exists()


def test_a_file_with_errors_offers_no_confirmation(logged_in, questionnaire):
    assert 'name="token"' not in upload(logged_in, questionnaire, BAD).content.decode()


def test_an_xlsx_file_with_the_same_columns_is_imported(logged_in, questionnaire):
    data = workbook([["beneficiary", "wave", "answered_on", "Q01", "Q02"],
                     ["B-0001", 1, "2024-01-15", "C", "B"],
                     ["B-0001", 2, "20/04/2024", "A", None]])
    token = token_of(upload(logged_in, questionnaire, data, name="reponses.xlsx"))
    confirm(logged_in, questionnaire, token)
    assert Response.objects.filter(questionnaire=questionnaire).count() == 2


def test_replacing_existing_responses_needs_the_checkbox(logged_in, questionnaire):
    confirm(logged_in, questionnaire, token_of(upload(logged_in, questionnaire, GOOD)))
    refused = upload(logged_in, questionnaire, GOOD.replace(";C;B", ";A;A"))
    assert refused.context["problem_count"] == 3
    replaced = upload(logged_in, questionnaire, GOOD.replace(";C;B", ";A;A"), update=True)
    assert replaced.context["plan"].updated == 3
    confirm(logged_in, questionnaire, token_of(replaced))
    first = Response.objects.get(beneficiary__code="B-0001", wave__number=1)
    assert sorted(first.answers.values_list("choice__code", flat=True)) == ["A", "A"]


def test_a_file_that_is_not_a_spreadsheet_gets_a_french_message(logged_in, questionnaire):
    response = upload(logged_in, questionnaire, b"%PDF-1.4\n\x00\x01", name="rapport.pdf")
    assert french("This file is not a spreadsheet. Upload a CSV file (UTF-8, “;” or “,” "
                  "separated) or an Excel .xlsx file.") in response.content.decode()


def test_a_file_in_another_encoding_gets_a_french_message(logged_in, questionnaire):
    response = upload(logged_in, questionnaire, GOOD.replace("B-0002", "Bénédicte")
                      .encode("cp1252"))
    with translation.override("fr"):
        expected = translation.gettext(
            "the file is not encoded in UTF-8. Save it as “CSV UTF-8” and try again.")
    assert [p.message for p in response.context["problems"]] == [expected]
    assert escape(expected[1:]) in response.content.decode()
    assert not Response.objects.exists()


def test_a_file_too_large_gets_a_french_message(logged_in, questionnaire, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = upload(logged_in, questionnaire, GOOD * 3)
    with translation.override("fr"):
        expected = translation.gettext(
            "The file is too large (%(size)s; at most %(max)s). Split it into smaller files."
        ) % {"size": filesizeformat(len(GOOD) * 3), "max": filesizeformat(100)}
    assert response.context["form"].errors["file"] == [expected]
    assert escape(expected) in response.content.decode()
    assert not Response.objects.exists()


def test_the_replace_checkbox_is_kept_when_the_file_is_refused(logged_in, questionnaire):
    response = upload(logged_in, questionnaire, BAD, update=True)
    assert re.search(r'name="update"[^>]*checked', response.content.decode())
