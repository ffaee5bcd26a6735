"""Frequencies per item and wave, checked against counts made by hand from the rows."""

import pytest

from analysis.frequencies import survey_frequencies
from analysis.synthetic import item_meta, survey_data_build

ROWS = [
    # beneficiary, wave, date, [Q01, Q02]
    (0, 1, "2024-01-10", ["A", "C"]),
    (1, 1, "2024-01-11", ["B", "NSP"]),
    (2, 1, "2024-01-12", ["B", None]),
    (3, 1, "2024-01-12", ["NSP", None]),
    (4, 1, "2024-01-13", [None, None]),
    (0, 2, "2024-04-10", ["A", "B"]),
]
ITEMS = [item_meta("Q01"), item_meta("Q02")]


@pytest.fixture
def frequencies():
    return survey_frequencies(survey_data_build(ROWS, items=ITEMS, waves=(1, 2)))


def test_it_counts_scored_choices_in_scale_order(frequencies):
    q01_wave1 = frequencies[0][0]
    assert [(c.code, c.count) for c in q01_wave1.choices] == [("A", 1), ("B", 2), ("C", 0)]


def test_it_gives_percentages_of_the_answers_given(frequencies):
    q01_wave1 = frequencies[0][0]  # 4 answers: A, B, B, NSP
    assert [c.percent for c in q01_wave1.choices] == pytest.approx([25.0, 50.0, 0.0])
    assert q01_wave1.unscored[0].percent == pytest.approx(25.0)


def test_it_shows_dont_know_apart(frequencies):
    q01_wave1 = frequencies[0][0]
    assert [(c.code, c.count, c.score) for c in q01_wave1.unscored] == [("NSP", 1, None)]
    assert "NSP" not in [c.code for c in q01_wave1.choices]


def test_it_counts_non_response_apart(frequencies):
    q02_wave1 = frequencies[1][0]
    assert (q02_wave1.n_responses, q02_wave1.n_answered, q02_wave1.unanswered) == (5, 2, 3)


def test_its_mean_score_skips_dont_know_and_non_response(frequencies):
    assert frequencies[0][0].mean_score == pytest.approx((3 + 2 + 2) / 3)
    assert frequencies[1][0].mean_score == pytest.approx(1.0)  # C only; NSP skipped


def test_its_mean_score_is_none_without_a_scored_answer():
    data = survey_data_build(
        [(0, 1, "2024-01-10", ["NSP"]), (1, 1, "2024-01-10", [None])], waves=(1, 2)
    )
    wave1, wave2 = survey_frequencies(data)[0]
    assert wave1.mean_score is None
    assert wave2.n_responses == 0
    assert wave2.mean_score is None
    assert all(c.percent is None for c in wave2.choices)
