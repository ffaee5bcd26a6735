"""The compact, ORM-free shape in which a questionnaire's answers reach the statistics.

A loader (``questionnaires.selectors.survey_data_load``) is the only code that turns the
database into this; every function of ``analysis`` reads it and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NO_ANSWER = -1


@dataclass(frozen=True)
class ChoiceSet:
    """The choices of one scale, in display order."""

    codes: tuple[str, ...]
    labels: tuple[str, ...]
    # float, NaN where the choice has no score ("ne se prononce pas").
    scores: np.ndarray


@dataclass(frozen=True)
class ItemMeta:
    code: str
    text: str
    dimension: str
    choices: ChoiceSet


@dataclass(frozen=True)
class SurveyData:
    """Every response of one questionnaire, one row per (beneficiary, wave).

    ``answers[r, i]`` is the index, in ``items[i].choices``, of the choice given in
    response ``r`` to item ``i``, or ``NO_ANSWER``.
    """

    questionnaire: str
    waves: tuple[int, ...]  # wave numbers in order, e.g. (1, 2, 3)
    wave_labels: tuple[str, ...]
    items: tuple[ItemMeta, ...]
    answers: np.ndarray  # int16, shape (n_responses, n_items)
    response_beneficiary: np.ndarray  # int64 beneficiary index 0..n_beneficiaries-1
    response_wave: np.ndarray  # int64 wave number of each response
    response_answered_on: np.ndarray  # datetime64[D]
    n_beneficiaries: int = 0
    # Per-beneficiary segments (e.g. "gender", "programme", "counsellor", "education"),
    # arrays of str index-aligned with beneficiary indices; "" when unknown.
    beneficiary_segments: dict[str, np.ndarray] = field(default_factory=dict)
