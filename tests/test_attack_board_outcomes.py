"""An attacker with the board's report: outcomes and the drop-out check give no count of 1–4."""

from __future__ import annotations

from analysis.disclosure import report_for_board


def outcomes_report(*, exits: dict, exited: int, unknown: int = 0, followed: int = 50,
                    situation: dict | None = None, due: int = 0, not_recorded: int = 0):
    return {"outcomes": {
        "followed": followed, "exited": exited, "exits": dict(exits),
        "exit_reason_unknown": unknown,
        "situation_6_months": dict(situation or {}), "situation_due": due,
        "situation_not_recorded": not_recorded}}


def exits_worked_out(outcomes: dict, truth: dict, truth_unknown: int) -> list[str]:
    """The hidden exit cells an attacker computes from ``exited`` (the exits' total)."""
    cells = {**outcomes["exits"], "?": outcomes["exit_reason_unknown"]}
    true = {**truth, "?": truth_unknown}
    hidden = [k for k, v in cells.items() if v is None]
    if outcomes["exited"] is None or not hidden:
        return []
    rest = outcomes["exited"] - sum(v for v in cells.values() if v is not None)
    if len(hidden) == 1 or rest < 5:
        return [k for k in hidden if 0 < true[k] < 5]
    return []


def test_an_exit_reason_below_five_does_not_follow_from_the_number_who_exited():
    # 7 still followed is the next smallest cell: hiding it with the 3 protected the total
    # of everyone followed, but 43 exited minus 40 dropped out gave the 3 back.
    exits = {"employment": 3, "training": 0, "dropped_out": 40}
    board = report_for_board(outcomes_report(exits=exits, exited=43))["outcomes"]
    assert board["exits"]["employment"] is None
    assert exits_worked_out(board, exits, 0) == []


def test_exits_of_unknown_reason_below_five_are_hidden():
    exits = {"employment": 12, "training": 9, "dropped_out": 20}
    board = report_for_board(outcomes_report(exits=exits, exited=43, unknown=2))["outcomes"]
    assert board["exit_reason_unknown"] is None
    assert exits_worked_out(board, exits, 2) == []


def test_situations_not_recorded_below_five_are_hidden():
    situation = {"employment": 10, "training": 8, "job_seeker": 9, "unknown": 12}
    board = report_for_board(outcomes_report(
        exits={"employment": 40}, exited=40, situation=situation, due=39,
        not_recorded=3))["outcomes"]
    assert board["situation_not_recorded"] is None


def test_situations_not_recorded_hidden_when_the_rest_of_unknown_is_below_five():
    situation = {"employment": 10, "training": 8, "job_seeker": 9, "unknown": 12}
    board = report_for_board(outcomes_report(
        exits={"employment": 40}, exited=40, situation=situation, due=39,
        not_recorded=10))["outcomes"]
    # 12 unknown of which 10 not recorded: 2 people recorded as "unknown".
    assert board["situation_not_recorded"] is None


def drop_out_report(n_test: list[int]):
    return {"attrition": [{
        "waves": [1, 2], "answered_first": 60, "due": 60, "answered": 30, "not_yet_due": 0,
        "left": {"dropped_out": 30},
        "bias": {"verdict": "no_difference_detected", "n_answered": 30, "n_missing": 30,
                 "p_adjusted": 0.5, "detectable_effect": 0.7,
                 "tests": [{"kind": "item", "name": "Q09", "n": n_test, "mean": [2.5, 4.0],
                            "statistic": 40.0, "p": 0.5, "p_adjusted": 0.5,
                            "rank_biserial": 0.1}],
                 "differing": []}}]}


def test_a_drop_out_test_resting_on_fewer_than_five_people_publishes_neither_n_nor_mean():
    # Only one of those who left answered Q09 at wave 1: the mean 4,0 was their answer.
    test = report_for_board(drop_out_report([28, 1]))["attrition"][0]["bias"]["tests"][0]
    assert test["n"] == [None, None]
    assert test["mean"] == [None, None]
    assert test["statistic"] is None
    assert test["p"] is None


def test_a_drop_out_tests_n_is_hidden_when_it_leaves_fewer_than_five_without_an_answer():
    # 30 left, 27 answered Q09: the n would tell that 3 of them did not.
    test = report_for_board(drop_out_report([28, 27]))["attrition"][0]["bias"]["tests"][0]
    assert test["n"] == [None, None]
    assert test["mean"] == [2.5, 4.0]


def test_the_at_work_sentence_still_says_some_situations_were_not_recorded_when_hidden():
    from reports.formatting import at_work_sentence

    at_work = {"count": 10, "n": 39, "value": 10 / 39, "ci": [0.14, 0.41]}
    sentence = at_work_sentence(at_work, not_recorded=None, hide_below=5)
    assert "non renseignée pour certaines" in sentence
