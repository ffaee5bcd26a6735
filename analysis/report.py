"""The impact report (formats.md §3) as one JSON-ready dict, built from ``SurveyData``.

Views, commands and the PDF all call ``report_build`` so their figures cannot differ.
The output is deterministic (no wall-clock time) and holds plain ints, floats, strings,
lists, dicts and ``None`` only: NaN never reaches it.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from analysis.attrition import (
    BiasTest,
    TransitionBias,
    due_for_wave,
    exit_outcomes,
    item_score_counts,
    per_beneficiary,
    reference_date,
    respondents_funnel,
    sample_power,
    transition_bias,
    transition_follow_up,
)
from analysis.caveats import MESSAGES, warning_entries
from analysis.counting import (
    answer_scores,
    choice_counts,
    n_beneficiaries,
    response_grid,
    transition_counts,
)
from analysis.data import SurveyData
from analysis.dimensions import (
    MIN_INTERVAL_N,
    DimensionScores,
    dimension_paired_scores,
    dimension_scores,
    mean_interval,
    paired_evolution,
)
from analysis.frequencies import Frequencies, survey_frequencies
from analysis.outcomes import outcomes_count
from analysis.proportions import proportion_wilson
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
from analysis.weighting import covariates_build, response_weights, weighted_mean_change

REPORT_FORMAT_VERSION = 1

DateLike = datetime.date | np.datetime64 | str


def survey_data_filter(
    data: SurveyData,
    *,
    cohort_from: DateLike | None = None,
    cohort_to: DateLike | None = None,
    segments: Mapping[str, str] | None = None,
) -> SurveyData:
    """Every response of the beneficiaries of the cohorts [cohort_from, cohort_to] (those
    whose first-wave answer falls in it, inclusive, ISO dates or ``date``) whose segments equal
    every value in ``segments``.

    A period selects people, not responses: each is followed through every wave, whatever
    its date, so no pair is broken; with a period, people without a first-wave answer are
    left out. Beneficiary indices and segment arrays are kept as they are, so the result can
    be filtered again. A segment name the data does not have matches nobody.
    """
    keep = np.ones(data.response_beneficiary.shape, dtype=bool)
    size = n_beneficiaries(data)
    if cohort_from is not None or cohort_to is not None:
        first = (data.response_wave == data.waves[0]) if data.waves else keep & False
        # Each person's earliest first-wave date, as days; "never" for no first-wave answer.
        never = np.iinfo(np.int64).max
        days = np.full(size, never, dtype=np.int64)
        np.minimum.at(days, data.response_beneficiary[first],
                      data.response_answered_on[first].astype("datetime64[D]").astype(np.int64))
        inside = days != never
        cohort = days.astype("datetime64[D]")
        if cohort_from is not None:
            inside &= cohort >= np.datetime64(cohort_from, "D")
        if cohort_to is not None:
            inside &= cohort <= np.datetime64(cohort_to, "D")
        keep &= inside[data.response_beneficiary]
    if segments:
        chosen = np.ones(size, dtype=bool)
        for name, value in segments.items():
            values = data.beneficiary_segments.get(name)
            if values is None:
                chosen[:] = False
                continue
            values = np.asarray(values).astype(str)
            matches = np.zeros(size, dtype=bool)
            matches[: values.size] = values[:size] == str(value)
            chosen &= matches
        keep &= chosen[data.response_beneficiary]
    return dataclasses.replace(
        data,
        answers=data.answers[keep],
        response_beneficiary=data.response_beneficiary[keep],
        response_wave=data.response_wave[keep],
        response_answered_on=data.response_answered_on[keep],
    )


def comparison_pairs(n_waves: int) -> list[tuple[int, int]]:
    """Wave positions compared: each consecutive pair, then first against last if distinct."""
    pairs = [(k, k + 1) for k in range(n_waves - 1)]
    if n_waves > 2:
        pairs.append((0, n_waves - 1))
    return pairs


def report_build(data: SurveyData, *, min_group: int = 5, target_dz: float = 0.3) -> dict[str, Any]:
    """The impact report of ``data`` (already filtered), as formats.md §3 describes it.

    Below ``min_group`` wave-1 respondents every count and statistic is withheld
    (``None``) and the warning "group_too_small" is added, so that nobody in a small
    group can be recognised. ``target_dz`` is the effect the power section sizes for.
    """
    grid = response_grid(data)
    waves = list(data.waves)
    funnel = respondents_funnel(data, grid=grid)
    n_first = funnel[str(waves[0])] if waves else 0
    pairs = comparison_pairs(len(waves))

    warnings: list[dict[str, Any]] = []
    if data.response_beneficiary.size == 0:
        warnings += warning_entries(["no_responses"])
    report: dict[str, Any] = {
        "questionnaire": data.questionnaire,
        "generated": {
            "format_version": REPORT_FORMAT_VERSION,
            "min_group": min_group,
            "target_dz": target_dz,
            "as_of": _date_text(reference_date(data)),
            "methods": {
                "independent": "Pearson chi-square without continuity correction",
                "exact_p": (
                    "where an expected count is below 5: Fisher's exact test (2 × 2) or a "
                    "Monte Carlo p (9,999 tables with the same margins, fixed seed)"
                ),
                "cells": "adjusted standardized residual beyond ±1.96",
                "paired": (
                    "Stuart–Maxwell (generalised inverse when singular); Wilcoxon signed-rank, "
                    "zero differences dropped, exact up to 50 non-zero differences"
                ),
                "verdict": (
                    "items: exact McNemar (two scored choices) or Wilcoxon signed-rank of the "
                    "same people; dimensions: paired t-test; Benjamini–Hochberg adjusted "
                    "p < 0.05 over items × comparisons, and over dimensions × comparisons; "
                    "no verdict below 5 pairs"
                ),
                "dimension_score": (
                    "mean of the scored items, given when at least 2/3 of the dimension's "
                    "items are rated; a change uses the items rated at both waves"
                ),
                "p_adjusted": "Benjamini–Hochberg over the report's tests of the same kind",
                "attrition_bias": (
                    "among people due for the later wave, those who answered it against those "
                    "who did not, on their item and dimension scores at the comparison's "
                    "earlier wave: Mann–Whitney U (normal approximation, tie-corrected), "
                    "Benjamini–Hochberg within the comparison; no verdict below 20 per group; "
                    "detectable_effect: smallest Cohen's d seen with 80 % power at alpha 0.05"
                ),
                "sensitivity": (
                    "paired change re-weighted by 1 / P(answered the later wave), a logistic "
                    "model on the earlier wave's dimension scores and segments"
                ),
            },
        },
        "waves": [
            {"number": w, "label": label} for w, label in zip(waves, data.wave_labels, strict=False)
        ],
        "n_beneficiaries": None,
        "respondents": dict.fromkeys(funnel),
        "warnings": warnings,
        "items": [],
        "dimensions": [],
        "funnel": dict.fromkeys(funnel),
        "attrition": None,
        "outcomes": None,
    }

    if n_first < min_group:
        warnings.append(
            {
                "code": "group_too_small",
                "message": MESSAGES["group_too_small"],
                "min_group": min_group,
            }
        )
        report["items"] = [_item_shell(data, i, pairs) for i in range(len(data.items))]
        report["dimensions"] = [
            {
                "name": name,
                "items": [data.items[i].code for i in members],
                "scale": None,
                "waves": [],
                "comparisons": [],
            }
            for name, members in _dimension_members(data)
        ]
        return report

    for w, count in zip(waves, (grid >= 0).sum(axis=0), strict=True):
        if count == 0 and data.response_beneficiary.size:
            warnings.append(
                {"code": "wave_not_reached", "message": MESSAGES["wave_not_reached"], "wave": w}
            )
    report["n_beneficiaries"] = int((grid >= 0).any(axis=1).sum())
    report["respondents"] = funnel
    report["items"] = _items_section(data, grid, pairs)
    report["dimensions"] = _dimensions_section(data, pairs)
    report["funnel"] = dict(funnel)
    dims = dimension_scores(data)
    report["attrition"] = _attrition_section(data, grid, pairs, target_dz, dims)
    _sensitivity_attach(data, grid, pairs, dims, report["dimensions"])
    report["outcomes"] = outcomes_count(data)
    return report


# ---------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------


def _items_section(
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


def _item_shell(data: SurveyData, i: int, pairs: list[tuple[int, int]]) -> dict[str, Any]:
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
        "chi2": _number(result.chi2),
        "dof": result.dof,
        "p": _number(result.p),
        "p_adjusted": _number(p_adjusted),
        "significance": result.significance,
        "cells": {c: list(marks) for c, marks in zip(kept_codes, result.cells, strict=True)},
        "cramers_v": _number(result.cramers_v),
        "min_expected": _number(result.min_expected),
        "fisher_p": _number(result.fisher_p),
        "exact_p": _number(result.exact_p),
        "exact_method": result.exact_method,
        "significance_shown": result.significance_shown,
        **_warning_fields(result.warnings),
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
        "mean_difference": _number(result.mean_difference),
        "test": result.test,
        "p": _number(result.p),
        "p_adjusted": _number(p_adjusted),
        "mcnemar": None if mc is None else {"b": mc.b, "c": mc.c, "p": _number(mc.p)},
        "marginal_homogeneity": {
            "test": "stuart-maxwell",
            "statistic": _number(mh.statistic),
            "dof": mh.dof,
            "p": _number(mh.p),
            "choices": [codes[int(scored[k])] for k in mh.kept],
            **_warning_fields(mh.warnings),
        },
        "wilcoxon": {
            "statistic": _number(wx.statistic),
            "p": _number(wx.p),
            # Wilcoxon's adjusted p only where it is the verdict's test: one adjusted p
            # per comparison, never two that disagree.
            "p_adjusted": _number(p_adjusted) if result.test == "wilcoxon" else None,
            "n_nonzero": wx.n_nonzero,
            "rank_biserial": _number(wx.rank_biserial),
            "method": wx.method,
            **_warning_fields(wx.warnings),
        },
    }


def _frequencies_block(f: Frequencies) -> dict[str, Any]:
    def choice(c: Any) -> dict[str, Any]:
        return {
            "code": c.code,
            "label": c.label,
            "score": _number(c.score),
            "count": c.count,
            "percent": _number(c.percent),
        }

    return {
        "wave": f.wave,
        "n_responses": f.n_responses,
        "n_answered": f.n_answered,
        "unanswered": f.unanswered,
        "choices": [choice(c) for c in f.choices],
        "unscored": [choice(c) for c in f.unscored],
        "mean_score": _number(f.mean_score),
    }


# ---------------------------------------------------------------------------
# Dimensions and attrition
# ---------------------------------------------------------------------------


def _dimension_members(data: SurveyData) -> list[tuple[str, list[int]]]:
    members: dict[str, list[int]] = {}
    for i, item in enumerate(data.items):
        members.setdefault(item.dimension, []).append(i)
    return list(members.items())


def _dimensions_section(data: SurveyData, pairs: list[tuple[int, int]]) -> list[dict[str, Any]]:
    grid = response_grid(data)
    dims = dimension_scores(data)
    evolutions = []
    for items in dims.items:
        item_scores = answer_scores(data, list(items))  # once for every comparison
        evolutions.append(
            [
                paired_evolution(
                    *dimension_paired_scores(data, grid, items, a, b, item_scores=item_scores)
                )
                for a, b in pairs
            ]
        )
    # The dimensions' verdicts are their own BH family (dimensions × comparisons).
    adjusted = iter(
        benjamini_hochberg(
            [e.p if e.n >= VERDICT_MIN_PAIRS else None for row in evolutions for e in row]
        )
    )
    section = []
    for d, name in enumerate(dims.names):
        low, high = dims.scale[d]
        on_100 = functools.partial(_on_100, low=low, high=high)
        per_wave = []
        for w, wave in enumerate(data.waves):
            m = mean_interval(dims.scores[d, :, w])
            per_wave.append(
                {
                    "wave": wave,
                    "n": m.n,
                    "mean": _number(m.mean),
                    "ci": _interval(m.ci_low, m.ci_high),
                    "mean_0_100": on_100(m.mean),
                    "ci_0_100": _interval(on_100(m.ci_low), on_100(m.ci_high)),
                    **_warning_fields(m.warnings),
                }
            )
        comparisons = []
        for k, (a, b) in enumerate(pairs):
            e = evolutions[d][k]
            p_adjusted = next(adjusted)
            direction = 0 if e.mean_difference is None else int(np.sign(e.mean_difference))
            comparisons.append(
                {
                    "waves": [data.waves[a], data.waves[b]],
                    "n": e.n,
                    "verdict": change_verdict(n=e.n, p_adjusted=p_adjusted, direction=direction),
                    "mean": [_number(e.mean_a), _number(e.mean_b)],
                    "mean_0_100": [on_100(e.mean_a), on_100(e.mean_b)],
                    "mean_a": _number(e.mean_a),
                    "mean_b": _number(e.mean_b),
                    "mean_difference": _number(e.mean_difference),
                    "mean_difference_0_100": on_100(e.mean_difference, shift=False),
                    "ci": _interval(e.ci_low, e.ci_high),
                    "ci_0_100": _interval(
                        on_100(e.ci_low, shift=False), on_100(e.ci_high, shift=False)
                    ),
                    "test": e.test,
                    "t": _number(e.t),
                    "dof": e.dof,
                    "p": _number(e.p),
                    "p_adjusted": _number(p_adjusted),
                    "cohens_dz": _number(e.cohens_dz),
                    "improved": e.improved,
                    "stable": e.stable,
                    "worsened": e.worsened,
                    "improved_share": _share(e.improved, e.n),
                    "worsened_share": _share(e.worsened, e.n),
                    "sensitivity": None,
                    **_warning_fields(e.warnings),
                }
            )
        section.append(
            {
                "name": name,
                "items": [data.items[i].code for i in dims.items[d]],
                "scale": None if low is None else {"min": low, "max": high},
                "waves": per_wave,
                "comparisons": comparisons,
            }
        )
    return section


def _on_100(
    value: float | None, *, low: float | None, high: float | None, shift: bool = True
) -> float | None:
    """A score (or, ``shift=False``, a difference) as % of the scale's range [low, high]."""
    if value is None or low is None or high is None or high <= low:
        return None
    return _number(((value - low) if shift else value) / (high - low) * 100.0)


def _interval(low: float | None, high: float | None) -> list[float] | None:
    """``[low, high]``, or ``None`` when there is no interval (never ``[None, None]``)."""
    low, high = _number(low), _number(high)
    return None if low is None or high is None else [low, high]


def _share(count: int, n: int) -> dict[str, Any]:
    """A share with its Wilson 95 % interval; no interval below 5 people."""
    share = proportion_wilson(count, n)
    interval = _interval(share.ci_low, share.ci_high) if n >= MIN_INTERVAL_N else None
    return {"value": _number(share.value), "ci": interval}


def _attrition_section(
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
                    "min_detectable_dz": _number(s.min_detectable_dz),
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
            "mean": [_number(t.mean_answered), _number(t.mean_missing)],
            "statistic": _number(t.statistic),
            "p": _number(t.p),
            "p_adjusted": _number(t.p_adjusted),
            "rank_biserial": _number(t.rank_biserial),
            **_warning_fields(t.warnings),
        }

    return {
        "verdict": bias.verdict,
        "test": "mann-whitney",
        "p_adjusted": _number(bias.p_adjusted),
        "detectable_effect": _number(bias.detectable_effect),
        "n_answered": bias.n_answered,
        "n_missing": bias.n_missing,
        "tests": [test(t) for t in bias.tests],
        "differing": [test(t) for t in bias.differing],
        **_warning_fields(bias.warnings),
    }


# Columns of the response model: about ten people of the smaller group per parameter, and
# at most this many (the dimension scores first, then the most frequent segment levels), which
# keeps the three fits of a 10,000-person report within a few tens of milliseconds.
_MAX_RESPONSE_COLUMNS = 12


def _sensitivity_attach(
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
                "unweighted_mean_difference": _number(result.unweighted_mean_difference),
                "mean_difference": _number(result.mean_difference),
                "mean_difference_0_100": _number(
                    None if result.mean_difference is None or span is None
                    else result.mean_difference / span * 100.0
                ),
                "max_weight": _number(result.max_weight),
                **_warning_fields(result.warnings),
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


# ---------------------------------------------------------------------------
# JSON helpers
# ---------------------------------------------------------------------------


def _date_text(value: np.datetime64) -> str | None:
    """An ISO date, or None for NaT."""
    return None if np.isnat(value) else str(np.datetime64(value, "D"))


def _number(value: float | None) -> float | None:
    """A plain float, or None for None/NaN/infinity (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _warning_fields(codes: tuple[str, ...]) -> dict[str, Any]:
    """``warning``: the first reason in words (formats.md); ``warnings``: every code."""
    entries = warning_entries(codes)
    return {"warning": entries[0]["message"] if entries else None, "warnings": entries}
