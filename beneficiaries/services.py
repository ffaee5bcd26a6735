"""Writing a person's record. Each save goes through the ORM so that history records it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from analysis.outcomes import SITUATION_AFTER_DAYS
from beneficiaries.models import Beneficiary
from organisations.models import Organisation

EDITABLE_FIELDS = ("code", "first_name", "last_name", "counsellor", "entry_date", "programme",
                   "gender", "birth_year", "education_level")
# Text fields store "" rather than NULL for "not given".
TEXT_FIELDS = ("first_name", "last_name", "programme", "gender", "education_level")


def _field_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: (data.get(name) or "") if name in TEXT_FIELDS else data.get(name)
            for name in EDITABLE_FIELDS}


@transaction.atomic
def beneficiary_create(*, organisation: Organisation, data: dict[str, Any]) -> Beneficiary:
    """A new person of the organisation from the form's cleaned data."""
    beneficiary = Beneficiary(organisation=organisation, **_field_values(data))
    beneficiary.save()
    return beneficiary


@transaction.atomic
def beneficiary_update(*, beneficiary: Beneficiary, data: dict[str, Any]) -> list[str]:
    """Change the record's fields; returns the names that changed (nothing saved if none)."""
    changed = []
    for name, value in _field_values(data).items():
        if getattr(beneficiary, name) != value:
            setattr(beneficiary, name, value)
            changed.append(name)
    if changed:
        beneficiary.save()
    return changed


@transaction.atomic
def beneficiary_exit_record(
    *, beneficiary: Beneficiary, exit_date: dt.date, exit_reason: str,
) -> Beneficiary:
    """The person leaves the support: their waves not done become "not applicable"."""
    beneficiary.exit_date = exit_date
    beneficiary.exit_reason = exit_reason
    beneficiary.save()
    return beneficiary


@transaction.atomic
def beneficiary_exit_cancel(*, beneficiary: Beneficiary) -> Beneficiary:
    """The exit was recorded by mistake, or the person came back: they are active again.

    Their situation six months after that exit goes with it (it needs an exit date).
    """
    beneficiary.exit_date = None
    beneficiary.exit_reason = ""
    beneficiary.situation_6_months = ""
    beneficiary.situation_recorded_on = None
    beneficiary.save()
    return beneficiary


def situation_due_on(*, exit_date: dt.date | None) -> dt.date | None:
    """The day the situation six months after the exit can be recorded (None: no exit)."""
    if exit_date is None:
        return None
    return exit_date + dt.timedelta(days=SITUATION_AFTER_DAYS)


class SituationChangedMeanwhile(Exception):
    """Someone recorded another situation since the form was opened; nothing was written."""

    def __init__(self, current: str):
        super().__init__(current)
        self.current = current


@transaction.atomic
def beneficiary_situation_record(
    *, beneficiary: Beneficiary, situation: str, today: dt.date, seen: str | None = None,
) -> bool:
    """Record the person's situation six months after their exit ("" clears it).

    The date it was recorded is ``today`` when the situation changes, kept otherwise.
    Returns whether anything changed. ``seen`` is the situation the form showed: if a
    colleague recorded another one since, SituationChangedMeanwhile is raised rather than
    silently replacing theirs (the row is read under a lock, so two saves cannot both pass).
    """
    current = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if current.situation_6_months == situation:
        return False
    if seen is not None and current.situation_6_months != seen:
        raise SituationChangedMeanwhile(current.situation_6_months)
    current.situation_6_months = situation
    current.situation_recorded_on = today if situation else None
    current.save()
    beneficiary.situation_6_months = current.situation_6_months
    beneficiary.situation_recorded_on = current.situation_recorded_on
    return True
