"""A person's path on their profile: answers wave by wave and dimension scores.

The scores come from ``analysis.dimensions`` (the impact report's own function), over a
one-person ``SurveyData`` built here from the person's responses.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.data import NO_ANSWER, ChoiceSet, ItemMeta, SurveyData
from analysis.dimensions import dimension_scores
from beneficiaries.due import WaveState, WaveStatus, wave_state
from beneficiaries.entry import DimensionGroup, items_by_dimension
from beneficiaries.models import Beneficiary
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response, Wave
from questionnaires.publication import scope_includes


@dataclass
class QuestionnairePath:
    """One questionnaire as seen on a person's profile."""

    questionnaire: Questionnaire
    waves: list[Wave]
    states: list[WaveState]
    groups: list[DimensionGroup]
    # answers[item_id][wave_number] = the Choice given
    answers: dict[int, dict[int, Choice]] = field(default_factory=dict)
    dimensions: list[str] = field(default_factory=list)
    # scores[d][w]: mean score of dimension d in wave position w, None when unknown
    scores: list[list[float | None]] = field(default_factory=list)
    score_range: tuple[float, float] = (0.0, 1.0)

    @property
    def has_responses(self) -> bool:
        return any(state.status == WaveStatus.DONE for state in self.states)

    def rows(self):
        """(dimension, item, [choice or None per wave]) for the answers table."""
        for group in self.groups:
            for item in group.items:
                given = self.answers.get(item.pk, {})
                yield group.name, item, [given.get(wave.number) for wave in self.waves]

    def score_rows(self):
        return list(zip(self.dimensions, self.scores, strict=True))


def person_paths(
    *, beneficiary: Beneficiary, questionnaires: Sequence[Questionnaire], today: dt.date,
) -> list[QuestionnairePath]:
    """Each published questionnaire's answers and dimension scores for one person.

    A constant number of queries whatever the number of questionnaires: items, choices,
    responses and answers are each read once for all of them.
    """
    ids = [q.pk for q in questionnaires]
    items = list(Item.objects.filter(questionnaire_id__in=ids).select_related("scale")
                 .order_by("questionnaire_id", "order", "pk"))
    choices_by_scale: dict[int, list[Choice]] = defaultdict(list)
    for choice in Choice.objects.filter(scale__questionnaire_id__in=ids).order_by(
            "scale_id", "order", "pk"):
        choices_by_scale[choice.scale_id].append(choice)
    responses = list(Response.objects.filter(beneficiary=beneficiary, questionnaire_id__in=ids)
                     .select_related("wave"))
    choice_by_id = {c.pk: c for group in choices_by_scale.values() for c in group}
    answers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for response_id, item_id, choice_id in Answer.objects.filter(
            response__in=[r.pk for r in responses]).values_list("response_id", "item_id",
                                                                "choice_id"):
        answers[response_id].append((item_id, choice_id))

    paths = []
    for questionnaire in questionnaires:
        waves = list(questionnaire.waves.all())
        own_items = [i for i in items if i.questionnaire_id == questionnaire.pk]
        own_responses = sorted((r for r in responses if r.questionnaire_id == questionnaire.pk),
                               key=lambda r: r.wave.number)
        answered = {r.wave.number: r.answered_on for r in own_responses}
        in_scope = scope_includes(questionnaire=questionnaire, entry_date=beneficiary.entry_date,
                                  programme=beneficiary.programme, has_response=bool(answered))
        path = QuestionnairePath(
            questionnaire=questionnaire, waves=waves,
            states=[wave_state(wave=w, entry_date=beneficiary.entry_date,
                               exit_date=beneficiary.exit_date, first_answered_on=answered.get(1),
                               answered_on=answered.get(w.number), today=today,
                               exit_window_days=questionnaire.exit_window_days)
                    if in_scope else WaveState(w, WaveStatus.NOT_APPLICABLE)
                    for w in waves],
            groups=items_by_dimension(own_items),
        )
        for response in own_responses:
            for item_id, choice_id in answers[response.pk]:
                path.answers.setdefault(item_id, {})[response.wave.number] = choice_by_id[choice_id]
        _dimension_scores_fill(path, own_items, own_responses, answers, choices_by_scale)
        paths.append(path)
    return paths


def _dimension_scores_fill(
    path: QuestionnairePath, items: list[Item], responses: list[Response],
    answers: dict[int, list[tuple[int, int]]], choices_by_scale: dict[int, list[Choice]],
) -> None:
    """The person's dimension scores, computed by the same function as the impact report."""
    metas = tuple(
        ItemMeta(code=item.code, text=item.text, dimension=item.dimension, choices=ChoiceSet(
            codes=tuple(c.code for c in choices_by_scale[item.scale_id]),
            labels=tuple(c.label for c in choices_by_scale[item.scale_id]),
            scores=np.array([np.nan if c.score is None else c.score
                             for c in choices_by_scale[item.scale_id]], dtype=float)))
        for item in items
    )
    column = {item.pk: i for i, item in enumerate(items)}
    position = {item.pk: {c.pk: p for p, c in enumerate(choices_by_scale[item.scale_id])}
                for item in items}
    matrix = np.full((len(responses), len(items)), NO_ANSWER, dtype=np.int16)
    for row, response in enumerate(responses):
        for item_id, choice_id in answers[response.pk]:
            if item_id in column:
                matrix[row, column[item_id]] = position[item_id].get(choice_id, NO_ANSWER)
    data = SurveyData(
        questionnaire=path.questionnaire.code,
        waves=tuple(w.number for w in path.waves),
        wave_labels=tuple(w.label for w in path.waves),
        items=metas, answers=matrix,
        response_beneficiary=np.zeros(len(responses), dtype=np.int64),
        response_wave=np.array([r.wave.number for r in responses], dtype=np.int64),
        response_answered_on=np.array([r.answered_on for r in responses], dtype="datetime64[D]"),
        n_beneficiaries=1,
    )
    result = dimension_scores(data)
    path.dimensions = list(result.names)
    path.scores = [[None if np.isnan(v) else round(float(v), 2) for v in result.scores[d, 0]]
                   for d in range(len(result.names))] if responses else [
        [None] * len(path.waves) for _ in result.names]
    scored = [c.score for group in choices_by_scale.values() for c in group
              if c.score is not None and any(i.scale_id == c.scale_id for i in items)]
    path.score_range = (min(scored), max(scored)) if scored else (0.0, 1.0)
