"""survey_data_load: the per-person arrays attrition needs (exits, due delays, reference date)."""

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from analysis.report import report_build
from beneficiaries.models import Beneficiary
from questionnaires.selectors import survey_data_load
from tests.test_import_responses import run_import

pytestmark = pytest.mark.django_db

RESPONSES = "\n".join([
    "beneficiary;wave;answered_on;Q01;Q02",
    "P-1;1;2024-01-10;C;B",
    "P-1;2;2024-04-10;B;B",
    "P-2;1;2024-01-12;B;C",
    "P-3;1;2024-02-01;A;A",
    "P-4;1;2024-06-01;C;C",
    "P-5;1;2024-01-20;B;B",
]) + "\n"


@pytest.fixture
def loaded(write_file, questionnaire):
    run_import(write_file("r.csv", RESPONSES), questionnaire)
    people = {b.code: b
              for b in Beneficiary.objects.filter(organisation=questionnaire.organisation)}
    Beneficiary.objects.filter(pk=people["P-2"].pk).update(
        exit_date=dt.date(2024, 3, 1), exit_reason="employment")
    Beneficiary.objects.filter(pk=people["P-3"].pk).update(exit_date=dt.date(2024, 3, 5))
    return questionnaire


def by_code(questionnaire):
    """Beneficiary index of each person's code: the loader numbers people by ascending id."""
    pks = sorted(set(questionnaire.responses.values_list("beneficiary_id", flat=True)))
    codes = dict(Beneficiary.objects.filter(pk__in=pks).values_list("id", "code"))
    return {codes[pk]: index for index, pk in enumerate(pks)}


def test_the_loader_gives_each_person_their_exit_date_and_reason(loaded):
    data = survey_data_load(questionnaire=loaded, as_of=dt.date(2024, 6, 30))
    index = by_code(loaded)
    dates = data.beneficiary_exit_date
    reasons = data.beneficiary_exit_reason
    assert dates.dtype == np.dtype("datetime64[D]")
    assert (dates[index["P-2"]], reasons[index["P-2"]]) == (np.datetime64("2024-03-01"),
                                                            "employment")
    assert (dates[index["P-3"]], reasons[index["P-3"]]) == (np.datetime64("2024-03-05"), "")
    assert np.isnat(dates[index["P-1"]])
    assert reasons[index["P-1"]] == ""


def test_the_loader_gives_the_waves_due_delays_and_the_reference_date(loaded):
    data = survey_data_load(questionnaire=loaded, as_of=dt.date(2024, 6, 30))
    assert data.wave_due_after_days == (0, 90, 180)
    assert data.as_of == np.datetime64("2024-06-30")


def test_the_loader_says_which_wave_is_at_exit(loaded):
    loaded.waves.filter(number=3).update(at_exit=True)
    data = survey_data_load(questionnaire=loaded, as_of=dt.date(2024, 6, 30))
    assert data.wave_at_exit == (False, False, True)


def test_the_reference_date_is_today_unless_given(loaded):
    assert survey_data_load(questionnaire=loaded).as_of == np.datetime64(timezone.localdate())


def test_the_report_counts_who_was_due_at_the_reference_date(loaded):
    report = report_build(survey_data_load(questionnaire=loaded, as_of=dt.date(2024, 6, 30)))
    first_second = next(e for e in report["attrition"] if e["waves"] == [1, 2])
    # P-4 started on 2024-06-01: wave 2 is due 90 days later, after the period's end.
    assert (first_second["answered_first"], first_second["due"]) == (5, 4)
    assert first_second["not_yet_due"] == 1
    assert first_second["answered"] == 1
    assert first_second["left"] == {"still_followed": 1, "employment": 1, "training": 0,
                                    "other_support": 0, "dropped_out": 0, "moved": 0,
                                    "other": 0, "unknown": 1}
    assert first_second["positive_exits"] == 1
    assert report["generated"]["as_of"] == "2024-06-30"
