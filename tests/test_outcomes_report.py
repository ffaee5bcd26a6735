"""The outcomes of the impact report, from the database: people file in, JSON out."""

import datetime as dt

import pytest
from django.utils import timezone
from statsmodels.stats.proportion import proportion_confint

from analysis.report import report_build
from questionnaires.selectors import survey_data_load
from reports.selectors import impact_report
from tests.test_import_responses import run_import
from tests.test_people_file import run_import as run_people_import

pytestmark = pytest.mark.django_db


def responses_and_people(write_file, questionnaire):
    """10 people answer wave 1; 4 left for a job long ago, 2 of them still at work."""
    rows = "".join(f"P-{i};1;2024-01-15;A\n" for i in range(10))
    run_import(write_file("r.csv", "beneficiary;wave;answered_on;Q01\n" + rows), questionnaire)
    people = ("code;exit_date;exit_reason;situation_6_months\n"
              "P-0;2024-03-01;employment;employment\n"
              "P-1;2024-03-01;employment;employment\n"
              "P-2;2024-03-01;employment;job_seeker\n"
              "P-3;2024-09-01;employment;\n"
              "P-4;2024-05-01;dropped_out;\n")
    run_people_import(write_file("p.csv", people), questionnaire.organisation)


def test_the_report_counts_exits_and_situations_recorded_in_the_database(write_file,
                                                                         questionnaire):
    responses_and_people(write_file, questionnaire)
    outcomes = impact_report(questionnaire=questionnaire)["outcomes"]
    assert outcomes["followed"] == 10
    assert outcomes["exits"]["employment"] == 4
    assert outcomes["exits"]["dropped_out"] == 1
    assert outcomes["situation_due"] == 5
    assert outcomes["situation_6_months"]["employment"] == 2
    assert outcomes["situation_6_months"]["unknown"] == 2  # P-3 and P-4, not recorded
    assert outcomes["at_work_6_months"]["ci"] == pytest.approx(
        proportion_confint(2, 5, method="wilson"))
    assert outcomes["as_of"] == timezone.localdate().isoformat()


def test_a_report_ending_in_the_past_counts_only_what_had_happened_by_then(write_file,
                                                                          questionnaire):
    responses_and_people(write_file, questionnaire)
    report = report_build(survey_data_load(questionnaire=questionnaire,
                                           as_of=dt.date(2024, 8, 31)))
    outcomes = report["outcomes"]
    assert outcomes["as_of"] == "2024-08-31"
    assert outcomes["exits"]["employment"] == 3  # P-3 left on 2024-09-01
    # 2024-03-01 + 182 days = 2024-08-30: the three March exits are due, May's is not.
    assert outcomes["situation_due"] == 3
