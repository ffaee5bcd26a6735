"""Reading the counsellor's workspace: who is due for which wave, lists, a person's path.

The due rules (formats.md §1, ``due_after_days``):

- wave 1 is due from the person's entry date (at once when it is unknown);
- wave n > 1 is due ``due_after_days`` after the person's wave-1 response;
- a wave that has a response is done, whatever the dates;
- once the person has left (exit date set), a wave not done is "not applicable";
- a due wave becomes overdue ``OVERDUE_AFTER_DAYS`` after its due date.

``wave_state`` applies them to one person (the status grid and the profile page); the
worklist and the count in the navigation express the same rules in SQL
(``_open_condition``) so that they scale to tens of thousands of people. Tests check that
both agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Max,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis.data import NO_ANSWER, ChoiceSet, ItemMeta, SurveyData
from analysis.dimensions import dimension_scores
from analysis.outcomes import SITUATION_AFTER_DAYS
from beneficiaries.models import Beneficiary
from organisations.access import beneficiaries_for
from organisations.models import Membership
from organisations.permissions import roles_with
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response, Wave

# A due wave that has waited more than this many days is "overdue": about a month of
# appointments has gone by without it, the point at which the seeds' attrition shows that
# a wave is usually never asked if nobody chases it. Overdue waves come first on the worklist.
OVERDUE_AFTER_DAYS = 30

PAGE_SIZE = 50

# Who a counsellor sees by default: the people they follow; "all" is the whole organisation.
SCOPE_MINE = "mine"
SCOPE_ALL = "all"


class WaveStatus:
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    NOT_YET_DUE = "not_yet_due"
    NOT_APPLICABLE = "not_applicable"

    LABELS = {
        DONE: gettext_lazy("Done"),
        DUE: gettext_lazy("Due"),
        OVERDUE: gettext_lazy("Overdue"),
        NOT_YET_DUE: gettext_lazy("Not yet due"),
        NOT_APPLICABLE: gettext_lazy("Not applicable"),
    }
    # A shape beside each colour, so that the grid reads without colour (and in print).
    SYMBOLS = {DONE: "✓", DUE: "●", OVERDUE: "▲", NOT_YET_DUE: "○", NOT_APPLICABLE: "–"}
    OPEN = (DUE, OVERDUE)


@dataclass(frozen=True)
class WaveState:
    """Where one person stands for one wave of one questionnaire."""

    wave: Wave
    status: str
    due_on: dt.date | None = None
    answered_on: dt.date | None = None

    @property
    def label(self) -> str:
        return str(WaveStatus.LABELS[self.status])

    @property
    def symbol(self) -> str:
        return WaveStatus.SYMBOLS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in WaveStatus.OPEN


def wave_due_on(
    *, wave_number: int, due_after_days: int, entry_date: dt.date | None,
    first_answered_on: dt.date | None,
) -> dt.date | None:
    """The day a wave falls due, or None when it cannot be known yet."""
    if wave_number == 1:
        return entry_date
    if first_answered_on is None:
        return None
    return first_answered_on + dt.timedelta(days=due_after_days)


def open_status(*, due_on: dt.date | None, today: dt.date) -> str:
    """Due or overdue, for a wave that has fallen due (an unknown date is simply due)."""
    if due_on is not None and (today - due_on).days > OVERDUE_AFTER_DAYS:
        return WaveStatus.OVERDUE
    return WaveStatus.DUE


def wave_state(
    *, wave: Wave, entry_date: dt.date | None, exit_date: dt.date | None,
    first_answered_on: dt.date | None, answered_on: dt.date | None, today: dt.date,
) -> WaveState:
    """The status of one wave for one person (the rules in this module's docstring)."""
    if answered_on is not None:
        return WaveState(wave, WaveStatus.DONE, answered_on=answered_on)
    due_on = wave_due_on(wave_number=wave.number, due_after_days=wave.due_after_days,
                         entry_date=entry_date, first_answered_on=first_answered_on)
    if exit_date is not None:
        return WaveState(wave, WaveStatus.NOT_APPLICABLE, due_on=due_on)
    if wave.number != 1 and due_on is None:
        return WaveState(wave, WaveStatus.NOT_YET_DUE)
    if due_on is not None and due_on > today:
        return WaveState(wave, WaveStatus.NOT_YET_DUE, due_on=due_on)
    return WaveState(wave, open_status(due_on=due_on, today=today), due_on=due_on)


def wave_states_for(
    *, beneficiaries: Sequence[Beneficiary], questionnaire: Questionnaire,
    waves: Sequence[Wave], today: dt.date,
) -> dict[int, list[WaveState]]:
    """Each person's state for every wave of a questionnaire, in one query for the page.

    ``beneficiaries`` come from the access helper, so their responses are theirs to see.
    """
    answered: dict[tuple[int, int], dt.date] = {
        (beneficiary_id, number): answered_on
        for beneficiary_id, number, answered_on in Response.objects.filter(
            questionnaire=questionnaire, beneficiary__in=[b.pk for b in beneficiaries]
        ).order_by().values_list("beneficiary_id", "wave__number", "answered_on")
    }
    states = {}
    for person in beneficiaries:
        first = answered.get((person.pk, 1))
        states[person.pk] = [
            wave_state(wave=wave, entry_date=person.entry_date, exit_date=person.exit_date,
                       first_answered_on=first, answered_on=answered.get((person.pk, wave.number)),
                       today=today)
            for wave in waves
        ]
    return states


# --- Scope, filters and the list ---------------------------------------------------------


def default_scope(membership: Membership) -> str:
    """Members with a caseload start with their own people, others with the whole organisation."""
    return SCOPE_MINE if membership.can.has_caseload else SCOPE_ALL


def people_in_scope(*, membership: Membership, scope: str) -> QuerySet[Beneficiary]:
    """The organisation's people the membership sees, restricted to its own if asked."""
    people = beneficiaries_for(membership)
    if scope == SCOPE_MINE:
        people = people.filter(counsellor_id=membership.user_id)
    return people


def counsellors_of(*, membership: Membership) -> QuerySet:
    """Users who can follow people in the membership's organisation (counsellors, directors)."""
    return get_user_model().objects.filter(
        memberships__organisation_id=membership.organisation_id,
        memberships__role__in=roles_with("follow_people"),
    ).order_by("last_name", "first_name", "username")


def programmes_of(*, people: QuerySet[Beneficiary]) -> list[str]:
    """The programme labels in use, for the list's filter."""
    return list(
        people.exclude(programme="").order_by("programme")
        .values_list("programme", flat=True).distinct()
    )


SORTS = {
    "code": ("code",),
    "name": ("last_name", "first_name", "code"),
    "-entry": ("-entry_date", "code"),
    "entry": ("entry_date", "code"),
    "counsellor": ("counsellor__last_name", "counsellor__first_name", "code"),
}


def beneficiaries_filter(
    *, people: QuerySet[Beneficiary], membership: Membership, search: str = "",
    counsellor: str = "", status: str = "", programme: str = "", sort: str = "code",
) -> QuerySet[Beneficiary]:
    """The list's filters: a search on code or name, counsellor, active/exited, programme."""
    for term in search.split():
        people = people.filter(
            Q(code__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        )
    if counsellor == SCOPE_MINE:
        people = people.filter(counsellor_id=membership.user_id)
    elif counsellor == "none":
        people = people.filter(counsellor__isnull=True)
    elif counsellor.isdigit():
        people = people.filter(counsellor_id=int(counsellor))
    if status == "active":
        people = people.filter(exit_date__isnull=True)
    elif status == "exited":
        people = people.filter(exit_date__isnull=False)
    if programme:
        people = people.filter(programme=programme)
    return people.select_related("counsellor").order_by(*SORTS.get(sort, SORTS["code"]))


def published_questionnaires(*, questionnaires: QuerySet[Questionnaire]) -> list[Questionnaire]:
    """The published questionnaires with their waves, oldest first (one query each)."""
    return list(
        questionnaires.filter(status=Questionnaire.Status.PUBLISHED)
        .order_by("created_at", "pk")
        .prefetch_related(Prefetch("waves", queryset=Wave.objects.order_by("number")))
    )


# --- The worklist: open waves across many people, filtered in SQL ------------------------


@dataclass(frozen=True)
class WorkItem:
    beneficiary: Beneficiary
    questionnaire: Questionnaire
    state: WaveState


def _first_wave(questionnaire: Questionnaire) -> Wave | None:
    return next((w for w in questionnaire.waves.all() if w.number == 1), None)


def _progress_annotations(questionnaires: Sequence[Questionnaire]) -> dict:
    """Per person: each questionnaire's wave-1 date and each wave's number of responses.

    Aggregates over one join of the people with their responses (GROUP BY person): a
    single pass over both tables, which both databases run in milliseconds at 10,000
    people, where a correlated subquery per wave cost PostgreSQL a JIT compilation.
    """
    annotations = {}
    for questionnaire in questionnaires:
        first = _first_wave(questionnaire)
        if first is not None:
            annotations[f"first_{questionnaire.pk}"] = Max(
                "responses__answered_on", filter=Q(responses__wave=first))
        for wave in questionnaire.waves.all():
            annotations[f"done_{wave.pk}"] = Count("responses", filter=Q(responses__wave=wave))
    return annotations


def _open_condition(*, questionnaire: Questionnaire, wave: Wave, today: dt.date) -> Q:
    """SQL (over ``_progress_annotations``) for "this wave is due or overdue for the person".

    The same rules as ``wave_state`` for a person still in support (exit date unset);
    tests check that both agree.
    """
    not_done = Q(**{f"done_{wave.pk}": 0})
    if wave.number == 1:
        return not_done & (Q(entry_date__isnull=True) | Q(entry_date__lte=today))
    if _first_wave(questionnaire) is None:
        return Q(pk__in=[])
    limit = today - dt.timedelta(days=wave.due_after_days)
    return not_done & Q(**{f"first_{questionnaire.pk}__lte": limit})


def open_wave_count(
    *, people: QuerySet[Beneficiary], questionnaires: Sequence[Questionnaire], today: dt.date,
) -> int:
    """How many waves are due or overdue for these people (one query, for the navigation)."""
    counts = {
        f"open_{wave.pk}": Count("pk", filter=_open_condition(
            questionnaire=questionnaire, wave=wave, today=today))
        for questionnaire in questionnaires for wave in questionnaire.waves.all()
    }
    if not counts:
        return 0
    progress = people.filter(exit_date__isnull=True).order_by().annotate(
        **_progress_annotations(questionnaires))
    return sum(progress.aggregate(**counts).values())


def work_items(
    *, people: QuerySet[Beneficiary], questionnaires: Sequence[Questionnaire], today: dt.date,
    status: str = "",
) -> list[tuple[int, Questionnaire, WaveState]]:
    """Every open wave of these people, most urgent first: (beneficiary id, questionnaire, state).

    SQL keeps only the people with an open wave (``_open_condition``) and reads what the
    rules need: their entry date, wave-1 dates and which waves are done; ``wave_state``
    then dates each wave. Due waves come first, oldest due date first; then overdue
    waves, most recent first (the ones still worth chasing). ``status`` keeps only due or
    only overdue ones.
    """
    annotations = _progress_annotations(questionnaires)
    any_open = Q(pk__in=[])
    for questionnaire in questionnaires:
        for wave in questionnaire.waves.all():
            any_open |= _open_condition(questionnaire=questionnaire, wave=wave, today=today)
    if not annotations:
        return []
    columns = ["pk", "entry_date", *annotations]
    position = {name: i for i, name in enumerate(columns)}
    # (questionnaire, column of its wave-1 date, [(wave, column of its responses count)])
    plan = [
        (questionnaire, position.get(f"first_{questionnaire.pk}"),
         [(wave, position[f"done_{wave.pk}"]) for wave in questionnaire.waves.all()])
        for questionnaire in questionnaires
    ]
    # Unordered: Python sorts by urgency (the model's ordering would join the organisation).
    rows = (people.filter(exit_date__isnull=True).order_by().annotate(**annotations)
            .filter(any_open).values_list(*columns))
    wanted = (status,) if status else WaveStatus.OPEN
    items = []
    for row in rows:
        pk, entry_date = row[0], row[1]
        for questionnaire, first_column, waves in plan:
            first_answered_on = row[first_column] if first_column is not None else None
            for wave, done_column in waves:
                if row[done_column]:
                    continue
                state = wave_state(wave=wave, entry_date=entry_date, exit_date=None,
                                   first_answered_on=first_answered_on, answered_on=None,
                                   today=today)
                if state.status in wanted:
                    items.append((pk, questionnaire, state))

    today_ordinal = today.toordinal()

    def urgency(entry: tuple[int, Questionnaire, WaveState]):
        state = entry[2]
        ordinal = state.due_on.toordinal() if state.due_on else today_ordinal
        if state.status == WaveStatus.DUE:
            return (0, ordinal, entry[0], state.wave.number)
        return (1, -ordinal, entry[0], state.wave.number)

    items.sort(key=urgency)
    return items


def work_items_page(
    *, people: QuerySet[Beneficiary], entries: Sequence[tuple[int, Questionnaire, WaveState]],
) -> list[WorkItem]:
    """The worklist rows of one page, with their people (one query)."""
    by_id = people.select_related("counsellor").in_bulk([pk for pk, _q, _s in entries])
    return [WorkItem(by_id[pk], questionnaire, state) for pk, questionnaire, state in entries
            if pk in by_id]


# --- Situations six months after exit to record -----------------------------------------


def situations_due(*, people: QuerySet[Beneficiary], today: dt.date) -> QuerySet[Beneficiary]:
    """People whose exit was six months ago or more and whose situation is not recorded.

    Oldest exits first: the longer one waits, the harder the person is to reach.
    """
    limit = today - dt.timedelta(days=SITUATION_AFTER_DAYS)
    return (people.filter(exit_date__lte=limit, situation_6_months="")
            .select_related("counsellor").order_by("exit_date", "code"))


# --- The entry form ----------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionGroup:
    name: str
    items: list[Item]


def entry_items(*, questionnaire: Questionnaire) -> list[Item]:
    """The questionnaire's items in order, each with its scale's choices (two queries)."""
    return list(
        questionnaire.items.select_related("scale")
        .prefetch_related(Prefetch("scale__choices", queryset=Choice.objects.order_by(
            "order", "pk")))
        .order_by("order", "pk")
    )


def items_by_dimension(items: Iterable[Item]) -> list[DimensionGroup]:
    """Items grouped by dimension, dimensions in the order of their first item."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.dimension, []).append(item)
    return [DimensionGroup(name, members) for name, members in groups.items()]


def response_saved(*, responses: QuerySet[Response], beneficiary: Beneficiary,
                   questionnaire: Questionnaire, wave: Wave) -> Response | None:
    """The person's response to that wave, with its answers, or None."""
    return (
        responses.filter(beneficiary=beneficiary, questionnaire=questionnaire, wave=wave)
        .select_related("entered_by")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("choice")))
        .first()
    )


# --- A person's path: answers wave by wave, dimension scores, history --------------------


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
        path = QuestionnairePath(
            questionnaire=questionnaire, waves=waves,
            states=[wave_state(wave=w, entry_date=beneficiary.entry_date,
                               exit_date=beneficiary.exit_date, first_answered_on=answered.get(1),
                               answered_on=answered.get(w.number), today=today)
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


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change: who, when, what, old → new."""

    when: dt.datetime
    who: str
    what: str
    old: object = None
    new: object = None


TRACKED_FIELDS = ("code", "first_name", "last_name", "counsellor", "entry_date", "exit_date",
                  "exit_reason", "situation_6_months", "gender", "birth_year",
                  "education_level", "programme")


def _user_label(user) -> str:
    if user is None:
        return _("the system (import or administration)")
    return user.get_full_name() or user.get_username()


def person_history(*, beneficiary: Beneficiary, limit: int = 200) -> list[HistoryEntry]:
    """Every recorded change to the person and their responses, newest first.

    Answers saved together with a new response (reason ``entry``) are summed up by the
    response's own entry rather than listed one by one.
    """
    entries: list[HistoryEntry] = []
    records = list(Beneficiary.history.filter(id=beneficiary.pk).select_related("history_user")
                   .order_by("history_date", "history_id"))
    counsellor_ids = {r.counsellor_id for r in records if r.counsellor_id}
    users = get_user_model().objects.in_bulk(counsellor_ids)
    previous = None
    for record in records:
        who = _user_label(record.history_user)
        if record.history_type == "+":
            entries.append(HistoryEntry(record.history_date, who, _("Record created")))
        elif previous is not None:
            for name in TRACKED_FIELDS:
                attribute = "counsellor_id" if name == "counsellor" else name
                old, new = getattr(previous, attribute), getattr(record, attribute)
                if old == new:
                    continue
                model_field = Beneficiary._meta.get_field(name)
                if name == "counsellor":
                    old, new = (_user_label(users.get(v)) if v else None for v in (old, new))
                elif model_field.choices:
                    labels = dict(model_field.flatchoices)
                    old, new = labels.get(old, old) or None, labels.get(new, new) or None
                entries.append(HistoryEntry(record.history_date, who,
                                            str(model_field.verbose_name).capitalize(), old, new))
        previous = record

    response_records = list(
        Response.history.filter(beneficiary_id=beneficiary.pk).select_related("history_user")
        .order_by("history_date", "history_id"))
    response_ids = {r.id for r in response_records}
    wave_ids = {r.wave_id for r in response_records}
    answer_records = list(
        Answer.history.filter(response_id__in=response_ids).select_related("history_user")
        .order_by("id", "history_date", "history_id"))
    waves = Wave.objects.select_related("questionnaire").in_bulk(wave_ids)
    items = Item.objects.in_bulk({r.item_id for r in answer_records})
    choices = Choice.objects.in_bulk({r.choice_id for r in answer_records})
    wave_of_response = {r.id: waves.get(r.wave_id) for r in response_records}

    def wave_name(wave: Wave | None) -> str:
        if wave is None:
            return _("unknown wave")
        return _("%(questionnaire)s, wave %(number)d") % {
            "questionnaire": wave.questionnaire.title, "number": wave.number}

    previous_by_id: dict[int, object] = {}
    for record in response_records:
        who = _user_label(record.history_user)
        what = wave_name(waves.get(record.wave_id))
        before = previous_by_id.get(record.id)
        if record.history_type == "+" and record.history_change_reason == "baseline":
            pass
        elif record.history_type == "+":
            entries.append(HistoryEntry(record.history_date, who,
                                        _("%(wave)s: response entered") % {"wave": what},
                                        None, record.answered_on))
        elif record.history_type == "-":
            entries.append(HistoryEntry(record.history_date, who,
                                        _("%(wave)s: response deleted") % {"wave": what},
                                        record.answered_on, None))
        elif before is not None and before.answered_on != record.answered_on:
            entries.append(HistoryEntry(record.history_date, who,
                                        _("%(wave)s: date answered") % {"wave": what},
                                        before.answered_on, record.answered_on))
        previous_by_id[record.id] = record

    def choice_label(choice_id: int | None) -> str | None:
        choice = choices.get(choice_id)
        return None if choice is None else choice.label

    previous_answer: dict[int, object] = {}
    for record in answer_records:
        before = previous_answer.get(record.id)
        previous_answer[record.id] = record
        if record.history_type == "+" and (record.history_change_reason or "").startswith(
                ("entry", "baseline")):
            continue
        if record.history_type == "~" and before is not None and (
                before.choice_id == record.choice_id):
            continue
        item = items.get(record.item_id)
        what = _("%(wave)s: item %(item)s") % {
            "wave": wave_name(wave_of_response.get(record.response_id)),
            "item": item.code if item else "?"}
        if record.history_type == "-":
            old, new = choice_label(record.choice_id), None
        else:
            old = choice_label(before.choice_id) if before is not None else None
            new = choice_label(record.choice_id)
        entries.append(HistoryEntry(record.history_date, _user_label(record.history_user),
                                    what, old, new))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
