"""The impact report (formats.md §3) as one JSON-ready dict, built from ``SurveyData``.

Views, commands and the PDF all call ``report_build`` so their figures cannot differ.
The output is deterministic (no wall-clock time) and holds plain ints, floats, strings,
lists, dicts and ``None`` only: NaN never reaches it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

import numpy as np

from analysis.attrition import (
    reference_date,
    respondents_funnel,
)
from analysis.caveats import MESSAGES, warning_entries
from analysis.counting import (
    n_beneficiaries,
    response_grid,
)
from analysis.data import SurveyData
from analysis.dimensions import (
    dimension_scores,
)
from analysis.outcomes import outcomes_count
from analysis.report_attrition import attrition_section, sensitivity_attach
from analysis.report_dimensions import dimension_members, dimensions_section
from analysis.report_items import item_shell, items_section

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
        report["items"] = [item_shell(data, i, pairs) for i in range(len(data.items))]
        report["dimensions"] = [
            {
                "name": name,
                "items": [data.items[i].code for i in members],
                "scale": None,
                "waves": [],
                "comparisons": [],
            }
            for name, members in dimension_members(data)
        ]
        return report

    for w, count in zip(waves, (grid >= 0).sum(axis=0), strict=True):
        if count == 0 and data.response_beneficiary.size:
            warnings.append(
                {"code": "wave_not_reached", "message": MESSAGES["wave_not_reached"], "wave": w}
            )
    report["n_beneficiaries"] = int((grid >= 0).any(axis=1).sum())
    report["respondents"] = funnel
    report["items"] = items_section(data, grid, pairs)
    report["dimensions"] = dimensions_section(data, pairs)
    report["funnel"] = dict(funnel)
    dims = dimension_scores(data)
    report["attrition"] = attrition_section(data, grid, pairs, target_dz, dims)
    sensitivity_attach(data, grid, pairs, dims, report["dimensions"])
    report["outcomes"] = outcomes_count(data)
    return report


# ---------------------------------------------------------------------------
# JSON helpers
# ---------------------------------------------------------------------------


def _date_text(value: np.datetime64) -> str | None:
    """An ISO date, or None for NaT."""
    return None if np.isnat(value) else str(np.datetime64(value, "D"))
