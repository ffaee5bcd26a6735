"""The report's attrition section (the funnel's biases, the power of the sample) and the
attrition-weighted sensitivity added to the dimensions. Called by
``analysis.report.report_build``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.attrition import (
    BiasTest,
    TransitionBias,
    due_for_wave,
    exit_outcomes,
    item_score_counts,
    per_beneficiary,
    sample_power,
    transition_bias,
    transition_follow_up,
)
from analysis.counting import (
    answer_scores,
)
from analysis.data import SurveyData
from analysis.dimensions import (
    DimensionScores,
)
from analysis.report_values import json_number, warning_fields
from analysis.weighting import covariates_build, response_weights, weighted_mean_change


def attrition_section(
    data: SurveyData,
    grid: np.ndarray,
    pairs: list[tuple[int, int]],
    target_dz: float,
    dims: DimensionScores,
) -> list[dict[str, Any]]:
    """One entry per comparison: who was due for the later wave, what became of those who
    did not answer it, whether they had started differently (bias), and the pairs' power."""
    outcomes = exit_outcomes(data, grid.shape[0])
    present = grid >= 0
    section = []
    for a, b in pairs:
        follow = transition_follow_up(data, grid=grid, a=a, b=b, outcomes=outcomes)
        counted = item_score_counts(
            data, grid[follow.answered_mask, a], grid[follow.missing_mask, a]
        )
        measures: list[Any] = [
            ("item", item.code, counts) for item, counts in zip(data.items, counted, strict=True)
        ] + [("dimension", name, dims.scores[d, :, a]) for d, name in enumerate(dims.names)]
        bias = transition_bias(
            measures=measures, answered=follow.answered_mask, missing=follow.missing_mask
        )
        s = sample_power(int((present[:, a] & present[:, b]).sum()), target_dz=target_dz)
        section.append(
            {
                "waves": [data.waves[a], data.waves[b]],
                "answered_first": follow.answered_first,
                "due": follow.due,
                "answered": follow.answered,
                "not_yet_due": follow.not_yet_due,
                "left": dict(follow.left),
                "positive_exits": follow.positive_exits,
                "bias": {**_bias_block(bias), "baseline_wave": data.waves[a]},
                "power": {
                    "waves": [data.waves[a], data.waves[b]],
                    "n_pairs": s.n_pairs,
                    "alpha": s.alpha,
                    "power": s.power,
                    "min_detectable_dz": json_number(s.min_detectable_dz),
                    "target_dz": s.target_dz,
                    "pairs_needed": s.pairs_needed,
                    "pairs_missing": s.pairs_missing,
                },
            }
        )
    return section


def _bias_block(bias: TransitionBias) -> dict[str, Any]:
    def test(t: BiasTest) -> dict[str, Any]:
        return {
            "kind": t.kind,
            "name": t.name,
            "n": [t.n_answered, t.n_missing],
            "mean": [json_number(t.mean_answered), json_number(t.mean_missing)],
            "statistic": json_number(t.statistic),
            "p": json_number(t.p),
            "p_adjusted": json_number(t.p_adjusted),
            "rank_biserial": json_number(t.rank_biserial),
            **warning_fields(t.warnings),
        }

    return {
        "verdict": bias.verdict,
        "test": "mann-whitney",
        "p_adjusted": json_number(bias.p_adjusted),
        "detectable_effect": json_number(bias.detectable_effect),
        "n_answered": bias.n_answered,
        "n_missing": bias.n_missing,
        "tests": [test(t) for t in bias.tests],
        "differing": [test(t) for t in bias.differing],
        **warning_fields(bias.warnings),
    }


# Columns of the response model: about ten people of the smaller group per parameter, and
# at most this many (the dimension scores first, then the most frequent segment levels), which
# keeps the three fits of a 10,000-person report within a few tens of milliseconds.
_MAX_RESPONSE_COLUMNS = 12


def sensitivity_attach(
    data: SurveyData,
    grid: np.ndarray,
    pairs: list[tuple[int, int]],
    dims: DimensionScores,
    dimensions: list[dict[str, Any]],
) -> None:
    """Add ``sensitivity`` to every dimension comparison: the paired evolution re-weighted by
    the inverse probability of answering the later wave (``analysis.weighting``).

    One response model per comparison (a, b), fitted on everyone due for b who answered a,
    from every dimension's score at a and the segments; its weights then re-weight each
    dimension's pairs.
    """
    by_name = {entry["name"]: entry for entry in dimensions}
    segments = {}
    for name, values in data.beneficiary_segments.items():
        values = np.asarray(values).astype(str)
        values = per_beneficiary(values, grid.shape[0], "", values.dtype)
        # Integer codes: the design only needs which people share a level, and sorting
        # integers per comparison is much cheaper than sorting strings.
        segments[name] = np.unique(values, return_inverse=True)[1]
    item_scores = [answer_scores(data, list(items)) for items in dims.items]
    for a, b in pairs:
        waves = [data.waves[a], data.waves[b]]
        due = (grid[:, a] >= 0) & due_for_wave(data, grid=grid, position=b)
        answered = grid[due, b] >= 0
        smaller = int(min(answered.sum(), answered.size - answered.sum()))
        design = covariates_build(
            scores=dims.scores[:, due, a].T,
            segments={name: values[due] for name, values in segments.items()},
            max_columns=min(_MAX_RESPONSE_COLUMNS, max(1, smaller // 10 - 1)),
        )
        weights = response_weights(design=design, answered=answered)
        for d, name in enumerate(dims.names):
            comparison = next(
                (c for c in by_name.get(name, {}).get("comparisons", []) if c["waves"] == waves),
                None,
            )
            if comparison is None:
                continue
            result = weighted_mean_change(
                change=_paired_change(item_scores[d], grid[due], a, b), weights=weights
            )
            span = _scale_span(data, dims.items[d])
            comparison["sensitivity"] = {
                "method": "ipw",
                "n": result.n,
                "n_due": int(due.sum()),
                "unweighted_mean_difference": json_number(result.unweighted_mean_difference),
                "mean_difference": json_number(result.mean_difference),
                "mean_difference_0_100": json_number(
                    None if result.mean_difference is None or span is None
                    else result.mean_difference / span * 100.0
                ),
                "max_weight": json_number(result.max_weight),
                **warning_fields(result.warnings),
            }


def _paired_change(scores: np.ndarray, grid: np.ndarray, a: int, b: int) -> np.ndarray:
    """Per row of ``grid``: the change (b − a) of the mean score over the dimension's items
    rated at both waves, NaN when fewer than two thirds of them were (CONTRACT.md: the rule of
    the dimension section, so that the weighted change is of the same pairs). ``scores`` are
    ``answer_scores`` of the dimension's items."""
    change = np.full(grid.shape[0], np.nan)
    both = (grid[:, a] >= 0) & (grid[:, b] >= 0)
    n_items = scores.shape[1]
    if not both.any() or not n_items:
        return change
    x, y = scores[grid[both, a]], scores[grid[both, b]]
    common = ~np.isnan(x) & ~np.isnan(y)
    n_common = common.sum(axis=1)
    enough = (n_common > 0) & (n_common >= math.ceil(2 / 3 * n_items - 1e-9))
    total = np.where(common, y - x, 0.0).sum(axis=1)
    change[both] = np.divide(total, n_common, out=np.full(total.shape, np.nan), where=enough)
    return change


def _scale_span(data: SurveyData, members: tuple[int, ...]) -> float | None:
    """max − min of the scores the dimension's items can take (None if they are all equal)."""
    scores = np.concatenate(
        [np.asarray(data.items[i].choices.scores, dtype=np.float64) for i in members]
    ) if members else np.empty(0)
    scores = scores[~np.isnan(scores)]
    if scores.size == 0 or scores.max() <= scores.min():
        return None
    return float(scores.max() - scores.min())
