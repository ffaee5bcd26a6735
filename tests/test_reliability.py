"""Nothing typed or imported is lost or duplicated: faults, concurrency, backup and restore."""

import datetime as dt
import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from beneficiaries.models import Beneficiary
from questionnaires import imports
from questionnaires.imports import responses_import
from questionnaires.models import Answer, Response
from questionnaires.tables import ImportRefused, table_read_csv
from reports.selectors import impact_report
from tests.concurrency import postgresql_only
from tests.test_impact_report import seed_table_csv

pytestmark = pytest.mark.django_db


def test_an_import_killed_midway_leaves_nothing(questionnaire, monkeypatch):
    real_insert = imports.rows_insert

    def insert_half_then_die(*, model, fields, rows):
        rows = list(rows)
        real_insert(model=model, fields=fields, rows=rows[: len(rows) // 2])
        raise RuntimeError("server stopped")

    monkeypatch.setattr(imports, "rows_insert", insert_half_then_die)
    table = table_read_csv(seed_table_csv().encode())
    with pytest.raises(RuntimeError):
        responses_import(questionnaire=questionnaire, table=table)
    assert not Answer.objects.exists()
    assert not Response.objects.exists()
    assert not Beneficiary.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_dump_and_restore_gives_the_same_report(questionnaire, tmp_path):
    responses_import(questionnaire=questionnaire, table=table_read_csv(seed_table_csv().encode()))
    before = impact_report(questionnaire=questionnaire)
    dump = tmp_path / "backup.json"
    call_command("dumpdata", "organisations", "beneficiaries", "questionnaires", "auth.user",
                 output=str(dump), stdout=io.StringIO())
    call_command("flush", interactive=False, stdout=io.StringIO())
    assert not Answer.objects.exists()
    call_command("loaddata", str(dump), stdout=io.StringIO())
    questionnaire.refresh_from_db()
    assert json.dumps(impact_report(questionnaire=questionnaire)) == json.dumps(before)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_imports_of_one_file_write_it_once(questionnaire):
    postgresql_only()
    data = seed_table_csv().encode()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            responses_import(questionnaire=questionnaire, table=table_read_csv(data))
            outcomes.append("written")
        except ImportRefused as refusal:
            outcomes.append(str(refusal.problems[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "written"
    assert outcomes.count("written") == 1
    assert Response.objects.filter(questionnaire=questionnaire).count() == 109


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_form", [True, False])
def test_two_counsellors_saving_one_wave_at_once_end_with_one_response(
        questionnaire, counsellor, director, same_form):
    """Two submissions race for the same (person, wave): one response, the other told so."""
    postgresql_only()
    from questionnaires.responses import Outcome, entry_token_new, response_entry_save
    from tests.factories import BeneficiaryFactory

    person = BeneficiaryFactory(organisation=questionnaire.organisation)
    wave = questionnaire.waves.get(number=1)
    items = list(questionnaire.items.select_related("scale"))
    tokens = [entry_token_new()] * 2 if same_form else [entry_token_new(), entry_token_new()]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def save(user, token, code):
        try:
            choices = {item: item.scale.choices.get(code=code) for item in items}
            barrier.wait()
            result = response_entry_save(
                beneficiary=person, questionnaire=questionnaire, wave=wave, editing=None,
                answered_on=dt.date(2024, 1, 15), choices=choices, entered_by=user,
                token=token)
            outcomes.append(result.outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(counsellor.user, tokens[0], "A")),
               threading.Thread(target=save, args=(director.user, tokens[1], "C"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Response.objects.filter(beneficiary=person, wave=wave).count() == 1
    response = Response.objects.get(beneficiary=person, wave=wave)
    assert len({answer.choice.code for answer in response.answers.all()}) == 1
    second = Outcome.ALREADY_SAVED if same_form else Outcome.SAVED_MEANWHILE
    assert sorted(outcomes) == sorted([Outcome.CREATED, second])


def test_an_import_records_who_created_each_person_response_and_answer(questionnaire, manager):
    table = table_read_csv(seed_table_csv().encode())
    responses_import(questionnaire=questionnaire, table=table, entered_by=manager.user)
    for model in (Beneficiary, Response, Answer):
        records = model.history.all()
        assert records.count() == model.objects.count() > 0
        assert set(records.values_list("history_type", "history_user", "history_change_reason")) \
            == {("+", manager.user.pk, "import")}


def test_an_update_import_records_the_change_and_the_replaced_answers(questionnaire, manager):
    responses_import(questionnaire=questionnaire, table=table_read_csv(seed_table_csv().encode()))
    changed = "beneficiary;wave;answered_on;Q01\nS-000;1;2024-01-20;C\n"
    responses_import(questionnaire=questionnaire, table=table_read_csv(changed.encode()),
                     update=True, entered_by=manager.user)
    response = Response.objects.get(beneficiary__code="S-000")
    assert [r.history_type for r in response.history.order_by("history_id")] == ["+", "~"]
    answers = Answer.history.filter(response_id=response.pk).order_by("history_id")
    assert [(a.history_type, a.choice.code) for a in answers] == [("+", "A"), ("~", "C")]
