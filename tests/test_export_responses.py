"""export_responses (formats.md §4) and the import → export → import round trip."""

import pytest
from django.core.management import CommandError, call_command

from questionnaires.definitions import definition_parse
from questionnaires.services import questionnaire_load
from tests.test_import_responses import GOOD, run_import

pytestmark = pytest.mark.django_db


def export(questionnaire, path):
    call_command("export_responses", organisation=questionnaire.organisation.slug,
                 questionnaire=questionnaire.code, output=str(path))
    return path.read_bytes()


def test_it_writes_semicolons_a_bom_and_iso_dates(write_file, questionnaire, tmp_path):
    run_import(write_file("r.csv", GOOD), questionnaire)
    data = export(questionnaire, tmp_path / "out.csv")
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines == [
        "beneficiary;wave;answered_on;Q01;Q02",
        "B-0001;1;2024-01-15;C;B",
        "B-0001;2;2024-04-20;A;",
        "B-0002;1;2024-01-15;NSP;A",
    ]


def test_the_round_trip_gives_the_same_file(
        write_file, questionnaire, spec_definition, other_organisation, tmp_path):
    run_import(write_file("r.csv", GOOD), questionnaire)
    first = export(questionnaire, tmp_path / "first.csv")
    copy, _ = questionnaire_load(organisation=other_organisation,
                                 definition=definition_parse(spec_definition))
    run_import(tmp_path / "first.csv", copy)
    assert export(copy, tmp_path / "second.csv") == first


def test_an_unknown_questionnaire_is_a_one_line_error(organisation, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("export_responses", organisation=organisation.slug, questionnaire="x",
                     output=str(tmp_path / "out.csv"))
    assert error.value.returncode == 2
    assert not (tmp_path / "out.csv").exists()


def test_it_exports_nothing_of_another_organisation(
        write_file, questionnaire, spec_definition, other_organisation, tmp_path):
    run_import(write_file("r.csv", GOOD), questionnaire)
    questionnaire_load(organisation=other_organisation,
                       definition=definition_parse(spec_definition))
    call_command("export_responses", organisation=other_organisation.slug,
                 questionnaire=questionnaire.code, output=str(tmp_path / "o.csv"))
    assert (tmp_path / "o.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "beneficiary;wave;answered_on;Q01;Q02"]
