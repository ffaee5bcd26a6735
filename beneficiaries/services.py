"""Writing a person's record. Each save goes through the ORM so that history records it.

An edit is written field by field onto the version the form was opened at (optimistic
concurrency): only the fields the user changed are written, a colleague's changes to other
fields are kept, and a field both changed differently refuses the save (nothing written).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import F

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


_STATE_SALT = "beneficiaries.services.record_state"


def _text(value: Any) -> str:
    """A field's value as the form shows it, to compare values from forms and the database."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def record_state(beneficiary: Beneficiary) -> dict[str, str]:
    """The editable fields as the edit form shows them."""
    return {name: _text(getattr(beneficiary, "counsellor_id" if name == "counsellor" else name))
            for name in EDITABLE_FIELDS}


def record_state_sign(beneficiary: Beneficiary) -> str:
    """The record's values, tamper-proof, for the edit form's hidden field."""
    return signing.dumps(record_state(beneficiary), salt=_STATE_SALT, compress=True)


def record_state_unsign(value: str) -> dict[str, str] | None:
    """The values an edit form carried; None when missing or altered."""
    try:
        state = signing.loads(value, salt=_STATE_SALT)
    except signing.BadSignature:
        return None
    return state if isinstance(state, dict) else None


@dataclass(frozen=True)
class RecordDiff:
    name: str
    shown: str
    theirs: str
    mine: str


class RecordEditConflict(Exception):
    """The record changed since the form was opened, on a field the user changed too."""

    def __init__(self, *, current: Beneficiary, conflicts: list[RecordDiff],
                 theirs_only: list[RecordDiff], changed_by):
        super().__init__("record changed meanwhile")
        self.current, self.conflicts = current, conflicts
        self.theirs_only, self.changed_by = theirs_only, changed_by


@transaction.atomic
def beneficiary_update(
    *, beneficiary: Beneficiary, data: dict[str, Any], version: int | None = None,
    shown: dict[str, str] | None = None,
) -> list[str]:
    """Write the fields the user changed from ``shown``; returns their names.

    ``version`` and ``shown`` are the record's version and values when the form was opened
    (None: the record as it is now). RecordEditConflict when a colleague changed one of
    the same fields differently since; nothing is written then.
    """
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    saved = record_state(locked)
    if shown is None or version is None:
        shown, version = saved, locked.version
    typed = _field_values(data)
    diffs = {name: RecordDiff(name, shown.get(name, ""), saved[name], _text(typed[name]))
             for name in EDITABLE_FIELDS}
    mine = [d for d in diffs.values() if d.mine != d.shown]
    theirs = [d for d in diffs.values() if locked.version != version and d.theirs != d.shown]
    conflicts = [d for d in mine if d in theirs and d.mine != d.theirs]
    if conflicts:
        last = locked.history.first()
        raise RecordEditConflict(current=locked, conflicts=conflicts,
                                 theirs_only=[d for d in theirs if d not in mine],
                                 changed_by=last.history_user if last else None)
    changed = [d.name for d in mine if d.mine != d.theirs]
    if not changed:
        return []
    if not Beneficiary.objects.filter(pk=locked.pk, version=locked.version).update(
            version=F("version") + 1):
        raise RuntimeError("The record's version moved under a row lock.")
    locked.version += 1
    for name in changed:
        setattr(locked, name, typed[name])
    locked.save(update_fields=[*changed, "updated_at"])
    beneficiary.refresh_from_db()
    return changed


def _version_next(beneficiary: Beneficiary) -> int:
    """The record's next version, its row locked until the transaction ends."""
    return Beneficiary.objects.select_for_update().values_list(
        "version", flat=True).get(pk=beneficiary.pk) + 1


@transaction.atomic
def beneficiary_exit_record(
    *, beneficiary: Beneficiary, exit_date: dt.date, exit_reason: str,
) -> Beneficiary:
    """The person leaves the support: their waves not done become "not applicable"."""
    beneficiary.exit_date = exit_date
    beneficiary.exit_reason = exit_reason
    beneficiary.version = _version_next(beneficiary)
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
    beneficiary.version = _version_next(beneficiary)
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
    current.version = _version_next(current)
    current.save()
    beneficiary.situation_6_months = current.situation_6_months
    beneficiary.situation_recorded_on = current.situation_recorded_on
    return True
