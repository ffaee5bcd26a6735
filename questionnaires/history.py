"""The history of a questionnaire's definition: who changed what, when, old → new."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from organisations.users import user_display_name
from questionnaires.models import Choice, Item, Questionnaire, Scale, Wave
from questionnaires.services import MEANING_UNCHANGED_REASON

# The fields whose changes are shown, per model (ids and timestamps are not news).
TRACKED = {
    Questionnaire: ("title", "status", "exit_window_days"),
    Wave: ("label", "due_after_days", "at_exit"),
    Scale: ("key",),
    Choice: ("code", "label", "score", "order"),
    Item: ("code", "text", "dimension", "scale_id", "order"),
}
MAX_ENTRIES = 500


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: object
    new: object


@dataclass(frozen=True)
class HistoryEntry:
    date: dt.datetime
    user: str
    kind: str  # "+", "~" or "-"
    subject: str
    changes: tuple[FieldChange, ...] = field(default_factory=tuple)
    meaning_confirmed: bool = False
    initial: bool = False


def _subject(model, record, scale_keys: dict[int, str]) -> str:
    if model is Questionnaire:
        return _("Questionnaire")
    if model is Wave:
        return _("Wave %(number)s") % {"number": record.number}
    if model is Scale:
        return _("Scale “%(key)s”") % {"key": record.key}
    if model is Choice:
        return _("Choice %(code)s of scale “%(scale)s”") % {
            "code": record.code, "scale": scale_keys.get(record.scale_id, "?")}
    return _("Item %(code)s") % {"code": record.code}


def _records(questionnaire: Questionnaire) -> dict:
    scale_ids = set(Scale.history.filter(questionnaire_id=questionnaire.pk)
                    .values_list("id", flat=True))
    return {
        Questionnaire: Questionnaire.history.filter(id=questionnaire.pk),
        Wave: Wave.history.filter(questionnaire_id=questionnaire.pk),
        Scale: Scale.history.filter(questionnaire_id=questionnaire.pk),
        Choice: Choice.history.filter(scale_id__in=scale_ids),
        Item: Item.history.filter(questionnaire_id=questionnaire.pk),
    }


def definition_history(*, questionnaire: Questionnaire) -> list[HistoryEntry]:
    """Every recorded change of the questionnaire, its waves, scales, choices and items,
    newest first (at most MAX_ENTRIES), each with the fields that changed, old → new."""
    records = {model: list(queryset.select_related("history_user")
                           .order_by("history_date", "history_id"))
               for model, queryset in _records(questionnaire).items()}
    scale_keys = {r.id: r.key for r in records[Scale]}
    entries = []
    for model, rows in records.items():
        previous: dict[int, object] = {}
        for record in rows:
            before = previous.get(record.id)
            previous[record.id] = record
            changes = ()
            if record.history_type == "~" and before is not None:
                changes = tuple(
                    FieldChange(name=_field_label(model, name),
                                old=_shown(name, getattr(before, name), scale_keys),
                                new=_shown(name, getattr(record, name), scale_keys))
                    for name in TRACKED[model]
                    if getattr(before, name) != getattr(record, name))
                if not changes:
                    continue
            user = record.history_user
            entries.append(HistoryEntry(
                date=record.history_date,
                user=user_display_name(user) if user else "",
                kind=record.history_type, subject=_subject(model, record, scale_keys),
                changes=changes,
                meaning_confirmed=record.history_change_reason == MEANING_UNCHANGED_REASON,
                initial=record.history_change_reason == "initial version"))
    entries.sort(key=lambda e: e.date, reverse=True)
    return entries[:MAX_ENTRIES]


def _field_label(model, name: str) -> str:
    return str(model._meta.get_field(name.removesuffix("_id")).verbose_name)


def _shown(name: str, value, scale_keys: dict[int, str]):
    if name == "scale_id":
        return scale_keys.get(value, value)
    return "—" if value is None else value

