"""The report's dimensions section: each dimension's scores, evolutions and shares
(formats.md §3). Called by ``analysis.report.report_build``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from analysis.counting import (
    answer_scores,
    response_grid,
)
from analysis.data import SurveyData
from analysis.dimensions import (
    MIN_INTERVAL_N,
    dimension_paired_scores,
    dimension_scores,
    mean_interval,
    paired_evolution,
)
from analysis.proportions import proportion_wilson
from analysis.report_values import json_number, warning_fields
from analysis.tests_of_change import (
    VERDICT_MIN_PAIRS,
    benjamini_hochberg,
    change_verdict,
)

# ---------------------------------------------------------------------------
# Dimensions and attrition
# ---------------------------------------------------------------------------


def dimension_members(data: SurveyData) -> list[tuple[str, list[int]]]:
    members: dict[str, list[int]] = {}
    for i, item in enumerate(data.items):
        members.setdefault(item.dimension, []).append(i)
    return list(members.items())


def dimensions_section(data: SurveyData, pairs: list[tuple[int, int]]) -> list[dict[str, Any]]:
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
                    "mean": json_number(m.mean),
                    "ci": _interval(m.ci_low, m.ci_high),
                    "mean_0_100": on_100(m.mean),
                    "ci_0_100": _interval(on_100(m.ci_low), on_100(m.ci_high)),
                    **warning_fields(m.warnings),
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
                    "mean": [json_number(e.mean_a), json_number(e.mean_b)],
                    "mean_0_100": [on_100(e.mean_a), on_100(e.mean_b)],
                    "mean_a": json_number(e.mean_a),
                    "mean_b": json_number(e.mean_b),
                    "mean_difference": json_number(e.mean_difference),
                    "mean_difference_0_100": on_100(e.mean_difference, shift=False),
                    "ci": _interval(e.ci_low, e.ci_high),
                    "ci_0_100": _interval(
                        on_100(e.ci_low, shift=False), on_100(e.ci_high, shift=False)
                    ),
                    "test": e.test,
                    "t": json_number(e.t),
                    "dof": e.dof,
                    "p": json_number(e.p),
                    "p_adjusted": json_number(p_adjusted),
                    "cohens_dz": json_number(e.cohens_dz),
                    "improved": e.improved,
                    "stable": e.stable,
                    "worsened": e.worsened,
                    "improved_share": _share(e.improved, e.n),
                    "worsened_share": _share(e.worsened, e.n),
                    "sensitivity": None,
                    **warning_fields(e.warnings),
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
    return json_number(((value - low) if shift else value) / (high - low) * 100.0)


def _interval(low: float | None, high: float | None) -> list[float] | None:
    """``[low, high]``, or ``None`` when there is no interval (never ``[None, None]``)."""
    low, high = json_number(low), json_number(high)
    return None if low is None or high is None else [low, high]


def _share(count: int, n: int) -> dict[str, Any]:
    """A share with its Wilson 95 % interval; no interval below 5 people."""
    share = proportion_wilson(count, n)
    interval = _interval(share.ci_low, share.ci_high) if n >= MIN_INTERVAL_N else None
    return {"value": json_number(share.value), "ci": interval}
