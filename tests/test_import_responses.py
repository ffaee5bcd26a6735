"""import_responses (formats.md §2): all or nothing, every problem named, in French by default."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from beneficiaries.models import Beneficiary
from questionnaires.models import Answer, Response

pytestmark = pytest.mark.django_db

GOOD = (
    "beneficiary;wave;answered_on;Q01;Q02\n"
    "B-0001;1;2024-01-15;C;B\n"
    "B-0001;2;2024-04-20;A;\n"
    "B-0002;1;15/01/2024;NSP;A\n"
)


def run_import(path, questionnaire, **options):
    call_command("import_responses", str(path), organisation=questionnaire.organisation.slug,
                 questionnaire=questionnaire.code, **options)


def refused(path, questionnaire, **options) -> str:
    with pytest.raises(CommandError) as error:
        run_import(path, questionnaire, **options)
    return str(error.value)


def test_it_imports_a_good_file(write_file, questionnaire):
    run_import(write_file("r.csv", GOOD), questionnaire)
    assert Beneficiary.objects.filter(organisation=questionnaire.organisation).count() == 2
    assert Response.objects.filter(questionnaire=questionnaire).count() == 3
    second = Response.objects.get(beneficiary__code="B-0001", wave__number=2)
    assert second.answered_on == dt.date(2024, 4, 20)
    assert [(a.item.code, a.choice.code) for a in second.answers.all()] == [("Q01", "A")]


def test_it_reads_french_dates(write_file, questionnaire):
    run_import(write_file("r.csv", GOOD), questionnaire)
    response = Response.objects.get(beneficiary__code="B-0002")
    assert response.answered_on == dt.date(2024, 1, 15)


def test_it_gives_a_new_beneficiary_its_first_answer_date_as_entry(write_file, questionnaire):
    run_import(write_file("r.csv", GOOD), questionnaire)
    assert Beneficiary.objects.get(code="B-0001").entry_date == dt.date(2024, 1, 15)


def test_it_reads_a_comma_separated_file_with_a_bom(write_file, questionnaire):
    path = write_file("r.csv", "\ufeff" + GOOD.replace(";", ","))
    run_import(path, questionnaire)
    assert Response.objects.filter(questionnaire=questionnaire).count() == 3


def test_it_reads_windows_line_endings(write_file, questionnaire):
    run_import(write_file("r.csv", GOOD.replace("\n", "\r\n")), questionnaire)
    assert Answer.objects.count() == 5


def test_it_lists_every_problem_with_line_and_column_and_writes_nothing(write_file, questionnaire):
    bad = (
        "beneficiary;wave;answered_on;Q01;Q02\n"
        "B-0001;1;2024-01-15;C;B\n"
        "B-0002;4;2024-01-15;A;A\n"
        "B-0003;1;2024-13-45;A;A\n"
        "B-0004;1;2024-01-15;Z;A\n"
    )
    message = refused(write_file("r.csv", bad), questionnaire)
    assert "Ligne 3" in message
    assert "« wave »" in message
    assert "4" in message
    assert "Ligne 4" in message
    assert "« answered_on »" in message
    assert "Ligne 5" in message
    assert "« Q01 »" in message
    assert "« Z »" in message
    assert not Response.objects.exists()
    assert not Beneficiary.objects.exists()


def test_it_refuses_an_unknown_column(write_file, questionnaire):
    message = refused(write_file("r.csv", "beneficiary;wave;answered_on;Q99\nB-1;1;2024-01-15;A\n"),
                      questionnaire)
    assert "Q99" in message
    assert not Response.objects.exists()


def test_it_refuses_a_missing_fixed_column(write_file, questionnaire):
    message = refused(write_file("r.csv", "beneficiary;answered_on;Q01\nB-1;2024-01-15;A\n"),
                      questionnaire)
    assert "wave" in message


def test_it_refuses_a_row_repeated_in_the_file(write_file, questionnaire):
    content = GOOD + "B-0001;1;2024-01-16;A;A\n"
    message = refused(write_file("r.csv", content), questionnaire)
    assert "Ligne 5" in message
    assert "ligne 2" in message
    assert not Response.objects.exists()


def test_it_refuses_a_date_in_the_future(write_file, questionnaire):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    message = refused(
        write_file("r.csv", f"beneficiary;wave;answered_on;Q01\nB-1;1;{tomorrow};A\n"),
        questionnaire)
    assert "futur" in message


def test_it_refuses_a_row_with_missing_cells(write_file, questionnaire):
    message = refused(write_file("r.csv", "beneficiary;wave;answered_on;Q01\nB-1;1\n"),
                      questionnaire)
    assert "Ligne 2" in message


def test_it_refuses_a_second_import_of_the_same_file_whole(write_file, questionnaire):
    path = write_file("r.csv", GOOD)
    run_import(path, questionnaire)
    before = list(Answer.objects.order_by("id").values_list("id", "choice_id"))
    message = refused(path, questionnaire)
    assert "--update" in message
    assert list(Answer.objects.order_by("id").values_list("id", "choice_id")) == before


def test_a_second_file_with_one_known_row_writes_nothing(write_file, questionnaire):
    run_import(write_file("a.csv", GOOD), questionnaire)
    second = "beneficiary;wave;answered_on;Q01\nB-0009;1;2024-01-15;A\nB-0001;1;2024-01-15;A\n"
    refused(write_file("b.csv", second), questionnaire)
    assert not Beneficiary.objects.filter(code="B-0009").exists()


def test_update_replaces_the_existing_responses(write_file, questionnaire):
    run_import(write_file("a.csv", GOOD), questionnaire)
    changed = "beneficiary;wave;answered_on;Q01;Q02\nB-0001;1;2024-01-16;A;\n"
    run_import(write_file("b.csv", changed), questionnaire, update=True)
    response = Response.objects.get(beneficiary__code="B-0001", wave__number=1)
    assert response.answered_on == dt.date(2024, 1, 16)
    assert [(a.item.code, a.choice.code) for a in response.answers.all()] == [("Q01", "A")]
    assert Response.objects.filter(questionnaire=questionnaire).count() == 3


def test_it_refuses_a_file_that_is_not_utf8(write_file, questionnaire):
    path = write_file("r.csv", "beneficiary;wave;answered_on;Q01\nBénédicte;1;2024-01-15;A\n",
                      encoding="cp1252")
    message = refused(path, questionnaire)
    assert "UTF-8" in message
    assert "Ligne 2" in message


def test_it_refuses_a_binary_file(write_file, questionnaire):
    message = refused(write_file("r.csv", b"PK\x03\x04\x00\x00binary"), questionnaire)
    assert "CSV" in message


def test_it_refuses_an_empty_file(write_file, questionnaire):
    message = refused(write_file("r.csv", ""), questionnaire)
    assert "vide" in message


def test_it_refuses_an_unknown_questionnaire_with_exit_code_2(write_file, organisation):
    with pytest.raises(CommandError) as error:
        call_command("import_responses", str(write_file("r.csv", GOOD)),
                     organisation=organisation.slug, questionnaire="nope")
    assert error.value.returncode == 2
    assert len(str(error.value).splitlines()) == 1


def test_it_refuses_an_unknown_organisation_with_exit_code_2(write_file, questionnaire):
    with pytest.raises(CommandError) as error:
        call_command("import_responses", str(write_file("r.csv", GOOD)),
                     organisation="nowhere", questionnaire=questionnaire.code)
    assert error.value.returncode == 2


def test_it_never_imports_into_another_organisations_questionnaire(
        write_file, questionnaire, other_organisation):
    with pytest.raises(CommandError):
        call_command("import_responses", str(write_file("r.csv", GOOD)),
                     organisation=other_organisation.slug, questionnaire=questionnaire.code)
    assert not Response.objects.exists()


def test_existing_beneficiaries_of_another_organisation_are_not_reused(
        write_file, questionnaire, other_organisation):
    from tests.factories import BeneficiaryFactory

    foreign = BeneficiaryFactory(organisation=other_organisation, code="B-0001")
    run_import(write_file("r.csv", GOOD), questionnaire)
    assert not foreign.responses.exists()
    assert Beneficiary.objects.filter(code="B-0001").count() == 2
