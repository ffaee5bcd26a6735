"""The report's items section: per item and comparison, the test of change and the
frequencies (formats.md §3). Called by ``analysis.report.report_build``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.counting import (
    choice_counts,
    transition_counts,
)
from analysis.data import SurveyData
from analysis.frequencies import Frequencies, survey_frequencies
from analysis.report_values import json_number, warning_fields
from analysis.tests_of_change import (
    VERDICT_MIN_PAIRS,
    IndependentResult,
    PairedResult,
    benjamini_hochberg,
    change_verdict,
    compare_independent,
    compare_paired,
    verdict_disagreement,
)

# ---------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------


def items_section(
    data: SurveyData, grid: np.ndarray, pairs: list[tuple[int, int]]
) -> list[dict[str, Any]]:
    counts = choice_counts(data)
    frequencies = survey_frequencies(data, counts=counts)
    transitions = [transition_counts(data, grid, a, b) for a, b in pairs]

    independent: list[list[IndependentResult]] = []
    paired: list[list[tuple[PairedResult, np.ndarray]]] = []
    for i, item in enumerate(data.items):
        n_choices = len(item.choices.codes)
        scores = np.asarray(item.choices.scores, dtype=np.float64)
        scored = np.flatnonzero(~np.isnan(scores))
        independent.append(
            [
                compare_independent(
                    np.stack([counts[a, i, :n_choices], counts[b, i, :n_choices]], axis=1)
                )
                for a, b in pairs
            ]
        )
        paired.append(
            [
                (compare_paired(table[i][np.ix_(scored, scored)], scores[scored]), scored)
                for table in transitions
            ]
        )

    # Benjamini–Hochberg over every test of a kind in the report (items × comparisons).
    independent_adjusted = iter(benjamini_hochberg([r.p for row in independent for r in row]))
    # The verdicts' family: every item × comparison with enough pairs for a verdict.
    verdict_adjusted = iter(benjamini_hochberg([_verdict_p(r) for row in paired for r, _ in row]))

    items = []
    for i, item in enumerate(data.items):
        comparisons = []
        for k, (a, b) in enumerate(pairs):
            result, scored = paired[i][k]
            p_adjusted = next(verdict_adjusted)
            verdict = change_verdict(n=result.n, p_adjusted=p_adjusted, direction=result.direction)
            independent_block = _independent_block(
                independent[i][k], item.choices.codes, next(independent_adjusted)
            )
            comparisons.append(
                {
                    "waves": [data.waves[a], data.waves[b]],
                    "verdict": verdict,
                    "disagreement": verdict_disagreement(
                        verdict=verdict,
                        significance_shown=independent_block["significance_shown"],
                        table_direction=_mean_score_direction(
                            counts[a, i, : len(item.choices.codes)],
                            counts[b, i, : len(item.choices.codes)],
                            item.choices.scores,
                        ),
                    ),
                    "independent": independent_block,
                    "paired": _paired_block(result, scored, item.choices.codes, p_adjusted),
                }
            )
        items.append(
            {
                "code": item.code,
                "text": item.text,
                "dimension": item.dimension,
                "frequencies": [_frequencies_block(f) for f in frequencies[i]],
                "comparisons": comparisons,
            }
        )
    return items


def _mean_score_direction(counts_a: np.ndarray, counts_b: np.ndarray, scores: np.ndarray) -> int:
    """Sign of the change in mean score between two waves' answers (everyone who answered)."""
    scores = np.asarray(scores, dtype=np.float64)
    scored = ~np.isnan(scores)
    n_a, n_b = counts_a[scored].sum(), counts_b[scored].sum()
    if n_a == 0 or n_b == 0:
        return 0
    change = (counts_b[scored] @ scores[scored]) / n_b - (counts_a[scored] @ scores[scored]) / n_a
    return int(np.sign(round(float(change), 9)))


def _verdict_p(result: PairedResult) -> float | None:
    """The p entering the verdicts' BH family: none where no verdict can be given."""
    return result.p if result.n >= VERDICT_MIN_PAIRS else None


def item_shell(data: SurveyData, i: int, pairs: list[tuple[int, int]]) -> dict[str, Any]:
    """An item with every figure withheld (small group)."""
    item = data.items[i]
    return {
        "code": item.code,
        "text": item.text,
        "dimension": item.dimension,
        "frequencies": [],
        "comparisons": [
            {
                "waves": [data.waves[a], data.waves[b]],
                "verdict": "too_few",
                "disagreement": None,
                "independent": _independent_block(None, item.choices.codes, None),
                "paired": _paired_block(None, None, item.choices.codes, None),
            }
            for a, b in pairs
        ],
    }


def _independent_block(
    result: IndependentResult | None, codes: tuple[str, ...], p_adjusted: float | None
) -> dict[str, Any]:
    if result is None:
        return {
            "counts": None,
            "n": None,
            "chi2": None,
            "dof": None,
            "p": None,
            "p_adjusted": None,
            "significance": None,
            "cells": None,
            "cramers_v": None,
            "min_expected": None,
            "fisher_p": None,
            "exact_p": None,
            "exact_method": None,
            "significance_shown": None,
            "warning": None,
            "warnings": [],
        }
    kept_codes = [codes[k] for k in result.kept]
    return {
        "counts": {c: [a, b] for c, (a, b) in zip(kept_codes, result.counts, strict=True)},
        "n": list(result.n),
        "chi2": json_number(result.chi2),
        "dof": result.dof,
        "p": json_number(result.p),
        "p_adjusted": json_number(p_adjusted),
        "significance": result.significance,
        "cells": {c: list(marks) for c, marks in zip(kept_codes, result.cells, strict=True)},
        "cramers_v": json_number(result.cramers_v),
        "min_expected": json_number(result.min_expected),
        "fisher_p": json_number(result.fisher_p),
        "exact_p": json_number(result.exact_p),
        "exact_method": result.exact_method,
        "significance_shown": result.significance_shown,
        **warning_fields(result.warnings),
    }


def _paired_block(
    result: PairedResult | None,
    scored: np.ndarray | None,
    codes: tuple[str, ...],
    p_adjusted: float | None,
) -> dict[str, Any]:
    """The paired block; ``p_adjusted`` is the verdict test's BH-adjusted p."""
    if result is None or scored is None:
        return {
            "n": None,
            "improved": None,
            "stable": None,
            "worsened": None,
            "mean_difference": None,
            "test": None,
            "p": None,
            "p_adjusted": None,
            "mcnemar": None,
            "marginal_homogeneity": {
                "test": "stuart-maxwell",
                "statistic": None,
                "dof": None,
                "p": None,
                "choices": None,
                "warning": None,
                "warnings": [],
            },
            "wilcoxon": {
                "statistic": None,
                "p": None,
                "p_adjusted": None,
                "n_nonzero": None,
                "rank_biserial": None,
                "method": None,
                "warning": None,
                "warnings": [],
            },
        }
    mh, wx, mc = result.marginal_homogeneity, result.wilcoxon, result.mcnemar
    return {
        "n": result.n,
        "improved": result.improved,
        "stable": result.stable,
        "worsened": result.worsened,
        "mean_difference": json_number(result.mean_difference),
        "test": result.test,
        "p": json_number(result.p),
        "p_adjusted": json_number(p_adjusted),
        "mcnemar": None if mc is None else {"b": mc.b, "c": mc.c, "p": json_number(mc.p)},
        "marginal_homogeneity": {
            "test": "stuart-maxwell",
            "statistic": json_number(mh.statistic),
            "dof": mh.dof,
            "p": json_number(mh.p),
            "choices": [codes[int(scored[k])] for k in mh.kept],
            **warning_fields(mh.warnings),
        },
        "wilcoxon": {
            "statistic": json_number(wx.statistic),
            "p": json_number(wx.p),
            # Wilcoxon's adjusted p only where it is the verdict's test: one adjusted p
            # per comparison, never two that disagree.
            "p_adjusted": json_number(p_adjusted) if result.test == "wilcoxon" else None,
            "n_nonzero": wx.n_nonzero,
            "rank_biserial": json_number(wx.rank_biserial),
            "method": wx.method,
            **warning_fields(wx.warnings),
        },
    }


def _frequencies_block(f: Frequencies) -> dict[str, Any]:
    def choice(c: Any) -> dict[str, Any]:
        return {
            "code": c.code,
            "label": c.label,
            "score": json_number(c.score),
            "count": c.count,
            "percent": json_number(c.percent),
        }

    return {
        "wave": f.wave,
        "n_responses": f.n_responses,
        "n_answered": f.n_answered,
        "unanswered": f.unanswered,
        "choices": [choice(c) for c in f.choices],
        "unscored": [choice(c) for c in f.unscored],
        "mean_score": json_number(f.mean_score),
    }
