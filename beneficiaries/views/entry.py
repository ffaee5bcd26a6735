"""Entering one wave of a questionnaire for one person, with stale saves merged or
shown side by side."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from beneficiaries.entry import entry_items, items_by_dimension, response_saved
from beneficiaries.forms import ResponseEntryForm, item_field_name
from beneficiaries.views.consent import consent_form_for
from organisations.access import (
    beneficiary_for,
    membership_required,
    questionnaire_for,
    responses_for,
)
from organisations.kept import form_take, login_required_keeping_form
from organisations.users import user_display_name
from questionnaires.responses import (
    DATE_KEY,
    Outcome,
    entry_token_new,
    response_entry_save,
    response_state,
    state_sign,
)


@login_required_keeping_form
@require_http_methods(["GET", "POST"])
@membership_required("enter_responses")
def response_entry(request, org_slug, public_id, questionnaire_id, number):
    """One wave of a questionnaire for one person: an empty form, or the saved response."""
    membership = request.membership
    beneficiary = beneficiary_for(membership, public_id)
    questionnaire = questionnaire_for(membership, questionnaire_id, published=True)
    wave = questionnaire.waves.filter(number=number).first()
    if wave is None:
        return render(request, "beneficiaries/wave_missing.html", {
            "beneficiary": beneficiary, "questionnaire": questionnaire, "number": number,
            "waves": questionnaire.waves.all(), "org_slug": org_slug}, status=404)
    if not beneficiary.consents_to_processing and request.method == "GET":
        # Asked first, on this page, then back here: nothing is entered without it.
        return render(request, "beneficiaries/entry_consent.html", {
            "beneficiary": beneficiary, "questionnaire": questionnaire, "wave": wave,
            "consent_form": consent_form_for(beneficiary, next_url=request.path),
            "org_slug": org_slug})
    items = entry_items(questionnaire=questionnaire)
    saved = response_saved(responses=responses_for(membership), beneficiary=beneficiary,
                           questionnaire=questionnaire, wave=wave)
    result = None
    if request.method == "POST":
        form = ResponseEntryForm(request.POST, items=items)
        if not beneficiary.consents_to_processing:
            # Withdrawn while the form was open: what was typed stays, unsaved.
            messages.error(request, _(
                "No consent to data processing is recorded for this person: the answers "
                "were not saved. Record the consent on their page, then save again."))
        elif form.is_valid():
            result = response_entry_save(
                beneficiary=beneficiary, questionnaire=questionnaire, wave=wave,
                editing=form.cleaned_data["response"], version=form.cleaned_data["version"],
                shown=form.cleaned_data["shown"], answered_on=form.cleaned_data["answered_on"],
                choices={item: form.choice_of(item) for item in items},
                entered_by=request.user, token=form.cleaned_data["token"])
            if result.conflict is None:
                for level, text in _entry_messages(result):
                    messages.add_message(request, level, text)
                return redirect(request.path)
            # Nothing written: the form now edits the saved version, with what was typed.
            saved = response_saved(responses=responses_for(membership), beneficiary=beneficiary,
                                   questionnaire=questionnaire, wave=wave)
            form = ResponseEntryForm(_entry_conflict_data(request.POST, result, items),
                                     items=items)
    else:
        # Typed before the session ended (organisations/kept.py): shown again, not saved.
        restored = form_take(user=request.user, path=request.path)
        form = ResponseEntryForm(initial=restored or _entry_initial(saved, items), items=items)
        if restored:
            messages.warning(request, _(
                "Your answers typed before your session expired are back in the form. They "
                "are not saved yet: check them, then save."))
    conflict = _entry_conflict_context(result, items)
    return render(request, "beneficiaries/entry.html", {
        "beneficiary": beneficiary, "questionnaire": questionnaire, "wave": wave,
        "form": form, "saved": saved, "conflict": conflict, "org_slug": org_slug,
        **_entry_form_context(form, items, conflict),
    })


def _entry_form_context(form: ResponseEntryForm, items, conflict: dict | None) -> dict:
    """The form's radio groups by dimension, each radio beside its Choice, and its counts."""
    differing = {row["code"]: row for row in conflict["rows"]} if conflict else {}
    groups = []
    for group in items_by_dimension(items):
        fields = [form[item_field_name(item)] for item in group.items]
        groups.append((group.name, [
            (item, field, list(zip(field, item.scale.choices.all(), strict=True)),
             differing.get(item.code))
            for item, field in zip(group.items, fields, strict=True)]))
    return {
        "groups": groups, "unanswered": len(form.unanswered()), "item_count": len(items),
        "date_conflict": differing.get(DATE_KEY),
        # Offered once the form has refused unanswered items, so that skipping is a decision.
        "show_allow_unanswered": form.has_error("__all__", "unanswered")
        or bool(form["allow_unanswered"].value()),
    }


def _entry_initial(saved, items) -> dict:
    initial = {"token": entry_token_new(), "answered_on": timezone.localdate(),
               "shown": state_sign(response_state(response=saved, items=items))}
    if saved is not None:
        given = {answer.item_id: answer.choice.code for answer in saved.answers.all()}
        initial.update({"answered_on": saved.answered_on, "response": saved.public_id,
                        "version": saved.version})
        initial.update({item_field_name(item): given.get(item.pk) for item in items
                        if item.pk in given})
    return initial


def _entry_conflict_data(posted, result, items):
    """The refused form as an edit of the saved version: typed changes kept, theirs taken in."""
    conflict = result.conflict
    data = posted.copy()
    data.update({"response": str(result.response.public_id), "version": conflict.version,
                 "shown": state_sign(conflict.saved),
                 "answered_on": conflict.merged.get(DATE_KEY) or ""})
    for item in items:
        value = conflict.merged.get(item.code)
        if value:
            data[item_field_name(item)] = value
        else:
            data.pop(item_field_name(item), None)
    return data


def _value_label(key: str, value: str | None, labels: dict) -> str:
    if value is None:
        return _("Not answered")
    if key == DATE_KEY:
        return date_format(dt.date.fromisoformat(value))
    return labels.get(key, {}).get(value, value)


def _entry_conflict_context(result, items) -> dict | None:
    """Both versions, answer by answer, for the page that refused a stale save."""
    if result is None or result.conflict is None:
        return None
    conflict = result.conflict
    labels = {item.code: {c.code: c.label for c in item.scale.choices.all()} for item in items}
    texts = {item.code: item.text for item in items}

    def row(diff):
        return {"code": diff.key, "question": texts.get(diff.key, _("Answered on")),
                "theirs": _value_label(diff.key, diff.theirs, labels),
                "mine": _value_label(diff.key, diff.mine, labels),
                "shown": _value_label(diff.key, diff.shown, labels)}

    who = conflict.changed_by
    return {
        "meanwhile": result.outcome == Outcome.SAVED_MEANWHILE,
        "who": user_display_name(who) if who else _("an import"),
        "rows": [row(diff) for diff in conflict.conflicts],
        "theirs_only": [row(diff) for diff in conflict.theirs_only],
    }


def _entry_messages(result) -> list[tuple[int, str]]:
    date = date_format(result.response.answered_on)
    if result.outcome == Outcome.CREATED:
        return [(messages.SUCCESS, _("The response of %(date)s has been saved.")
                 % {"date": date})]
    if result.outcome in (Outcome.UPDATED, Outcome.MERGED):
        saved = [(messages.SUCCESS, ngettext(
            "Your change has been saved and recorded in the history.",
            "Your %(count)d changes have been saved and recorded in the history.",
            result.changes) % {"count": result.changes})]
        if result.theirs_kept:
            saved.append((messages.INFO, _(
                "Someone else had changed this response since you opened it (%(codes)s): "
                "their changes are kept, yours were added.") % {
                "codes": ", ".join(d.key if d.key != DATE_KEY else _("Answered on")
                                   for d in result.theirs_kept)}))
        return saved
    if result.outcome == Outcome.ALREADY_SAVED:
        return [(messages.INFO, _("This form had already been sent: the response was saved "
                                  "once, here it is."))]
    return [(messages.INFO, _("Nothing differed from the saved response: it is shown below."))]
