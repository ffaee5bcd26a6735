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
    # Per-beneficiary end of support, index-aligned with beneficiary indices (may be shorter
    # than n_beneficiaries, or empty: missing entries mean "no exit recorded").
    # datetime64[D], NaT when the person is still followed.
    beneficiary_exit_date: np.ndarray = field(
        default_factory=lambda: np.empty(0, dtype="datetime64[D]"))
    # Exit reason code (Beneficiary.ExitReason: "employment", "training", ...), "" when none.
    beneficiary_exit_reason: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=str))
    # Days after a person's first response at which each wave of ``waves`` is due; empty when
    # unknown, which makes every wave due at once (nobody is "not yet due").
    wave_due_after_days: tuple[int, ...] = ()
    # Per wave of ``waves``: is it a wave "at exit" (formats.md §1), due on the person's exit
    # date when one is recorded? Empty (or shorter) means no.
    wave_at_exit: tuple[bool, ...] = ()
    # The reference date for "due"; NaT means the date of the latest response.
    as_of: np.datetime64 = field(default_factory=lambda: np.datetime64("NaT", "D"))
    # Situation six months after the exit (Beneficiary.Situation code: "employment",
    # "job_seeker", "unknown", ...), index-aligned like the exit; "" when not recorded.
    beneficiary_situation_6_months: np.ndarray = field(
        default_factory=lambda: np.empty(0, dtype=str))
