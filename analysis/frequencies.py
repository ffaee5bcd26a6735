"""Answer frequencies per item and wave, as the report's tables and charts show them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.counting import choice_counts, response_wave_positions
from analysis.data import ItemMeta, SurveyData


@dataclass(frozen=True)
class ChoiceFrequency:
    code: str
    label: str
    score: float | None
    count: int
    # Share of the answers given (scored and unscored), in percent; None if none given.
    percent: float | None


@dataclass(frozen=True)
class Frequencies:
    """One item in one wave.

    ``choices`` are the scored choices in scale order; ``unscored`` the "ne se prononce
    pas"-like choices, shown apart. Percentages are over ``n_answered`` (scored and
    unscored answers) so that both lists together sum to 100; ``unanswered`` counts the
    responses of the wave that left the item empty.
    """

    wave: int
    n_responses: int
    n_answered: int
    unanswered: int
    choices: tuple[ChoiceFrequency, ...]
    unscored: tuple[ChoiceFrequency, ...]
    mean_score: float | None


def item_frequencies(
    item: ItemMeta, *, wave: int, counts: np.ndarray, n_responses: int
) -> Frequencies:
    """Frequencies of one item in one wave from its per-choice ``counts``."""
    counts = np.asarray(counts, dtype=np.int64)[: len(item.choices.codes)]
    scores = np.asarray(item.choices.scores, dtype=np.float64)
    answered = int(counts.sum())
    scored = ~np.isnan(scores)
    n_scored = int(counts[scored].sum())
    mean = float((counts[scored] * scores[scored]).sum() / n_scored) if n_scored else None

    def frequency(c: int) -> ChoiceFrequency:
        score = None if math.isnan(scores[c]) else float(scores[c])
        percent = 100.0 * counts[c] / answered if answered else None
        return ChoiceFrequency(
            item.choices.codes[c], item.choices.labels[c], score, int(counts[c]), percent
        )

    return Frequencies(
        wave=wave,
        n_responses=n_responses,
        n_answered=answered,
        unanswered=n_responses - answered,
        choices=tuple(frequency(c) for c in np.flatnonzero(scored)),
        unscored=tuple(frequency(c) for c in np.flatnonzero(~scored)),
        mean_score=mean,
    )


def survey_frequencies(
    data: SurveyData, *, counts: np.ndarray | None = None
) -> list[list[Frequencies]]:
    """``result[i][w]``: frequencies of item i in wave position w.

    ``counts`` (from ``counting.choice_counts``) may be passed when already computed.
    """
    if counts is None:
        counts = choice_counts(data)
    positions = response_wave_positions(data)
    responses_per_wave = np.bincount(positions[positions >= 0], minlength=len(data.waves))
    return [
        [
            item_frequencies(
                item, wave=wave, counts=counts[w, i], n_responses=int(responses_per_wave[w])
            )
            for w, wave in enumerate(data.waves)
        ]
        for i, item in enumerate(data.items)
    ]
