"""An attacker with the board's report: can the hidden cells of a table be worked out?

The attacker knows the published cells, each wave's number of responses, and whatever label
the table still carries (TS/S/PS/NS, degrees of freedom, over/under marks). Hidden cells are
1 or more (zeros are never hidden). The attacker lists every completion of the hidden cells
that agrees with all of that; when only one is left, the hidden counts are recovered.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2_contingency

from analysis.disclosure import report_for_board
from analysis.report import report_build
from analysis.synthetic import random_survey_data

MAX_COMPLETIONS = 2000


def label(p: float) -> str:
    return "TS" if p < 0.01 else "S" if p < 0.05 else "PS" if p < 0.15 else "NS"


def compositions(total: int, parts: int):
    """Every way of writing ``total`` as ``parts`` counts of 1 or more."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(1, total - parts + 2):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def completions(block: dict, codes: list[str]) -> list[tuple[int, ...]] | None:
    """Every table of one wave that agrees with what the board sees of it."""
    counts = {c["code"]: c["count"] for c in block["choices"] + block["unscored"]}
    if block["n_responses"] is None:
        return None
    hidden = [c for c in codes if counts[c] is None]
    rest = block["n_responses"] - sum(counts[c] for c in codes if counts[c] is not None)
    slots = len(hidden) + (block["unanswered"] is None)
    found = []
    for values in compositions(rest - (block["unanswered"] or 0), slots):
        table = dict(counts) | dict(zip(hidden, values, strict=False))
        found.append(tuple(table[c] for c in codes))
        if len(found) > MAX_COMPLETIONS:
            return None
    return found


def agrees(first, second, independent: dict, codes: list[str]) -> bool:
    """Whether the two waves' tables give the label, dof and marks the board sees."""
    table = np.array([first, second]).T
    kept = table.sum(axis=1) > 0
    observed = table[kept]
    if observed.shape[0] < 2 or 0 in observed.sum(axis=0):
        return independent.get("significance") is None
    _chi2, p, dof, expected = chi2_contingency(observed, correction=False)
    if independent.get("dof") is not None and dof != independent["dof"]:
        return False
    if independent.get("significance") is not None and label(p) != independent["significance"]:
        return False
    total = observed.sum()
    rows, columns = observed.sum(axis=1), observed.sum(axis=0)
    residuals = (observed - expected) / np.sqrt(
        expected * np.outer(1 - rows / total, 1 - columns / total))
    kept_codes = [c for c, k in zip(codes, kept, strict=True) if k]
    for code, row in zip(kept_codes, residuals, strict=True):
        for side, marked in enumerate((independent.get("cells") or {}).get(code) or ()):
            if marked is None:
                continue
            if marked != ("over" if row[side] > 1.96 else "under" if row[side] < -1.96
                          else None):
                return False
    return True


def recovered_tables(board: dict) -> list[tuple[str, int]]:
    """(item, wave) of every table with hidden cells that has a single completion left."""
    recovered = []
    for item in board["items"]:
        first = item["frequencies"][0]
        codes = [c["code"] for c in first["choices"] + first["unscored"]]
        options = {f["wave"]: completions(f, codes) for f in item["frequencies"]}
        hidden = {f["wave"]: any(c["count"] is None for c in f["choices"] + f["unscored"])
                  for f in item["frequencies"]}
        for comparison in item["comparisons"]:
            a, b = comparison["waves"]
            if options[a] is None or options[b] is None:
                continue
            left_a, left_b = set(), set()
            for x in options[a]:
                for y in options[b]:
                    if agrees(x, y, comparison["independent"], codes):
                        left_a.add(x)
                        left_b.add(y)
            options[a] = [x for x in options[a] if x in left_a]
            options[b] = [y for y in options[b] if y in left_b]
        recovered += [(item["code"], wave) for wave, left in options.items()
                      if hidden[wave] and left is not None and len(left) == 1]
    return recovered


def test_no_hidden_cell_of_the_boards_tables_can_be_worked_out_from_their_labels():
    # Before the labels were withheld, Q01 at wave 3 and Q07 at wave 2 were recovered.
    board = report_for_board(report_build(random_survey_data(60, n_items=8, seed=4)))
    assert any(c["count"] is None for item in board["items"] for f in item["frequencies"]
               for c in f["choices"])
    assert recovered_tables(board) == []


def test_a_table_with_a_hidden_cell_says_nothing_of_how_it_compares_with_the_verdict():
    board = report_for_board(report_build(random_survey_data(60, n_items=8, seed=4)))
    hidden = [c for item in board["items"] for c in item["comparisons"]
              if None in [v for pair in c["independent"]["counts"].values() for v in pair]]
    assert hidden
    for comparison in hidden:
        assert comparison["disagreement"] is None
        assert comparison["independent"]["significance"] is None
        assert all(marks == [None, None]
                   for marks in comparison["independent"]["cells"].values())
