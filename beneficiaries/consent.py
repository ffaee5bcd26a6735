"""A person's consents (data processing, contact, quotes) and email address.

Written like the other edits of a person's record (services.py): only the fields the user
changed, onto the version the form was opened at; a field a colleague changed differently
meanwhile refuses the save and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.db.models import F

from beneficiaries.models import Beneficiary

CONSENT_FIELDS = ("processing", "contact", "quotes", "email")
_STATE_SALT = "beneficiaries.consent.state"


class ConsentChangedMeanwhile(Exception):
    """A colleague changed one of the same consents differently since the form was opened."""

    def __init__(self, *, current: Beneficiary, fields: list[str]):
        super().__init__("consents changed meanwhile")
        self.current, self.fields = current, fields


def consent_state(beneficiary: Beneficiary) -> dict[str, str]:
    """The consents as the form shows them (text, to compare with what a form sent)."""
    return {"processing": "1" if beneficiary.consent_processing_on else "",
            "contact": "1" if beneficiary.consent_contact else "",
            "quotes": "1" if beneficiary.consent_quotes else "",
            "email": beneficiary.email}


def consent_state_sign(beneficiary: Beneficiary) -> str:
    """The consents as shown, tamper-proof, for the form's hidden field."""
    return signing.dumps(consent_state(beneficiary), salt=_STATE_SALT)


def consent_state_unsign(value: str) -> dict[str, str] | None:
    """The consents a form showed; None when missing or altered."""
    try:
        state = signing.loads(value, salt=_STATE_SALT)
    except signing.BadSignature:
        return None
    return state if isinstance(state, dict) else None


@transaction.atomic
def beneficiary_consent_record(
    *, beneficiary: Beneficiary, data: dict[str, Any], recorded_by: AbstractBaseUser | None,
    today: dt.date, shown: dict[str, str] | None = None,
) -> list[str]:
    """Record the consents the user changed from ``shown``; returns the changed fields.

    ``data`` holds ``processing`` (bool), ``processing_on`` (date, default ``today``),
    ``contact``, ``quotes`` (bools) and ``email``. Giving the consent to data processing
    records its date and who recorded it; withdrawing it withdraws contact and quotes too.
    ConsentChangedMeanwhile when a colleague changed one of the same fields differently.
    """
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    saved = consent_state(locked)
    shown = saved if shown is None else shown
    typed = {"processing": "1" if data.get("processing") else "",
             "contact": "1" if data.get("contact") else "",
             "quotes": "1" if data.get("quotes") else "",
             "email": (data.get("email") or "").strip()}
    if not typed["processing"]:
        typed["contact"] = typed["quotes"] = ""
    mine = [name for name in CONSENT_FIELDS if typed[name] != shown.get(name, "")]
    conflicts = [name for name in mine
                 if saved[name] != shown.get(name, "") and saved[name] != typed[name]]
    if conflicts:
        raise ConsentChangedMeanwhile(current=locked, fields=conflicts)
    changed = [name for name in mine if typed[name] != saved[name]]
    if not changed:
        return []
    if "processing" in changed:
        given = bool(typed["processing"])
        locked.consent_processing_on = (data.get("processing_on") or today) if given else None
        locked.consent_processing_by = recorded_by if given else None
    if not locked.consent_processing_on:
        locked.consent_contact = locked.consent_quotes = False
    if "contact" in changed:
        locked.consent_contact = bool(typed["contact"])
    if "quotes" in changed:
        locked.consent_quotes = bool(typed["quotes"])
    if "email" in changed:
        locked.email = typed["email"]
    if not Beneficiary.objects.filter(pk=locked.pk, version=locked.version).update(
            version=F("version") + 1):
        raise RuntimeError("The record's version moved under a row lock.")
    locked.version += 1
    locked.save(update_fields=["consent_processing_on", "consent_processing_by",
                               "consent_contact", "consent_quotes", "email", "updated_at"])
    beneficiary.refresh_from_db()
    return changed
