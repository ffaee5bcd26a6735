"""Replacing responses (`import_responses --update`, "Remplacer les réponses existantes"):
only what differs is written, with its history; any database error is one French refusal
that writes nothing; it waits for counsellors' saves instead of deadlocking."""

import threading
import time

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import translation

from questionnaires import imports
from questionnaires.imports import WRITE_INTERRUPTED, responses_import
from questionnaires.models import Answer, Response
from questionnaires.tables import ImportRefused, table_read_csv
from tests.concurrency import postgresql_only, run_threads
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST = (
    "beneficiary;wave;answered_on;Q01;Q02\n"
    "B-0001;1;2024-01-15;C;B\n"
    "B-0002;1;2024-01-15;A;A\n"
    "B-0003;1;2024-01-15;B;\n"
)
# B-0001 unchanged; B-0002: Q01 changed, Q02 emptied; B-0003: Q02 answered, new date.
SECOND = (
    "beneficiary;wave;answered_on;Q01;Q02\n"
    "B-0001;1;2024-01-15;C;B\n"
    "B-0002;1;2024-01-15;B;\n"
    "B-0003;1;2024-01-20;B;NSP\n"
)


def write(text, questionnaire, *, update=False, user=None):
    return responses_import(questionnaire=questionnaire, table=table_read_csv(text.encode()),
                            update=update, entered_by=user)


def snapshot(questionnaire):
    """Every response and answer as stored, history included."""
    return (
        list(Response.objects.filter(questionnaire=questionnaire).order_by("id").values_list(
            "id", "answered_on", "entered_by", "updated_at")),
        list(Answer.objects.order_by("id").values_list("id", "response", "item", "choice")),
        Answer.history.count(), Response.history.count(),
    )


def answers(code):
    response = Response.objects.get(beneficiary__code=code)
    return {a.item.code: a.choice.code for a in response.answers.select_related("item",
                                                                              "choice")}


@pytest.fixture
def imported(questionnaire):
    write(FIRST, questionnaire)
    return questionnaire


def french_refusal() -> str:
    with translation.override("fr"):
        return translation.gettext(WRITE_INTERRUPTED)


def test_replacing_makes_each_response_say_what_the_file_says(imported):
    write(SECOND, imported, update=True)
    assert answers("B-0001") == {"Q01": "C", "Q02": "B"}
    assert answers("B-0002") == {"Q01": "B"}
    assert answers("B-0003") == {"Q01": "B", "Q02": "NSP"}
    assert str(Response.objects.get(beneficiary__code="B-0003").answered_on) == "2024-01-20"


def test_an_unchanged_row_writes_nothing_and_keeps_who_entered_it(imported):
    untouched = Response.objects.get(beneficiary__code="B-0001")
    answer_ids = set(untouched.answers.values_list("id", flat=True))
    result = write(SECOND, imported, update=True, user=UserFactory())
    untouched_after = Response.objects.get(pk=untouched.pk)
    assert set(untouched_after.answers.values_list("id", flat=True)) == answer_ids
    assert untouched_after.updated_at == untouched.updated_at
    assert untouched_after.entered_by is None
    assert (result.responses_updated, result.responses_unchanged) == (2, 1)
    assert untouched.history.count() == 1


def test_each_changed_answer_is_recorded_as_simple_history_would(imported):
    user = UserFactory()
    write(SECOND, imported, update=True, user=user)
    recorded = {
        (h.response.beneficiary.code, h.item.code, h.history_type, h.choice.code)
        for h in Answer.history.filter(history_change_reason="import", history_user=user)
    }
    assert recorded == {("B-0002", "Q01", "~", "B"), ("B-0002", "Q02", "-", "A"),
                        ("B-0003", "Q02", "+", "NSP")}
    changed = Response.history.filter(history_type="~", history_user=user)
    assert sorted(h.beneficiary.code for h in changed) == ["B-0002", "B-0003"]


def test_the_same_file_twice_changes_nothing(imported):
    before = snapshot(imported)
    result = write(FIRST, imported, update=True)
    assert snapshot(imported) == before
    assert (result.responses_updated, result.answers_written) == (0, 0)


@pytest.mark.parametrize("error", [IntegrityError("duplicate key"),
                                   OperationalError("deadlock detected")])
def test_a_database_error_while_writing_is_the_french_refusal_and_writes_nothing(
        imported, monkeypatch, error):
    before = snapshot(imported)
    real_insert = imports.rows_insert

    def insert_then_fail(**kwargs):
        real_insert(**kwargs)
        raise error

    monkeypatch.setattr(imports, "rows_insert", insert_then_fail)
    with translation.override("fr"), pytest.raises(ImportRefused) as refusal:
        write(SECOND.replace("B-0003", "B-0004"), imported, update=True)
    assert [str(p) for p in refusal.value.problems] == [french_refusal()]
    assert "Rien n'a été écrit" in french_refusal()
    assert snapshot(imported) == before


def test_a_response_deleted_between_the_check_and_the_write_is_refused(imported, monkeypatch):
    real_check = imports.responses_check

    def check_then_someone_deletes(**kwargs):
        plan = real_check(**kwargs)
        doomed = Response.objects.get(beneficiary__code="B-0002")
        doomed.answers.all().delete()
        doomed.delete()
        return plan

    monkeypatch.setattr(imports, "responses_check", check_then_someone_deletes)
    with pytest.raises(ImportRefused) as refusal:
        write(SECOND, imported, update=True)
    assert refusal.value.problems[0].message == imports._(WRITE_INTERRUPTED)
    assert answers("B-0003") == {"Q01": "B"}


def test_the_command_says_nothing_was_written(imported, write_file, monkeypatch):
    from django.core.management import CommandError, call_command

    def fail(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(imports, "rows_insert", fail)
    with translation.override("fr"), pytest.raises(CommandError) as error:
        call_command("import_responses", str(write_file("b.csv", SECOND)), update=True,
                     organisation=imported.organisation.slug, questionnaire=imported.code)
    assert "Rien n'a été écrit" in str(error.value)
    assert "Traceback" not in str(error.value)


# -- PostgreSQL: real concurrency -------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_replace_waits_for_a_counsellor_saving_the_same_response(questionnaire):
    """The counsellor locks the response, then changes an answer while the import runs:
    the import used to delete the answers first and deadlock; now it waits, then writes."""
    postgresql_only()
    write(FIRST, questionnaire)
    target = Response.objects.get(beneficiary__code="B-0002")
    q01 = target.answers.get(item__code="Q01")
    locked = threading.Event()
    outcomes = []

    def counsellor():
        with transaction.atomic():
            Response.objects.select_for_update().get(pk=target.pk)
            locked.set()
            time.sleep(1.5)  # the import starts meanwhile
            answer = Answer.objects.get(pk=q01.pk)
            answer.choice = answer.item.scale.choices.get(code="NSP")
            answer.save()
            Response.objects.filter(pk=target.pk).update(answered_on="2024-01-16")
        outcomes.append("counsellor saved")

    def importer():
        locked.wait(10)
        time.sleep(0.2)
        write(SECOND, questionnaire, update=True)
        outcomes.append("imported")

    assert run_threads(counsellor, importer) == []
    assert outcomes == ["counsellor saved", "imported"]
    assert answers("B-0002") == {"Q01": "B"}  # the import came last


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_replaces_end_with_the_file_and_no_raw_error(questionnaire):
    postgresql_only()
    write(FIRST, questionnaire)
    barrier = threading.Barrier(2)
    outcomes = []

    def replace():
        barrier.wait()
        try:
            write(SECOND, questionnaire, update=True)
            outcomes.append("written")
        except ImportRefused as refusal:
            outcomes.append(refusal.problems[0].message)

    assert run_threads(replace, replace) == []
    assert "written" in outcomes
    assert set(outcomes) <= {"written", imports._(WRITE_INTERRUPTED)}
    assert answers("B-0002") == {"Q01": "B"}
    assert answers("B-0003") == {"Q01": "B", "Q02": "NSP"}


@pytest.mark.django_db(transaction=True)
def test_a_replace_that_waits_too_long_for_a_lock_is_refused(questionnaire, monkeypatch):
    postgresql_only()
    write(FIRST, questionnaire)
    monkeypatch.setattr(imports, "LOCK_TIMEOUT", "300ms")
    target = Response.objects.get(beneficiary__code="B-0002")
    locked, done = threading.Event(), threading.Event()
    outcomes = []

    def holder():
        with transaction.atomic():
            Response.objects.select_for_update().get(pk=target.pk)
            locked.set()
            done.wait(10)

    def importer():
        locked.wait(10)
        try:
            write(SECOND, questionnaire, update=True)
            outcomes.append("written")
        except ImportRefused as refusal:
            outcomes.append(refusal.problems[0].message)
        finally:
            done.set()

    assert run_threads(holder, importer) == []
    assert outcomes == [imports._(WRITE_INTERRUPTED)]
    assert answers("B-0003") == {"Q01": "B"}


@pytest.mark.django_db(transaction=True)
def test_a_connection_terminated_mid_write_writes_nothing(questionnaire, monkeypatch):
    postgresql_only()
    write(FIRST, questionnaire)
    before = snapshot(questionnaire)
    real_insert = imports.rows_insert

    def insert_then_get_terminated(**kwargs):
        real_insert(**kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(imports, "rows_insert", insert_then_get_terminated)
    with pytest.raises(ImportRefused) as refusal:
        write(SECOND, questionnaire, update=True)
    assert refusal.value.problems[0].message == imports._(WRITE_INTERRUPTED)
    assert snapshot(questionnaire) == before
