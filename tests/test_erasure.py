"""An erasure cuts every link to the person: no table, log or pending file still names them."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from beneficiaries.models import Beneficiary, PrivacyAction
from beneficiaries.privacy import beneficiary_data_export, beneficiary_erase
from questionnaires.models import Response
from tests.factories import AnswerFactory, BeneficiaryFactory, ResponseFactory

pytestmark = pytest.mark.django_db

NAME, OLD_NAME, CODE = "Zyxwane", "Qorvath", "B-ERASE-77"


@pytest.fixture(autouse=True)
def _pending_dir(settings, tmp_path):
    settings.UPLOAD_PENDING_DIR = str(tmp_path / "pending")


@pytest.fixture
def person(questionnaire, counsellor, director):
    beneficiary = BeneficiaryFactory(
        organisation=questionnaire.organisation, code=CODE, first_name="Saadia",
        last_name=OLD_NAME, birth_year=1980, gender="f", counsellor=counsellor.user,
        programme="Horticulture du mardi", entry_date=dt.date(2024, 1, 15),
        exit_date=dt.date(2024, 7, 22), exit_reason="employment")
    item = questionnaire.items.get(code="Q01")
    for number, code, day in ((1, "C", dt.date(2024, 1, 16)), (2, "A", dt.date(2024, 4, 23))):
        response = ResponseFactory(beneficiary=beneficiary, answered_on=day,
                                   entered_by=counsellor.user,
                                   wave=questionnaire.waves.get(number=number))
        AnswerFactory(response=response, item=item, choice=item.scale.choices.get(code=code))
    beneficiary.last_name = NAME
    beneficiary.save()
    # Traces an erasure must reach: an export in the privacy log, an edit in the admin log,
    # an upload naming the person that nobody confirmed.
    beneficiary_data_export(beneficiary=beneficiary, performed_by=director.user)
    LogEntry.objects.create(
        user=director.user, content_type=ContentType.objects.get_for_model(Beneficiary),
        object_id=str(beneficiary.pk), object_repr=str(beneficiary), action_flag=CHANGE,
        change_message=f"Nom : {OLD_NAME} → {NAME}")
    return beneficiary


def upload_naming_the_person(client, manager, questionnaire):
    client.force_login(manager.user)
    content = f"beneficiary;wave;answered_on;Q01;Q02\n{CODE};3;2024-07-20;A;B\n".encode()
    response = client.post(reverse("questionnaires:upload", args=[
        questionnaire.organisation.slug, questionnaire.public_id]),
        {"file": SimpleUploadedFile(f"reponses-{NAME}.csv", content)})
    assert response.status_code == 200


def traces(needles: list[str], folder) -> list[str]:
    """Every table (raw SQL, each column as text), decoded sessions and the pending folder."""
    found = []
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                found += [f"{table}: {n}" for n in needles if n in text]
    for session in Session.objects.all():
        text = str(session.get_decoded())
        found += [f"session: {n}" for n in needles if n in text]
    for path in folder.rglob("*") if folder.exists() else ():
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {n}" for n in needles if n.encode() in data]
    return found


@pytest.mark.parametrize("keep_answers", [True, False])
def test_after_an_erasure_nothing_holds_the_name_the_code_or_the_old_id(
        client, person, director, manager, questionnaire, tmp_path, keep_answers):
    upload_naming_the_person(client, manager, questionnaire)
    old_id = person.public_id
    needles = [NAME, OLD_NAME, CODE, str(old_id), old_id.hex]
    assert len(traces(needles, tmp_path / "pending")) >= 5  # the test sees them before
    beneficiary_erase(beneficiary=person, performed_by=director.user, keep_answers=keep_answers)
    assert traces(needles, tmp_path / "pending") == []


def test_the_old_address_of_an_erased_person_shows_nothing(client, person, director):
    old_url = reverse("beneficiaries:detail", args=[person.organisation.slug, person.public_id])
    beneficiary_erase(beneficiary=person, performed_by=director.user, keep_answers=True)
    client.force_login(director.user)
    assert client.get(old_url).status_code == 404


def test_kept_answers_lose_programme_counsellor_exit_reason_and_exact_dates(person, director):
    beneficiary_erase(beneficiary=person, performed_by=director.user, keep_answers=True)
    anonymous = Beneficiary.objects.get(pk=person.pk)
    assert (anonymous.programme, anonymous.counsellor, anonymous.exit_reason) == ("", None, "")
    assert (anonymous.entry_date, anonymous.exit_date) == (dt.date(2024, 1, 1),
                                                           dt.date(2024, 7, 1))
    responses = Response.objects.filter(beneficiary=anonymous).order_by("wave__number")
    assert [r.answered_on for r in responses] == [dt.date(2024, 1, 1), dt.date(2024, 4, 1)]
    assert {r.entered_by for r in responses} == {None}
    assert {r.created_at.day for r in responses} == {1}


def test_the_privacy_log_proves_the_erasure_without_pointing_at_the_person(person, director):
    beneficiary_erase(beneficiary=person, performed_by=director.user, keep_answers=True)
    actions = list(PrivacyAction.objects.order_by("performed_at", "id"))
    assert [a.kind for a in actions] == ["export", "erase_keep_answers"]
    assert {a.beneficiary_public_id for a in actions} == {None}
    assert actions[-1].performed_by == director.user


# -- Pending uploads ---------------------------------------------------------------------------


def pending_files(tmp_path):
    folder = tmp_path / "pending"
    return sorted(folder.glob("*.upload")) if folder.exists() else []


def test_a_user_keeps_at_most_the_configured_number_of_pending_uploads(
        client, manager, questionnaire, tmp_path, settings):
    settings.UPLOAD_MAX_PENDING_PER_USER = 2
    for _ in range(4):
        upload_naming_the_person(client, manager, questionnaire)
    assert len(pending_files(tmp_path)) == 2


def test_one_users_uploads_do_not_push_out_anothers(client, manager, director, questionnaire,
                                                    tmp_path, settings):
    settings.UPLOAD_MAX_PENDING_PER_USER = 2
    upload_naming_the_person(client, director, questionnaire)
    for _ in range(3):
        upload_naming_the_person(client, manager, questionnaire)
    assert len(pending_files(tmp_path)) == 3


def test_purge_uploads_deletes_only_files_older_than_the_keep_period(
        client, manager, questionnaire, tmp_path, settings):
    import os
    import time

    settings.UPLOAD_KEEP_HOURS = 24
    upload_naming_the_person(client, manager, questionnaire)
    upload_naming_the_person(client, manager, questionnaire)
    old, recent = pending_files(tmp_path)
    two_days_ago = time.time() - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    call_command("purge_uploads")
    assert pending_files(tmp_path) == [recent]
