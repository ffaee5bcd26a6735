"""Data protection (GDPR): what we hold on one person, erasing it, and how long we keep it."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from beneficiaries.models import Beneficiary, PrivacyAction
from organisations.models import Organisation
from questionnaires.models import Answer, Response

ANONYMOUS_PREFIX = "ANON-"
# Fields that could point at the person; cleared by an erasure that keeps the answers.
IDENTIFYING_FIELDS = {"first_name": "", "last_name": "", "birth_year": None, "gender": "",
                      "education_level": ""}


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
    return (user.get_full_name() or user.get_username()) if user else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def beneficiary_erase(
    *, beneficiary: Beneficiary, performed_by: AbstractBaseUser | None, keep_answers: bool
) -> PrivacyAction:
    """Erase the person (the right to erasure).

    With ``keep_answers`` their answers stay, under a random code and without anything that
    points at them, so that the organisation's statistics do not change; otherwise
    everything goes, responses and answers included. Past versions in the audit trail go too,
    since they hold the same data.
    """
    public_id, organisation = beneficiary.public_id, beneficiary.organisation
    if keep_answers:
        for name, value in IDENTIFYING_FIELDS.items():
            setattr(beneficiary, name, value)
        beneficiary.code = f"{ANONYMOUS_PREFIX}{uuid.uuid4().hex[:10].upper()}"
        beneficiary.save()
        latest = beneficiary.history.latest()
        beneficiary.history.exclude(pk=latest.pk).delete()
        kind = PrivacyAction.Kind.ERASE_KEEP_ANSWERS
    else:
        response_ids = list(beneficiary.responses.values_list("id", flat=True))
        beneficiary_id = beneficiary.pk
        # Deleting records "deleted" versions in the audit trail: remove them afterwards.
        Answer.objects.filter(response_id__in=response_ids).delete()
        Response.objects.filter(id__in=response_ids).delete()
        beneficiary.delete()
        Answer.history.filter(response_id__in=response_ids).delete()
        Response.history.filter(id__in=response_ids).delete()
        Beneficiary.history.filter(id=beneficiary_id).delete()
        kind = PrivacyAction.Kind.ERASE_ALL
    return PrivacyAction.objects.create(
        organisation=organisation, beneficiary_public_id=public_id, kind=kind,
        performed_by=performed_by)


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
