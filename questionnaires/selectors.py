"""Reading questionnaires for the statistics: the one place that turns rows into arrays.

The report itself (filters, cache, board cuts) lives in reports/selectors.py, which calls
this loader: reads go reports → questionnaires → analysis, never back.
"""

from __future__ import annotations

import datetime as dt
import io
from itertools import chain

import numpy as np
from django.db import connection
from django.utils import timezone

from analysis.data import NO_ANSWER, ChoiceSet, ItemMeta, SurveyData
from beneficiaries.models import Beneficiary
from questionnaires.models import Answer, Choice, Questionnaire, Response


def _age_group(birth_year: int | None, on: dt.date) -> str:
    if birth_year is None:
        return ""
    age = on.year - birth_year
    if age < 26:
        return "<26"
    return "26-44" if age < 45 else "45+"


_CHUNK = 100_000


def _copy_binary_ints(sql: str, columns: int) -> np.ndarray:
    """Run ``COPY (sql) TO STDOUT (FORMAT binary)`` and read its int4 columns with numpy.

    Every row of PostgreSQL's binary COPY is a field count then, per field, a length and the
    value: with ``columns`` non-null int4 fields the rows have a fixed size, so numpy reads them
    straight from the buffer instead of building a Python tuple per answer.
    """
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buffer)
    data = buffer.getbuffer()
    offset = 19 + int.from_bytes(data[15:19], "big")  # signature, flags, header extension
    fields = [("count", ">i2")]
    for index in range(columns):
        fields += [(f"length{index}", ">i4"), (f"value{index}", ">i4")]
    row = np.dtype(fields)
    records = np.frombuffer(data, dtype=row, count=(len(data) - offset - 2) // row.itemsize,
                            offset=offset)
    return np.column_stack([records[f"value{index}"] for index in range(columns)]).astype(
        np.int64)


def _answers_fetch(questionnaire: Questionnaire) -> np.ndarray:
    """Every answer of the questionnaire as an (n, 3) array of response, item and choice ids."""
    answer_table = connection.ops.quote_name(Answer._meta.db_table)
    response_table = connection.ops.quote_name(Response._meta.db_table)
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT a.response_id::int4, a.item_id::int4, a.choice_id::int4 "
            f"FROM {answer_table} a JOIN {response_table} r ON r.id = a.response_id "
            f"WHERE r.questionnaire_id = {int(questionnaire.pk)}"
        )
        return _copy_binary_ints(sql, 3)
    sql = (
        f"SELECT a.response_id, a.item_id, a.choice_id FROM {answer_table} a "
        f"JOIN {response_table} r ON r.id = a.response_id WHERE r.questionnaire_id = %s"
    )
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [questionnaire.pk])
        # In chunks, so that only one chunk of Python tuples is alive at a time.
        while rows := cursor.fetchmany(_CHUNK):
            chunks.append(np.fromiter(chain.from_iterable(rows), dtype=np.int64,
                                      count=3 * len(rows)).reshape(-1, 3))
    return np.concatenate(chunks) if chunks else np.empty((0, 3), dtype=np.int64)


def survey_data_load(
    *, questionnaire: Questionnaire, as_of: dt.date | None = None,
) -> SurveyData:
    """All responses of a questionnaire in the compact shape the statistics read.

    ``as_of`` is the reference date of the report (exits and situations after it are not
    counted); today when not given.
    """
    items = list(questionnaire.items.select_related("scale").order_by("order", "id"))
    choices_by_scale: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(scale__questionnaire=questionnaire).order_by(
            "scale_id", "order", "id"):
        choices_by_scale.setdefault(choice.scale_id, []).append(choice)
    item_meta = tuple(
        ItemMeta(
            code=item.code, text=item.text, dimension=item.dimension,
            choices=ChoiceSet(
                codes=tuple(c.code for c in choices_by_scale.get(item.scale_id, [])),
                labels=tuple(c.label for c in choices_by_scale.get(item.scale_id, [])),
                scores=np.array([np.nan if c.score is None else c.score
                                 for c in choices_by_scale.get(item.scale_id, [])], dtype=float),
            ),
        )
        for item in items
    )
    waves = list(questionnaire.waves.order_by("number"))

    responses = list(
        Response.objects.filter(questionnaire=questionnaire)
        .order_by("id").values_list("id", "beneficiary_id", "wave__number", "answered_on")
    )
    response_ids = np.array([r[0] for r in responses], dtype=np.int64)
    beneficiary_ids, beneficiary_index = np.unique(
        np.array([r[1] for r in responses], dtype=np.int64), return_inverse=True)
    answers = np.full((len(responses), len(items)), NO_ANSWER, dtype=np.int16)

    rows = _answers_fetch(questionnaire)
    if rows.size:
        item_column = np.full(max(item.id for item in items) + 1, -1, dtype=np.int64)
        item_column[[item.id for item in items]] = np.arange(len(items))
        all_choices = [c for group in choices_by_scale.values() for c in group]
        choice_position = np.full(max(c.id for c in all_choices) + 1, NO_ANSWER, dtype=np.int16)
        for group in choices_by_scale.values():
            choice_position[[c.id for c in group]] = np.arange(len(group))
        answers[np.searchsorted(response_ids, rows[:, 0]), item_column[rows[:, 1]]] = (
            choice_position[rows[:, 2]])

    # Age at the first response, so that a report does not change with the calendar.
    first_answer: dict[int, dt.date] = {}
    for _id, beneficiary_id, _wave, answered_on in responses:
        known = first_answer.get(beneficiary_id)
        if known is None or answered_on < known:
            first_answer[beneficiary_id] = answered_on
    profile = {
        pk: rest for pk, *rest in
        Beneficiary.objects.filter(responses__questionnaire=questionnaire).distinct()
        .values_list("id", "gender", "education_level", "programme", "counsellor_id",
                     "birth_year", "exit_date", "exit_reason", "situation_6_months")
    }
    ordered = beneficiary_ids.tolist()
    columns = list(zip(*(profile[pk] for pk in ordered), strict=True)) or [()] * 8
    (gender, education, programme, counsellor, birth_year, exit_date, exit_reason,
     situation) = columns
    segments = {
        "gender": np.array(gender, dtype=object).astype(str),
        "age_group": np.array(
            [_age_group(year, first_answer[pk]) for year, pk in zip(birth_year, ordered,
                                                                     strict=True)],
            dtype=object).astype(str),
        "education": np.array(education, dtype=object).astype(str),
        "programme": np.array(programme, dtype=object).astype(str),
        "counsellor": np.array(["" if c is None else str(c) for c in counsellor],
                               dtype=object).astype(str),
    }
    return SurveyData(
        questionnaire=questionnaire.code,
        waves=tuple(w.number for w in waves),
        wave_labels=tuple(w.label for w in waves),
        items=item_meta,
        answers=answers,
        response_beneficiary=beneficiary_index.astype(np.int64),
        response_wave=np.array([r[2] for r in responses], dtype=np.int64),
        response_answered_on=np.array([r[3] for r in responses], dtype="datetime64[D]"),
        n_beneficiaries=len(beneficiary_ids),
        beneficiary_segments=segments,
        beneficiary_exit_date=np.array(exit_date, dtype="datetime64[D]"),  # None → NaT
        beneficiary_exit_reason=np.array(exit_reason, dtype=object).astype(str),
        beneficiary_situation_6_months=np.array(situation, dtype=object).astype(str),
        wave_due_after_days=tuple(int(w.due_after_days) for w in waves),
        wave_at_exit=tuple(bool(w.at_exit) for w in waves),
        as_of=np.datetime64(as_of or timezone.localdate(), "D"),
    )
