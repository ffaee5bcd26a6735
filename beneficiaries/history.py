"""A person's history: every recorded change to them and their responses, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from beneficiaries.models import Beneficiary
from organisations.users import user_display_name
from questionnaires.models import Answer, Choice, Item, Response, Wave


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
                  "education_level", "programme", "email", "consent_processing_on",
                  "consent_contact", "consent_quotes")


def _user_label(user) -> str:
    if user is None:
        return _("the system (import or administration)")
    return user_display_name(user)


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
                elif isinstance(old, bool):
                    old, new = (_("yes") if v else _("no") for v in (old, new))
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
