"""Build ``SurveyData`` without a database: from literal rows (tests) or at random (benchmarks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from analysis.data import NO_ANSWER, ChoiceSet, ItemMeta, SurveyData

# The method's usual scale: three ordered answers and a "ne se prononce pas".
CAPACITE: tuple[tuple[str, float | None], ...] = (
    ("A", 3.0),
    ("B", 2.0),
    ("C", 1.0),
    ("NSP", None),
)


def choice_set(choices: Sequence[tuple[str, float | None]]) -> ChoiceSet:
    """A scale from ``(code, score)`` pairs in display order; ``None`` = unscored."""
    return ChoiceSet(
        codes=tuple(code for code, _ in choices),
        labels=tuple(f"Choice {code}" for code, _ in choices),
        scores=np.array([np.nan if s is None else s for _, s in choices], dtype=np.float64),
    )


def item_meta(
    code: str,
    *,
    dimension: str = "Projet personnel",
    choices: Sequence[tuple[str, float | None]] = CAPACITE,
) -> ItemMeta:
    """An item on ``choices`` (the capacité scale by default)."""
    return ItemMeta(
        code=code, text=f"Item {code}?", dimension=dimension, choices=choice_set(choices)
    )


Row = tuple[int, int, str, Sequence[str | None]]


def survey_data_build(
    rows: Sequence[Row],
    *,
    items: Sequence[ItemMeta] | None = None,
    waves: Sequence[int] = (1, 2, 3),
    questionnaire: str = "test",
    segments: Mapping[str, Sequence[str]] | None = None,
    n_beneficiaries: int | None = None,
) -> SurveyData:
    """SurveyData from rows ``(beneficiary index, wave, "YYYY-MM-DD", [choice code or None, ...])``.

    Items default to one capacité item "Q01"; answer lists follow ``items``.
    """
    items = tuple(items) if items is not None else (item_meta("Q01"),)
    answers = np.full((len(rows), len(items)), NO_ANSWER, dtype=np.int16)
    for r, (_, _, _, codes) in enumerate(rows):
        for i, code in enumerate(codes):
            if code is not None:
                answers[r, i] = items[i].choices.codes.index(code)
    beneficiary = np.array([row[0] for row in rows], dtype=np.int64)
    top = int(beneficiary.max()) + 1 if beneficiary.size else 0
    n = max(top, n_beneficiaries or 0, *(len(v) for v in (segments or {}).values()))
    return SurveyData(
        questionnaire=questionnaire,
        waves=tuple(waves),
        wave_labels=tuple(f"Wave {w}" for w in waves),
        items=items,
        answers=answers,
        response_beneficiary=beneficiary,
        response_wave=np.array([row[1] for row in rows], dtype=np.int64),
        response_answered_on=np.array([row[2] for row in rows], dtype="datetime64[D]"),
        n_beneficiaries=n,
        beneficiary_segments={k: np.array(v, dtype=str) for k, v in (segments or {}).items()},
    )


def survey_data_from_counts(
    wave_counts: Mapping[int, Sequence[int]],
    *,
    choices: Sequence[tuple[str, float | None]] = CAPACITE,
    waves: Sequence[int] = (1, 2),
) -> SurveyData:
    """One item whose answers per wave have the given counts per choice (one code each).

    Beneficiary k answers each wave in which there is a k-th answer, so the waves
    overlap as much as their sizes allow.
    """
    codes = [code for code, _ in choices]
    rows: list[Row] = []
    for wave, counts in wave_counts.items():
        answers = [code for code, count in zip(codes, counts, strict=False) for _ in range(count)]
        rows += [(k, wave, "2024-01-01", [code]) for k, code in enumerate(answers)]
    return survey_data_build(rows, items=[item_meta("Q01", choices=choices)], waves=waves)


def random_survey_data(
    n_beneficiaries: int,
    *,
    n_items: int = 30,
    seed: int = 0,
    retention: Sequence[float] = (1.0, 0.6, 0.25),
) -> SurveyData:
    """Data shaped like the method's: 4 scored choices plus "ne se prononce pas" (5 %),
    2 % unanswered, one wave per entry of ``retention`` (share of beneficiaries reaching
    it, nested), scores drifting upwards over the waves. Deterministic for a seed.
    """
    rng = np.random.default_rng(seed)
    scale = (("1", 1.0), ("2", 2.0), ("3", 3.0), ("4", 4.0), ("NSP", None))
    dimensions = (
        "Estime de soi",
        "Projet personnel",
        "Autonomie administrative",
        "Mobilité",
        "Lien social",
    )
    items = tuple(
        item_meta(f"Q{i + 1:02d}", dimension=dimensions[i % len(dimensions)], choices=scale)
        for i in range(n_items)
    )
    waves = tuple(range(1, len(retention) + 1))
    # Nested attrition: a beneficiary reaches wave k if its draw is under retention[k].
    reach = rng.random(n_beneficiaries)
    ben_parts, wave_parts = [], []
    for k, share in enumerate(retention):
        reached = np.flatnonzero(reach < share)
        ben_parts.append(reached)
        wave_parts.append(np.full(reached.size, waves[k], dtype=np.int64))
    beneficiary = np.concatenate(ben_parts)
    wave = np.concatenate(wave_parts)
    n_responses = beneficiary.size

    # A latent level per beneficiary, improving by ~0.3 choice per wave.
    level = rng.normal(1.2, 0.9, n_beneficiaries)[beneficiary] + 0.3 * (wave - 1)
    noise = rng.normal(0.0, 0.8, (n_responses, n_items))
    answers = np.clip(np.rint(level[:, None] + noise), 0, 3).astype(np.int16)
    draw = rng.random((n_responses, n_items))
    answers[draw < 0.05] = 4  # "ne se prononce pas"
    answers[draw > 0.98] = NO_ANSWER

    start = np.datetime64("2024-01-01") + rng.integers(0, 365, n_beneficiaries)
    answered_on = start[beneficiary] + (wave - 1) * 90
    segments = {
        "counsellor": rng.integers(1, 21, n_beneficiaries).astype(str),
        "programme": rng.choice(np.array(["Formation", "Orientation", "Emploi"]), n_beneficiaries),
        "gender": rng.choice(np.array(["F", "M", ""]), n_beneficiaries, p=[0.5, 0.45, 0.05]),
    }
    return SurveyData(
        questionnaire="demo",
        waves=waves,
        wave_labels=tuple(f"Wave {w}" for w in waves),
        items=items,
        answers=answers,
        response_beneficiary=beneficiary.astype(np.int64),
        response_wave=wave,
        response_answered_on=answered_on.astype("datetime64[D]"),
        n_beneficiaries=n_beneficiaries,
        beneficiary_segments=segments,
    )
