"""Writing one response from the entry form: create it once, edit it with every change recorded.

Answers are saved one object at a time (never in bulk) so that django-simple-history records
each change with who made it and when (the request's user, through HistoryRequestMiddleware).

A double click or a resubmitted page must never make a second response. The database
refuses it (``one_response_per_wave``); the form carries a token, written as the change
reason of the response's creation record, so that a second submission of the same form is
recognised and simply shown the response it already saved.

A stale page never overwrites a colleague (optimistic concurrency). The form carries the
response's ``version`` when it was opened and the values it showed (its "state"): only what
the user changed from those values is written. When someone else saved since, changes to
different answers are merged; the same answer changed both ways is a conflict, nothing is
written and the user is shown both values, answer by answer, to choose.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F

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
    # Someone else saved this wave while the form was being filled and some answers differ:
    # nothing written, both versions shown.
    SAVED_MEANWHILE = "saved_meanwhile"
    # Someone else changed the response since the form was opened, on other answers than
    # the user: the user's changes were written beside theirs.
    MERGED = "merged"
    # Someone else changed the same answers differently since the form was opened: nothing
    # written, both versions shown.
    CONFLICT = "conflict"


# A response's values as the form shows them: "answered_on" (ISO date) and one key per item
# code (choice code, None when unanswered). "answered_on" cannot be an item code
# (definitions.py reserves it).
State = dict[str, str | None]
DATE_KEY = "answered_on"
_STATE_SALT = "questionnaires.responses.state"


@dataclass(frozen=True)
class AnswerDiff:
    """One value as the form showed it, as saved now (theirs) and as typed (mine)."""

    key: str
    shown: str | None
    theirs: str | None
    mine: str | None


@dataclass(frozen=True)
class EditConflict:
    """What the user is shown when the response changed since their form was opened."""

    version: int
    saved: State
    # The user's changes kept, the colleague's other changes taken in: what the form shows.
    merged: State
    conflicts: tuple[AnswerDiff, ...]
    # The colleague's changes to values the user did not touch.
    theirs_only: tuple[AnswerDiff, ...]
    changed_by: object | None = None


@dataclass(frozen=True)
class EntryResult:
    response: Response
    outcome: str
    changes: int = 0
    conflict: EditConflict | None = None
    # The colleague's changes kept beside the user's (outcome MERGED).
    theirs_kept: tuple[AnswerDiff, ...] = field(default=())


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


def response_state(*, response: Response | None, items: Iterable[Item]) -> State:
    """The values a form shows for ``response`` (None: an empty form shows nothing)."""
    if response is None:
        return {}
    given = {a.item_id: a.choice.code for a in response.answers.select_related("choice")}
    return {DATE_KEY: response.answered_on.isoformat(),
            **{item.code: given.get(item.pk) for item in items}}


def state_sign(state: State) -> str:
    """``state`` as a tamper-proof string for the form's hidden field."""
    return signing.dumps(state, salt=_STATE_SALT, compress=True)


def state_unsign(value: str) -> State | None:
    """The state a form carried; None when it is missing or was altered."""
    if not value:
        return {}
    try:
        state = signing.loads(value, salt=_STATE_SALT)
    except signing.BadSignature:
        return None
    return state if isinstance(state, dict) else None


def _typed_state(*, answered_on: dt.date, choices: Mapping[Item, Choice | None]) -> State:
    return {DATE_KEY: answered_on.isoformat(),
            **{item.code: choice.code if choice else None for item, choice in choices.items()}}


def _state_compare(*, shown: State, saved: State, typed: State,
                   version_changed: bool) -> tuple[dict[str, str | None], EditConflict | None,
                                                   tuple[AnswerDiff, ...]]:
    """What to write, the conflict if any, and the colleague's changes kept.

    Only values the user changed from what their form showed are written; when the response
    changed since (``version_changed``), a value both changed differently is a conflict.
    """
    keys = list(dict.fromkeys([*typed, *saved]))
    mine = {k for k in typed if typed[k] != shown.get(k)}
    theirs = {k for k in keys if version_changed and saved.get(k) != shown.get(k)}
    conflicts = tuple(AnswerDiff(k, shown.get(k), saved.get(k), typed.get(k))
                      for k in keys if k in mine and k in theirs
                      and typed[k] != saved.get(k))
    theirs_only = tuple(AnswerDiff(k, shown.get(k), saved.get(k), typed.get(k))
                        for k in keys if k in theirs and k not in mine)
    if conflicts:
        merged = {k: typed[k] if k in mine else saved.get(k) for k in keys}
        return {}, EditConflict(version=0, saved=saved, merged=merged, conflicts=conflicts,
                                theirs_only=theirs_only), theirs_only
    writes = {k: typed[k] for k in keys if k in mine and typed[k] != saved.get(k)}
    return writes, None, theirs_only


def _last_editor(response: Response):
    """Who wrote the response last (an answer or its date), None for an import without user."""
    records = [r for r in (
        Response.history.filter(id=response.pk).order_by("-history_date").first(),
        Answer.history.filter(response_id=response.pk).order_by("-history_date").first(),
    ) if r is not None]
    if not records:
        return response.entered_by
    return max(records, key=lambda r: r.history_date).history_user


class VersionMoved(Exception):
    """The response's version changed under a conditional write (only without row locks)."""


@transaction.atomic
def response_update(
    *, response: Response, version: int | None, shown: State | None, answered_on: dt.date,
    choices: Mapping[Item, Choice | None], meanwhile: bool = False,
) -> EntryResult:
    """Write the values the user changed from ``shown`` onto a saved response.

    ``version`` is the response's version when the form was opened and ``shown`` its values
    then (None: the response as it is now). Nothing is written when
    a value the user changed was also changed differently since (outcome CONFLICT, or
    SAVED_MEANWHILE when the response did not exist when the form was opened).
    """
    _check_answers(questionnaire=response.questionnaire, wave=response.wave, choices=choices)
    locked = Response.objects.select_for_update().get(pk=response.pk)
    existing = {a.item_id: a for a in Answer.objects.filter(response=locked)
                .select_related("choice")}
    by_code = {item.code: item for item in choices}
    saved = {DATE_KEY: locked.answered_on.isoformat(),
             **{item.code: existing[item.pk].choice.code if item.pk in existing else None
                for item in choices}}
    if version is None or shown is None:
        version, shown = locked.version, saved
    changed_since = locked.version != version
    writes, conflict, theirs_kept = _state_compare(
        shown=shown, saved=saved, typed=_typed_state(answered_on=answered_on, choices=choices),
        version_changed=changed_since)
    if conflict is not None:
        conflict = EditConflict(version=locked.version, saved=saved, merged=conflict.merged,
                                conflicts=conflict.conflicts, theirs_only=conflict.theirs_only,
                                changed_by=_last_editor(locked))
        return EntryResult(locked, Outcome.SAVED_MEANWHILE if meanwhile else Outcome.CONFLICT,
                           conflict=conflict)
    if not writes:
        return EntryResult(locked, Outcome.UNCHANGED)
    _history_baseline(response=locked, answers=[
        existing[by_code[k].pk] for k in writes if k != DATE_KEY and by_code[k].pk in existing])
    # The conditional write: the row is locked, so it only fails without row locks.
    if not Response.objects.filter(pk=locked.pk, version=locked.version).update(
            version=F("version") + 1):
        raise VersionMoved
    locked.version += 1
    if DATE_KEY in writes:
        locked.answered_on = answered_on
        locked.save(update_fields=["answered_on", "updated_at"])
    for code in writes:
        if code == DATE_KEY:
            continue
        item, choice = by_code[code], choices[by_code[code]]
        answer = existing.get(item.pk)
        if answer is None:
            Answer(response=locked, item=item, choice=choice).save()
        elif choice is None:
            answer.delete()
        else:
            answer.choice = choice
            answer.save()
    outcome = Outcome.MERGED if changed_since else Outcome.UPDATED
    return EntryResult(locked, outcome, len(writes), theirs_kept=theirs_kept)


def _same_submission(*, response: Response, token: str) -> bool:
    """Whether this response was created by the form carrying ``token``."""
    return Response.history.filter(
        id=response.pk, history_type="+", history_change_reason=_entry_reason(token)
    ).exists()


def response_entry_save(
    *, beneficiary: Beneficiary, questionnaire: Questionnaire, wave: Wave,
    editing: uuid.UUID | None, version: int | None = None, shown: State | None = None,
    answered_on: dt.date, choices: Mapping[Item, Choice | None], entered_by, token: str,
) -> EntryResult:
    """What the entry form's submission does: create, update, merge, refuse, or recognise.

    ``editing`` is the response the form was showing when it was rendered (None for a new
    one), ``version`` and ``shown`` its version and values then. Each write is its own
    transaction, so that a refusal by the database leaves the connection usable to read
    what won.
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
        # A client that sends no version (not our pages) edits the response as it is now.
        return response_update(response=existing, version=version, shown=shown,
                               answered_on=answered_on, choices=choices)
    if _same_submission(response=existing, token=token):
        return EntryResult(existing, Outcome.ALREADY_SAVED)
    # Saved by someone else since this empty form was opened: it showed nothing.
    return response_update(response=existing, version=0, shown={}, answered_on=answered_on,
                           choices=choices, meanwhile=True)
