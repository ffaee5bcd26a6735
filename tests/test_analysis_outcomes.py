"""Outcomes beside evolution: exits by outcome and the situation 6 months after the exit.

Intervals are checked against statsmodels' Wilson interval; counts against hand-made data.
"""

import dataclasses

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.outcomes import EXIT_REASONS, SITUATIONS, outcomes_count
from analysis.report import report_build, survey_data_filter
from analysis.synthetic import survey_data_build

AS_OF = "2025-01-01"


def people(exits, *, as_of=AS_OF, extra_rows=()):
    """One wave-1 response per person; ``exits`` = [(exit date or None, reason, situation)]."""
    rows = [(b, 1, "2024-01-10", ["A"]) for b in range(len(exits))] + list(extra_rows)
    data = survey_data_build(rows, n_beneficiaries=len(exits))
    return dataclasses.replace(
        data,
        beneficiary_exit_date=np.array([e[0] or "NaT" for e in exits], dtype="datetime64[D]"),
        beneficiary_exit_reason=np.array([e[1] for e in exits], dtype=str),
        beneficiary_situation_6_months=np.array([e[2] for e in exits], dtype=str),
        as_of=np.datetime64(as_of, "D"),
    )


def test_every_exit_reason_is_counted_with_zeros_included():
    data = people([("2024-03-01", "employment", ""), ("2024-03-01", "employment", ""),
                   ("2024-04-01", "training", ""), (None, "", ""), ("2024-05-01", "", "")])
    outcomes = outcomes_count(data)
    assert outcomes["followed"] == 5
    assert outcomes["exits"] == {"employment": 2, "training": 1, "other_support": 0,
                                 "dropped_out": 0, "moved": 0, "other": 0}
    assert outcomes["exited"] == 4
    assert outcomes["exit_reason_unknown"] == 1
    assert list(outcomes["exits"]) == list(EXIT_REASONS)


def test_each_exit_share_is_of_the_people_followed_with_its_wilson_interval():
    exits = [("2024-03-01", "employment", "")] * 3 + [(None, "", "")] * 7
    share = outcomes_count(people(exits))["exits_share"]["employment"]
    assert share["value"] == pytest.approx(0.3)
    assert share["ci"] == pytest.approx(proportion_confint(3, 10, method="wilson"))


def test_only_people_who_answered_the_first_wave_are_followed():
    exits = [("2024-03-01", "employment", "employment")] * 3
    # Person 2 answered only wave 2: not in the report's population.
    rows = [(0, 1, "2024-01-10", ["A"]), (1, 1, "2024-01-10", ["A"]), (2, 2, "2024-04-10", ["A"])]
    data = dataclasses.replace(
        survey_data_build(rows, n_beneficiaries=3),
        beneficiary_exit_date=np.array([e[0] for e in exits], dtype="datetime64[D]"),
        beneficiary_exit_reason=np.array([e[1] for e in exits], dtype=str),
        beneficiary_situation_6_months=np.array([e[2] for e in exits], dtype=str),
        as_of=np.datetime64(AS_OF, "D"))
    outcomes = outcomes_count(data)
    assert outcomes["followed"] == 2
    assert outcomes["exits"]["employment"] == 2
    assert outcomes["situation_6_months"]["employment"] == 2


def test_the_situation_counts_only_people_whose_six_months_have_passed():
    # as_of 2025-01-01: an exit on 2024-07-03 is 182 days before; 2024-07-04 is 181.
    data = people([("2024-07-03", "employment", "employment"),
                   ("2024-07-04", "employment", "employment"),
                   ("2024-06-01", "training", "job_seeker")])
    outcomes = outcomes_count(data)
    assert outcomes["situation_due"] == 2
    assert outcomes["situation_6_months"]["employment"] == 1
    assert outcomes["situation_6_months"]["job_seeker"] == 1
    assert outcomes["exits"]["employment"] == 2  # the recent exit is still an exit


def test_a_situation_not_recorded_counts_as_unknown_and_stays_in_the_denominator():
    data = people([("2024-01-15", "employment", "employment"),
                   ("2024-01-15", "employment", ""),
                   ("2024-01-15", "dropped_out", "unknown"),
                   ("2024-01-15", "training", "training")])
    outcomes = outcomes_count(data)
    assert outcomes["situation_6_months"] == {
        "employment": 1, "training": 1, "job_seeker": 0, "other_support": 0,
        "dropped_out": 0, "moved": 0, "other": 0, "unknown": 2}
    assert list(outcomes["situation_6_months"]) == list(SITUATIONS)
    assert outcomes["situation_not_recorded"] == 1
    assert sum(outcomes["situation_6_months"].values()) == outcomes["situation_due"] == 4
    at_work = outcomes["at_work_6_months"]
    assert (at_work["count"], at_work["n"]) == (1, 4)
    assert at_work["value"] == pytest.approx(0.25)
    assert at_work["ci"] == pytest.approx(proportion_confint(1, 4, method="wilson"))


def test_exits_after_the_reference_date_are_not_counted():
    data = people([("2024-03-01", "employment", "employment"),
                   ("2025-02-01", "employment", "")], as_of="2024-12-31")
    outcomes = outcomes_count(data)
    assert outcomes["exits"]["employment"] == 1
    assert outcomes["exited"] == 1


def test_without_a_reference_date_the_latest_response_is_used():
    data = people([("2024-01-20", "employment", "employment")],
                  extra_rows=[(0, 2, "2024-07-20", ["A"])], as_of="NaT")
    assert outcomes_count(data)["situation_due"] == 1  # 2024-01-20 + 182 days ≤ 2024-07-20
    assert outcomes_count(data)["as_of"] == "2024-07-20"


def test_nobody_due_gives_no_rate_rather_than_zero():
    at_work = outcomes_count(people([(None, "", "")] * 6))["at_work_6_months"]
    assert at_work == {"count": 0, "n": 0, "value": None, "ci": None}


def test_data_without_exit_arrays_count_nobody_as_exited():
    data = survey_data_build([(b, 1, "2024-01-10", ["A"]) for b in range(4)])
    outcomes = outcomes_count(data)
    assert outcomes["followed"] == 4
    assert outcomes["exited"] == 0
    assert outcomes["exits_share"]["employment"]["value"] == 0.0


def test_the_report_has_the_outcomes_of_its_filtered_population():
    exits = [("2024-02-01", "employment", "employment")] * 6 + [(None, "", "")] * 6
    data = dataclasses.replace(people(exits), beneficiary_segments={
        "programme": np.array(["A"] * 6 + ["B"] * 6)})
    assert report_build(data)["outcomes"]["at_work_6_months"]["n"] == 6
    only_b = survey_data_filter(data, segments={"programme": "B"})
    outcomes = report_build(only_b)["outcomes"]
    assert outcomes["followed"] == 6
    assert outcomes["exited"] == 0


def test_a_report_too_small_to_publish_withholds_the_outcomes():
    data = people([("2024-02-01", "employment", "employment")] * 3)
    assert report_build(data)["outcomes"] is None
