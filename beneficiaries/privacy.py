"""Data protection (GDPR): what we hold on one person, erasing it, and how long we keep it."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from beneficiaries.models import Beneficiary, PrivacyAction
from organisations.models import KeptForm, Organisation
from organisations.users import user_display_name
from questionnaires.models import Answer, Response
from questionnaires.uploads import pending_uploads_purge

ANONYMOUS_PREFIX = "ANON-"
ERASED = "—"  # what the admin log shows of an object erased with its person
# Fields that could point at the person; cleared by an erasure that keeps the answers.
IDENTIFYING_FIELDS = {"first_name": "", "last_name": "", "birth_year": None, "gender": "",
                      "education_level": "", "programme": "", "counsellor": None,
                      "exit_reason": "", "situation_6_months": "", "situation_recorded_on": None,
                      "email": "", "consent_processing_by": None, "consent_contact": False,
                      "consent_quotes": False}


def _history(records) -> list[dict]:
    return [
        {
            "date": record.history_date.isoformat(),
            "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
            "by": record.history_user.get_username() if record.history_user else None,
        }
        for record in records
    ]


@transaction.atomic
def beneficiary_data_export(
    *, beneficiary: Beneficiary, performed_by: AbstractBaseUser | None
) -> dict:
    """Everything held on the person, as JSON-ready data (the right of access)."""
    responses = (
        Response.objects.filter(beneficiary=beneficiary)
        .select_related("questionnaire", "wave", "entered_by")
        .prefetch_related("answers__item", "answers__choice")
        .order_by("questionnaire__code", "wave__number")
    )
    data = {
        "organisation": beneficiary.organisation.name,
        "exported_at": timezone.now().isoformat(),
        "person": {
            "code": beneficiary.code,
            "first_name": beneficiary.first_name,
            "last_name": beneficiary.last_name,
            "counsellor": _full_name(beneficiary.counsellor),
            "entry_date": _iso(beneficiary.entry_date),
            "exit_date": _iso(beneficiary.exit_date),
            "exit_reason": beneficiary.get_exit_reason_display() or None,
            "situation_6_months": beneficiary.get_situation_6_months_display() or None,
            "situation_recorded_on": _iso(beneficiary.situation_recorded_on),
            "gender": beneficiary.get_gender_display() or None,
            "birth_year": beneficiary.birth_year,
            "education_level": beneficiary.get_education_level_display() or None,
            "programme": beneficiary.programme or None,
            "email": beneficiary.email or None,
            "consents": {
                "data_processing": {
                    "given_on": _iso(beneficiary.consent_processing_on),
                    "recorded_by": _full_name(beneficiary.consent_processing_by),
                },
                "contact_for_reminders": beneficiary.consent_contact,
                "quotes_in_reports": beneficiary.consent_quotes,
            },
            "history": _history(beneficiary.history.select_related("history_user")),
        },
        "responses": [
            {
                "questionnaire": response.questionnaire.title,
                "wave": response.wave.label,
                "answered_on": response.answered_on.isoformat(),
                "entered_by": _full_name(response.entered_by),
                "answers": [
                    {"item": answer.item.text, "answer": answer.choice.label}
                    for answer in sorted(response.answers.all(), key=lambda a: a.item.order)
                ],
                "history": _history(response.history.select_related("history_user")),
            }
            for response in responses
        ],
    }
    PrivacyAction.objects.create(
        organisation=beneficiary.organisation, beneficiary_public_id=beneficiary.public_id,
        kind=PrivacyAction.Kind.EXPORT, performed_by=performed_by)
    return data


def _full_name(user: AbstractBaseUser | None) -> str | None:
    return user_display_name(user) if user else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _month(value: dt.date | None) -> dt.date | None:
    return value.replace(day=1) if value else None


def _month_time(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0) if value else None


def _admin_log_scrub(*, model, object_ids: list[int], representation: str) -> None:
    """Admin log entries about these objects keep their action and date, not their names."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id__in=[str(pk) for pk in object_ids],
    ).update(object_repr=representation, change_message="")


@transaction.atomic
def beneficiary_erase(
    *, beneficiary: Beneficiary, performed_by: AbstractBaseUser | None, keep_answers: bool
) -> PrivacyAction:
    """Erase the person (the right to erasure).

    With ``keep_answers`` their answers stay so that the organisation's statistics do not
    change, but nothing leads back to them: a random code and a new public id (old links
    show nothing), no programme nor counsellor, dates kept to the month only, no exit reason,
    answers no longer signed by whoever entered them. Otherwise everything goes, responses
    and answers included.

    Either way the audit trail loses the person's past versions, the admin log their names,
    the privacy log their old public id, and the organisation's uploads waiting for
    confirmation (which may name them) are deleted.
    """
    old_public_id, organisation = beneficiary.public_id, beneficiary.organisation
    beneficiary_id = beneficiary.pk
    response_ids = list(beneficiary.responses.values_list("id", flat=True))
    answer_ids = list(Answer.objects.filter(response_id__in=response_ids)
                      .values_list("id", flat=True))
    if keep_answers:
        for name, value in IDENTIFYING_FIELDS.items():
            setattr(beneficiary, name, value)
        beneficiary.code = f"{ANONYMOUS_PREFIX}{uuid.uuid4().hex[:10].upper()}"
        beneficiary.public_id = uuid.uuid4()
        beneficiary.entry_date = _month(beneficiary.entry_date)
        beneficiary.exit_date = _month(beneficiary.exit_date)
        beneficiary.consent_processing_on = _month(beneficiary.consent_processing_on)
        beneficiary.save()
        Beneficiary.objects.filter(pk=beneficiary_id).update(
            created_at=_month_time(beneficiary.created_at),
            updated_at=_month_time(beneficiary.created_at))
        latest = beneficiary.history.latest()
        beneficiary.history.exclude(pk=latest.pk).delete()
        beneficiary.history.filter(pk=latest.pk).update(
            created_at=_month_time(beneficiary.created_at), history_user=None,
            history_date=_month_time(latest.history_date), history_change_reason=None)
        responses = list(Response.objects.filter(id__in=response_ids))
        for response in responses:
            response.public_id = uuid.uuid4()
            response.answered_on = _month(response.answered_on)
            response.entered_by = None
            response.created_at = _month_time(response.created_at)
            response.updated_at = response.created_at
        # bulk_update writes no history and leaves updated_at as set here.
        Response.objects.bulk_update(responses, ["public_id", "answered_on", "entered_by",
                                                 "created_at", "updated_at"])
        _admin_log_scrub(model=Beneficiary, object_ids=[beneficiary_id],
                         representation=str(beneficiary))
        _admin_log_scrub(model=Response, object_ids=response_ids,
                         representation=str(beneficiary))
        kind = PrivacyAction.Kind.ERASE_KEEP_ANSWERS
    else:
        # Deleting records "deleted" versions in the audit trail: removed below with the rest.
        Answer.objects.filter(response_id__in=response_ids).delete()
        Response.objects.filter(id__in=response_ids).delete()
        beneficiary.delete()
        Beneficiary.history.filter(id=beneficiary_id).delete()
        _admin_log_scrub(model=Beneficiary, object_ids=[beneficiary_id],
                         representation=ERASED)
        _admin_log_scrub(model=Response, object_ids=response_ids, representation=ERASED)
        kind = PrivacyAction.Kind.ERASE_ALL
    Response.history.filter(id__in=response_ids).delete()
    Answer.history.filter(response_id__in=response_ids).delete()
    _admin_log_scrub(model=Answer, object_ids=answer_ids, representation=ERASED)
    PrivacyAction.objects.filter(beneficiary_public_id=old_public_id).update(
        beneficiary_public_id=None)
    # A form kept after a session ended names the person in its address for up to an hour.
    KeptForm.objects.filter(path__contains=str(old_public_id)).delete()
    # Not deferred to the commit: a rolled-back erasure only costs someone an upload again.
    pending_uploads_purge(organisation_id=organisation.pk)
    return PrivacyAction.objects.create(organisation=organisation, kind=kind,
                                        beneficiary_public_id=None, performed_by=performed_by)


def beneficiaries_past_retention(
    *, organisation: Organisation, today: dt.date | None = None
) -> QuerySet[Beneficiary]:
    """The organisation's people who left more than its retention period ago."""
    today = today or timezone.localdate()
    months = organisation.retention_months
    year, month = divmod(today.month - 1 - months, 12)
    limit_month_start = dt.date(today.year + year, month + 1, 1)
    # The same day ``months`` earlier, clamped to the end of a shorter month.
    day = min(today.day, _days_in_month(limit_month_start))
    limit = limit_month_start.replace(day=day)
    return Beneficiary.objects.filter(organisation=organisation, exit_date__lt=limit).exclude(
        code__startswith=ANONYMOUS_PREFIX)


def _days_in_month(first: dt.date) -> int:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - first).days
