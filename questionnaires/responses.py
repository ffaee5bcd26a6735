"""Writing one response from the entry form: create it once, edit it with every change recorded.

Answers are saved one object at a time (never in bulk) so that django-simple-history records
each change with who made it and when (the request's user, through HistoryRequestMiddleware).

A double click or a resubmitted page must never make a second response. The database
refuses it (``one_response_per_wave``); the form carries a token, written as the change
reason of the response's creation record, so that a second submission of the same form is
recognised and simply shown the response it already saved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from beneficiaries.models import Beneficiary
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response, Wave

ENTRY_REASON = "entry"
BASELINE_REASON = "baseline"


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    # The same form was submitted again (double click, resubmitted page): nothing written.
    ALREADY_SAVED = "already_saved"
    # Someone else saved this wave while the form was being filled: nothing written.
    SAVED_MEANWHILE = "saved_meanwhile"


@dataclass(frozen=True)
class EntryResult:
    response: Response
    outcome: str
    changes: int = 0


def entry_token_new() -> str:
    return uuid.uuid4().hex


def _entry_reason(token: str) -> str:
    return f"{ENTRY_REASON} {token}"[:100]


def _check_answers(*, questionnaire: Questionnaire, wave: Wave,
                   choices: Mapping[Item, Choice | None]) -> None:
    if wave.questionnaire_id != questionnaire.pk:
        raise ValueError("The wave belongs to another questionnaire.")
    for item, choice in choices.items():
        if item.questionnaire_id != questionnaire.pk:
            raise ValueError(f"Item {item.code} belongs to another questionnaire.")
        if choice is not None and choice.scale_id != item.scale_id:
            raise ValueError(f"Choice {choice.code} is not in the scale of item {item.code}.")


@transaction.atomic
def response_create(
    *, beneficiary: Beneficiary, questionnaire: Questionnaire, wave: Wave,
    answered_on: dt.date, choices: Mapping[Item, Choice | None], entered_by, token: str,
) -> Response:
    """A new response with its answers (None = not answered); IntegrityError if one exists."""
    _check_answers(questionnaire=questionnaire, wave=wave, choices=choices)
    if beneficiary.organisation_id != questionnaire.organisation_id:
        raise ValueError("The beneficiary belongs to another organisation.")
    response = Response(beneficiary=beneficiary, questionnaire=questionnaire, wave=wave,
                        answered_on=answered_on, entered_by=entered_by)
    response._change_reason = _entry_reason(token)
    response.save()
    for item, choice in choices.items():
        if choice is None:
            continue
        answer = Answer(response=response, item=item, choice=choice)
        answer._change_reason = ENTRY_REASON
        answer.save()
    return response


def _history_baseline(*, response: Response, answers: list[Answer]) -> None:
    """Record the state before a first edit of rows written without history (demo seed).

    The demo seed writes in bulk, without history; without this baseline the first edit of a
    seeded answer would show its new value but not the old one.
    """
    if not Response.history.filter(id=response.pk).exists():
        Response.history.bulk_history_create([response], default_change_reason=BASELINE_REASON)
    recorded = set(Answer.history.filter(id__in=[a.pk for a in answers])
                   .values_list("id", flat=True))
    missing = [a for a in answers if a.pk not in recorded]
    if missing:
        Answer.history.bulk_history_create(missing, default_change_reason=BASELINE_REASON)


@transaction.atomic
def response_update(
    *, response: Response, answered_on: dt.date, choices: Mapping[Item, Choice | None],
) -> int:
    """Apply the form to a saved response, one object at a time; returns the number of changes."""
    _check_answers(questionnaire=response.questionnaire, wave=response.wave, choices=choices)
    response = Response.objects.select_for_update().get(pk=response.pk)
    existing = {a.item_id: a for a in Answer.objects.filter(response=response)}
    changed_answers = [existing[item.pk] for item, choice in choices.items()
                       if item.pk in existing and existing[item.pk].choice_id != (
                           choice.pk if choice else None)]
    if not changed_answers and response.answered_on == answered_on and not any(
            choice is not None and item.pk not in existing for item, choice in choices.items()):
        return 0
    _history_baseline(response=response, answers=changed_answers)
    changes = 0
    if response.answered_on != answered_on:
        response.answered_on = answered_on
        response.save(update_fields=["answered_on", "updated_at"])
        changes += 1
    for item, choice in choices.items():
        answer = existing.get(item.pk)
        if answer is None and choice is not None:
            Answer(response=response, item=item, choice=choice).save()
        elif answer is not None and choice is None:
            answer.delete()
        elif answer is not None and answer.choice_id != choice.pk:
            answer.choice = choice
            answer.save()
        else:
            continue
        changes += 1
    return changes


def _same_submission(*, response: Response, token: str) -> bool:
    """Whether this response was created by the form carrying ``token``."""
    return Response.history.filter(
        id=response.pk, history_type="+", history_change_reason=_entry_reason(token)
    ).exists()


def response_entry_save(
    *, beneficiary: Beneficiary, questionnaire: Questionnaire, wave: Wave,
    editing: uuid.UUID | None, answered_on: dt.date, choices: Mapping[Item, Choice | None],
    entered_by, token: str,
) -> EntryResult:
    """What the entry form's submission does: create, update, or recognise a repeat.

    ``editing`` is the response the form was showing when it was rendered (None for a new
    one). Each write is its own transaction, so that a refusal by the database leaves the
    connection usable to read what won.
    """
    lookup = {"beneficiary": beneficiary, "questionnaire": questionnaire, "wave": wave}
    existing = Response.objects.filter(**lookup).first()
    if existing is None:
        try:
            response = response_create(
                beneficiary=beneficiary, questionnaire=questionnaire, wave=wave,
                answered_on=answered_on, choices=choices, entered_by=entered_by, token=token)
        except IntegrityError:
            existing = Response.objects.filter(**lookup).first()
            if existing is None:
                raise
        else:
            return EntryResult(response, Outcome.CREATED, len(choices))
    if editing is not None and existing.public_id == editing:
        changes = response_update(response=existing, answered_on=answered_on, choices=choices)
        return EntryResult(existing, Outcome.UPDATED if changes else Outcome.UNCHANGED, changes)
    if _same_submission(response=existing, token=token):
        return EntryResult(existing, Outcome.ALREADY_SAVED)
    return EntryResult(existing, Outcome.SAVED_MEANWHILE)
