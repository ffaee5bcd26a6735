"""One verdict per item and dimension, from the same people's change (issue 11.1).

The must-show case: nobody changed, low scorers left, so the survey-tool table of everyone
who answered says TS while the verdict says no change was detected.
"""

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from analysis.report import report_build
from analysis.synthetic import CAPACITE, item_meta, survey_data_build

ITEMS = [
    item_meta(f"Q{i:02d}", dimension="Estime de soi" if i <= 3 else "Mobilité") for i in range(1, 7)
]
CODES = [code for code, _ in CAPACITE]  # A=3, B=2, C=1, NSP
TWO = [item_meta("Q01"), item_meta("Q02", dimension="Mobilité")]


def no_change_dropout_rows(*, n=300, seed=5, same_answers=True):
    """Rows where nobody changes and low scorers drop out.

    Each person has a level (choice C, B or A). With ``same_answers`` they give the same
    answers at every wave; otherwise each wave's answers are drawn afresh from the same
    personal distribution (their level, one choice off now and then). They reach wave 2
    with probability 0.15 / 0.55 / 0.95 by level, and wave 3 likewise among those.
    """
    rng = np.random.default_rng(seed)
    level = rng.integers(0, 3, n)  # 0 = C (lowest) ... 2 = A
    stay = np.array([0.15, 0.55, 0.95])[level]
    reach2 = rng.random(n) < stay
    reach3 = reach2 & (rng.random(n) < stay)
    fixed = np.clip(level[:, None] + rng.choice([-1, 0, 0, 0, 1], (n, len(ITEMS))), 0, 2)
    rows = []
    for wave, reached in ((1, np.ones(n, bool)), (2, reach2), (3, reach3)):
        if same_answers:
            choice = fixed
        else:
            choice = np.clip(level[:, None] + rng.choice([-1, 0, 0, 0, 1], (n, len(ITEMS))), 0, 2)
        for b in np.flatnonzero(reached):
            answers = [CODES[2 - int(c)] for c in choice[b]]
            rows.append((int(b), wave, f"2024-0{wave * 3}-01", answers))
    return rows


@pytest.fixture(scope="module", params=[True, False], ids=["same_answers", "same_distribution"])
def no_change_report(request):
    rows = no_change_dropout_rows(same_answers=request.param)
    return report_build(survey_data_build(rows, items=ITEMS, waves=(1, 2, 3)))


def comparisons(report):
    return [c for item in report["items"] for c in item["comparisons"]]


def test_nobody_changing_gives_no_change_detected_on_every_item(no_change_report):
    assert {c["verdict"] for c in comparisons(no_change_report)} == {"no_change_detected"}


def test_nobody_changing_gives_no_change_detected_on_every_dimension(no_change_report):
    verdicts = {c["verdict"] for d in no_change_report["dimensions"] for c in d["comparisons"]}
    assert verdicts == {"no_change_detected"}


def test_selective_drop_out_still_makes_the_survey_tool_table_significant(no_change_report):
    first_to_later = [c for c in comparisons(no_change_report) if c["waves"][0] == 1]
    assert {c["independent"]["significance_shown"] for c in first_to_later} == {"TS"}


def test_the_table_and_the_verdict_disagree_because_of_who_answered(no_change_report):
    for c in comparisons(no_change_report):
        if c["independent"]["significance_shown"] in ("TS", "S"):
            assert c["disagreement"] == "composition"


def test_people_who_declined_while_low_scorers_left_get_decline_and_the_sentence():
    # Wave 1: 150 at C (1), 50 at A (3), mean 1.5. Only the A people answer wave 2, each
    # now at B (2): the table's mean rises to 2 while every person followed went down.
    rows = [(b, 1, "2024-01-01", ["C" if b < 150 else "A", "B"]) for b in range(200)]
    rows += [(b, 2, "2024-04-01", ["B", "B"]) for b in range(150, 200)]
    comparison = report_build(survey_data_build(rows, items=TWO, waves=(1, 2)))["items"][0][
        "comparisons"
    ][0]
    assert comparison["independent"]["significance_shown"] == "TS"
    assert comparison["verdict"] == "decline"
    assert comparison["disagreement"] == "composition"


# --- the verdict's family and rule --------------------------------------------


def improving_rows(n=60, seed=2):
    """Q01 rises for most people, Q02 does not move (same answers), over waves 1 and 2."""
    rng = np.random.default_rng(seed)
    rows = []
    for b in range(n):
        start = int(rng.integers(0, 2))  # C or B
        up = start + int(rng.random() < 0.7)
        still = CODES[int(rng.integers(0, 3))]
        rows.append((b, 1, "2024-01-01", [CODES[2 - start], still]))
        rows.append((b, 2, "2024-04-01", [CODES[2 - up], still]))
    return rows


def test_a_clear_rise_of_the_same_people_is_progress():
    report = report_build(survey_data_build(improving_rows(), items=TWO, waves=(1, 2)))
    rising, still = (item["comparisons"][0] for item in report["items"])
    assert rising["verdict"] == "progress"
    assert rising["paired"]["test"] == "wilcoxon"
    assert still["verdict"] == "no_change_detected"


def test_a_clear_fall_is_decline():
    rows = [(b, 3 - w, d, answers) for b, w, d, answers in improving_rows()]
    report = report_build(survey_data_build(rows, items=TWO, waves=(1, 2)))
    assert report["items"][0]["comparisons"][0]["verdict"] == "decline"


def test_fewer_than_five_pairs_get_too_few_and_no_adjusted_p():
    rows = [(b, 1, "2024-01-01", ["C", "C"]) for b in range(12)]
    rows += [(b, 2, "2024-04-01", ["A", "A"]) for b in range(4)]
    comparison = report_build(survey_data_build(rows, items=TWO, waves=(1, 2)))["items"][0][
        "comparisons"
    ][0]
    assert comparison["paired"]["n"] == 4
    assert comparison["verdict"] == "too_few"
    assert comparison["paired"]["p_adjusted"] is None


def test_item_verdicts_are_adjusted_over_every_item_and_comparison(no_change_report):
    paired = [c["paired"] for c in comparisons(no_change_report)]
    expected = multipletests([p["p"] for p in paired], method="fdr_bh")[1]
    assert [p["p_adjusted"] for p in paired] == pytest.approx(list(expected))


def test_dimension_verdicts_are_their_own_family(no_change_report):
    dims = [c for d in no_change_report["dimensions"] for c in d["comparisons"]]
    p = [c["p"] for c in dims]
    expected = multipletests(p, method="fdr_bh")[1]
    assert [c["p_adjusted"] for c in dims] == pytest.approx(list(expected))


def test_a_two_choice_item_is_judged_by_exact_mcnemar():
    from statsmodels.stats.contingency_tables import mcnemar

    yes_no = [item_meta("Q01", choices=(("O", 1.0), ("N", 0.0)))]
    rows = [(b, 1, "2024-01-01", ["N"]) for b in range(30)]
    rows += [(b, 2, "2024-04-01", ["O" if b < 12 else "N"]) for b in range(28)]
    rows += [(b, 1, "2024-01-01", ["O"]) for b in range(30, 40)]
    rows += [(b, 2, "2024-04-01", ["O" if b < 38 else "N"]) for b in range(30, 40)]
    paired = report_build(survey_data_build(rows, items=yes_no, waves=(1, 2)))["items"][0][
        "comparisons"
    ][0]["paired"]
    # Choices in scale order: O then N; b = O→N (2), c = N→O (12).
    reference = mcnemar(np.array([[8, 2], [12, 16]]), exact=True)
    assert paired["test"] == "mcnemar_exact"
    assert paired["mcnemar"] == {"b": 2, "c": 12, "p": pytest.approx(reference.pvalue)}
    assert paired["p"] == pytest.approx(reference.pvalue)
