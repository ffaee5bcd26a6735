"""impact_report (formats.md §3): from the database to the JSON contract."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from questionnaires.definitions import definition_parse
from questionnaires.services import questionnaire_load
from reports.selectors import ReportFilters, impact_report
from tests.seed_figures import assert_is_the_seed_chi_square
from tests.test_import_responses import run_import

pytestmark = pytest.mark.django_db


def report_of(questionnaire, *args, **options) -> dict:
    out = io.StringIO()
    call_command("impact_report", *args, organisation=questionnaire.organisation.slug,
                 questionnaire=questionnaire.code, stdout=out, **options)
    return json.loads(out.getvalue())


def seed_table_csv() -> str:
    """The seed document's table: wave 1 A/B/C = 7/39/7, wave 2 = 29/24/3."""
    lines = ["beneficiary;wave;answered_on;Q01"]
    wave1 = ["A"] * 7 + ["B"] * 39 + ["C"] * 7
    wave2 = ["A"] * 29 + ["B"] * 24 + ["C"] * 3
    lines += [f"S-{i:03d};1;2024-01-15;{code}" for i, code in enumerate(wave1)]
    lines += [f"T-{i:03d};2;2024-04-15;{code}" for i, code in enumerate(wave2)]
    return "\n".join(lines) + "\n"


def test_it_reproduces_the_seed_chi_square_from_an_imported_file(write_file, questionnaire):
    run_import(write_file("seed.csv", seed_table_csv()), questionnaire)
    item = report_of(questionnaire)["items"][0]
    comparison = next(c for c in item["comparisons"] if c["waves"] == [1, 2])
    assert_is_the_seed_chi_square(comparison["independent"])


def test_the_paired_part_is_null_with_a_warning_when_nobody_answered_twice(
        write_file, questionnaire):
    run_import(write_file("seed.csv", seed_table_csv()), questionnaire)
    paired = report_of(questionnaire)["items"][0]["comparisons"][0]["paired"]
    assert paired["n"] == 0
    assert paired["wilcoxon"]["p"] is None
    assert paired["wilcoxon"]["warning"]


def test_the_demo_report_has_the_keys_of_the_contract(db):
    call_command("seed_demo", organisation="demo", beneficiaries=120, stdout=io.StringIO())
    from questionnaires.models import Questionnaire

    report = report_of(Questionnaire.objects.get(organisation__slug="demo", code="demo"))
    assert report["questionnaire"] == "demo"
    assert set(report["respondents"]) == {"1", "1-2", "1-2-3"}
    assert report["respondents"]["1"] == 120
    assert len(report["items"]) == 30
    for item in report["items"]:
        assert {"code", "dimension", "comparisons"} <= set(item)
        assert [c["waves"] for c in item["comparisons"]] == [[1, 2], [2, 3], [1, 3]]
        for comparison in item["comparisons"]:
            independent, paired = comparison["independent"], comparison["paired"]
            assert {"counts", "n", "chi2", "dof", "p", "significance", "cells"} <= set(independent)
            assert independent["significance"] in {"TS", "S", "PS", "NS", None}
            assert set(independent["cells"]) == set(independent["counts"])
            assert {"n", "improved", "stable", "worsened", "marginal_homogeneity",
                    "wilcoxon"} <= set(paired)
            assert paired["improved"] + paired["stable"] + paired["worsened"] == paired["n"]
            assert paired["marginal_homogeneity"]["test"] == "stuart-maxwell"
            assert {"statistic", "dof", "p"} <= set(paired["marginal_homogeneity"])
            assert {"statistic", "p"} <= set(paired["wilcoxon"])


def test_a_questionnaire_without_responses_gives_nulls_not_a_crash(questionnaire):
    report = report_of(questionnaire)
    assert report["questionnaire"] == questionnaire.code
    comparison = report["items"][0]["comparisons"][0]
    assert comparison["independent"]["chi2"] is None


def test_the_round_trip_through_the_export_gives_the_same_report(
        write_file, questionnaire, spec_definition, other_organisation, tmp_path):
    later = "S-000;2;2024-04-15;A\nS-001;2;2024-04-16;B\nS-002;3;2024-07-01;A\n"
    content = seed_table_csv() + later
    run_import(write_file("r.csv", content), questionnaire)
    call_command("export_responses", organisation=questionnaire.organisation.slug,
                 questionnaire=questionnaire.code, output=str(tmp_path / "export.csv"))
    copy, _ = questionnaire_load(organisation=other_organisation,
                                 definition=definition_parse(spec_definition))
    run_import(tmp_path / "export.csv", copy)
    first, second = report_of(questionnaire), report_of(copy)
    assert first["respondents"] == second["respondents"]
    assert first["items"] == second["items"]


def test_it_writes_the_report_to_a_file(write_file, questionnaire, tmp_path):
    run_import(write_file("seed.csv", seed_table_csv()), questionnaire)
    call_command("impact_report", organisation=questionnaire.organisation.slug,
                 questionnaire=questionnaire.code, output=str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text())["respondents"]["1"] == 53


def test_an_unknown_questionnaire_is_a_one_line_error_with_exit_code_2(organisation):
    with pytest.raises(CommandError) as error:
        call_command("impact_report", organisation=organisation.slug, questionnaire="nope")
    assert error.value.returncode == 2


def test_the_period_filter_keeps_the_later_waves_of_the_people_who_entered_in_it(
        write_file, questionnaire):
    run_import(write_file("seed.csv", seed_table_csv()), questionnaire)
    whole = impact_report(questionnaire=questionnaire)
    report = impact_report(questionnaire=questionnaire,
                           filters=ReportFilters(cohort_to=dt.date(2024, 2, 1)))
    # Everyone entered before February: their wave-2 answers (given later) are kept.
    assert report["items"][0]["comparisons"][0]["independent"]["n"][0] == 53
    assert report["respondents"]["1-2"] == whole["respondents"]["1-2"]


def test_a_period_before_every_entry_selects_nobody(write_file, questionnaire):
    run_import(write_file("seed.csv", seed_table_csv()), questionnaire)
    report = impact_report(questionnaire=questionnaire,
                           filters=ReportFilters(cohort_to=dt.date(2000, 1, 1)))
    assert report["respondents"]["1"] is None


def test_a_group_smaller_than_five_is_suppressed(write_file, questionnaire):
    content = "beneficiary;wave;answered_on;Q01\n" + "".join(
        f"P-{i};1;2024-01-15;A\n" for i in range(4))
    run_import(write_file("r.csv", content), questionnaire)
    report = report_of(questionnaire)
    assert report["respondents"]["1"] is None
    assert "counts" not in report["items"][0]["comparisons"][0]["independent"] or not report[
        "items"][0]["comparisons"][0]["independent"]["counts"]


def test_the_counsellor_filter_keeps_only_their_beneficiaries(
        write_file, questionnaire, counsellor):
    run_import(write_file("seed.csv", seed_table_csv()), questionnaire)
    from beneficiaries.models import Beneficiary

    Beneficiary.objects.filter(code__startswith="S-").update(counsellor=counsellor.user)
    report = report_of(questionnaire, counsellor=counsellor.user.username)
    assert report["respondents"]["1"] == 53
    assert report["items"][0]["comparisons"][0]["independent"]["n"] == [53, 0]


def test_an_unknown_counsellor_is_refused(questionnaire):
    with pytest.raises(CommandError) as error:
        report_of(questionnaire, counsellor="nobody")
    assert error.value.returncode == 2
