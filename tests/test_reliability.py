"""Nothing typed or imported is lost or duplicated: faults, concurrency, backup and restore."""

import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from beneficiaries.models import Beneficiary
from questionnaires import importing
from questionnaires.importing import ImportRefused, responses_import, table_read_csv
from questionnaires.models import Answer, Response
from questionnaires.selectors import impact_report
from tests.test_impact_report import seed_table_csv

pytestmark = pytest.mark.django_db


def test_an_import_killed_midway_leaves_nothing(questionnaire, monkeypatch):
    real_insert = importing.rows_insert

    def insert_half_then_die(*, model, fields, rows):
        rows = list(rows)
        real_insert(model=model, fields=fields, rows=rows[: len(rows) // 2])
        raise RuntimeError("server stopped")

    monkeypatch.setattr(importing, "rows_insert", insert_half_then_die)
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
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is a PostgreSQL matter.")
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
