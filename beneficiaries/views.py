"""The counsellor's workspace: worklist, list of people, a person's page, entering a wave.

Counsellors and directors of the organisation only; every other user, including members of
another organisation, gets 404 (organisations.access).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from beneficiaries.charts import dimension_chart_svg
from beneficiaries.consent_views import consent_form_for
from beneficiaries.due import OVERDUE_AFTER_DAYS, WaveStatus, wave_states_for
from beneficiaries.entry import entry_items, items_by_dimension, response_saved
from beneficiaries.forms import (
    BeneficiaryFilterForm,
    BeneficiaryForm,
    ErasureForm,
    ExitForm,
    ResponseEntryForm,
    SituationForm,
    WorklistFilterForm,
    item_field_name,
)
from beneficiaries.history import person_history
from beneficiaries.models import Beneficiary
from beneficiaries.paths import person_paths
from beneficiaries.people import (
    PAGE_SIZE,
    SCOPE_ALL,
    beneficiaries_filter,
    programmes_of,
    published_questionnaires,
)
from beneficiaries.privacy import (
    beneficiaries_past_retention,
    beneficiary_data_export,
    beneficiary_erase,
)
from beneficiaries.scope import counsellors_of, default_scope, people_in_scope
from beneficiaries.services import (
    RecordEditConflict,
    SituationChangedMeanwhile,
    beneficiary_create,
    beneficiary_exit_cancel,
    beneficiary_exit_record,
    beneficiary_situation_record,
    beneficiary_update,
    record_state_sign,
    situation_due_on,
)
from beneficiaries.worklist import situations_due, work_items, work_items_page
from organisations.access import (
    beneficiaries_for,
    beneficiary_for,
    membership_required,
    questionnaire_for,
    questionnaires_for,
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


@login_required
@membership_required("see_people")
def worklist(request, org_slug):
    """The waves due or overdue now: the counsellor's starting point."""
    membership = request.membership
    form = WorklistFilterForm(request.GET, initial={"scope": default_scope(membership)})
    scope, status = form.value("scope"), form.value("status")
    people = people_in_scope(membership=membership, scope=scope)
    questionnaires = published_questionnaires(questionnaires=questionnaires_for(membership))
    entries = work_items(people=people, questionnaires=questionnaires,
                         today=timezone.localdate(), status=status)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "scope": scope, "status": status, "org_slug": org_slug,
        "overdue_days": OVERDUE_AFTER_DAYS,
        "rows": work_items_page(people=people, entries=page.object_list),
        "questionnaires": questionnaires, "show_counsellor": scope == SCOPE_ALL,
        "published_questionnaires": questionnaires,
        "overdue_count": sum(1 for *_rest, s in entries if s.status == WaveStatus.OVERDUE),
        "total": len(entries),
    }
    if not status:
        situations = situations_due(people=people, today=timezone.localdate())
        context["situations"] = list(situations[:SITUATIONS_SHOWN])
        context["situations_total"] = (
            len(context["situations"]) if len(context["situations"]) < SITUATIONS_SHOWN
            else situations.count())
    if scope == default_scope(membership) and not status:
        # The navigation's count is this very number: no second query for it.
        context["workspace_due_count"] = len(entries)
    return render(request, "beneficiaries/worklist.html", context)


# The worklist shows the oldest situations to record; the rest follow as these are recorded.
SITUATIONS_SHOWN = 20


@login_required
@membership_required("see_people")
def beneficiary_list(request, org_slug):
    """The organisation's people with a status grid of one questionnaire's waves."""
    membership = request.membership
    people = beneficiaries_for(membership)
    questionnaires = published_questionnaires(questionnaires=questionnaires_for(membership))
    form = BeneficiaryFilterForm(
        request.GET,
        initial={"counsellor": default_scope(membership), "sort": "code",
                 "questionnaire": str(questionnaires[0].public_id) if questionnaires else ""},
        counsellors=counsellors_of(membership=membership),
        programmes=programmes_of(people=people), questionnaires=questionnaires)
    listed = beneficiaries_filter(
        people=people, membership=membership, search=form.value("q"),
        counsellor=form.value("counsellor"), status=form.value("status"),
        programme=form.value("programme"), sort=form.value("sort"))
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    questionnaire = next((q for q in questionnaires
                          if str(q.public_id) == form.value("questionnaire")), None)
    waves = list(questionnaire.waves.all()) if questionnaire else []
    states = wave_states_for(beneficiaries=page.object_list, questionnaire=questionnaire,
                             waves=waves, today=timezone.localdate()) if questionnaire else {}
    return render(request, "beneficiaries/list.html", {
        "form": form, "page": page, "questionnaire": questionnaire, "waves": waves,
        "published_questionnaires": questionnaires,
        "rows": [(person, states.get(person.pk, [])) for person in page.object_list],
        "statuses": _status_legend(), "org_slug": org_slug, "overdue_days": OVERDUE_AFTER_DAYS,
    })


def _status_legend() -> list[tuple[str, str, str]]:
    return [(key, WaveStatus.SYMBOLS[key], str(WaveStatus.LABELS[key]))
            for key in (WaveStatus.DONE, WaveStatus.DUE, WaveStatus.OVERDUE,
                        WaveStatus.NOT_YET_DUE, WaveStatus.NOT_APPLICABLE)]


@login_required
@membership_required("see_people")
def beneficiary_detail(request, org_slug, public_id):
    """A person's path: their waves, their answers wave by wave, their dimension scores."""
    membership = request.membership
    beneficiary = beneficiary_for(membership, public_id)
    questionnaires = published_questionnaires(questionnaires=questionnaires_for(membership))
    paths = person_paths(beneficiary=beneficiary, questionnaires=questionnaires,
                         today=timezone.localdate())
    charts = [
        dimension_chart_svg(
            dimensions=path.dimensions, wave_labels=[w.label for w in path.waves],
            scores=path.scores, score_range=path.score_range,
            chart_id=f"{beneficiary.public_id}-{path.questionnaire.public_id}")
        if path.has_responses else "" for path in paths
    ]
    return render(request, "beneficiaries/detail.html", {
        "beneficiary": beneficiary, "paths": list(zip(paths, charts, strict=True)),
        "situation_due_on": situation_due_on(exit_date=beneficiary.exit_date),
        "today": timezone.localdate(),
        "published_questionnaires": questionnaires,
        "history": person_history(beneficiary=beneficiary), "org_slug": org_slug,
        "consent_form": consent_form_for(beneficiary),
        "past_retention": membership.can.handle_privacy_requests and beneficiaries_past_retention(
            organisation=membership.organisation).filter(pk=beneficiary.pk).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
@membership_required("see_people")
def beneficiary_create_view(request, org_slug):
    membership = request.membership
    people = beneficiaries_for(membership)
    initial = {"entry_date": timezone.localdate()}
    if membership.can.has_caseload:
        initial["counsellor"] = request.user
    form = BeneficiaryForm(request.POST or None, initial=initial, people=people,
                           counsellors=counsellors_of(membership=membership))
    if request.method == "POST" and form.is_valid():
        beneficiary = beneficiary_create(organisation=membership.organisation,
                                         data=form.cleaned_data)
        messages.success(request, _("%(code)s has been added.") % {"code": beneficiary.code})
        return redirect("beneficiaries:detail", org_slug=org_slug,
                        public_id=beneficiary.public_id)
    return render(request, "beneficiaries/form.html",
                  {"form": form, "beneficiary": None, "org_slug": org_slug})


@login_required
@require_http_methods(["GET", "POST"])
@membership_required("see_people")
def beneficiary_edit(request, org_slug, public_id):
    membership = request.membership
    people = beneficiaries_for(membership)
    beneficiary = beneficiary_for(membership, public_id)
    options = {"people": people, "counsellors": counsellors_of(membership=membership)}
    form = BeneficiaryForm(request.POST or None, instance=beneficiary, **options, initial={
        "version": beneficiary.version, "shown": record_state_sign(beneficiary)})
    conflict = None
    if request.method == "POST" and form.is_valid():
        # The form has written its values on the instance: start again from the database.
        beneficiary.refresh_from_db()
        try:
            changed = beneficiary_update(beneficiary=beneficiary, data=form.cleaned_data,
                                         version=form.cleaned_data["version"],
                                         shown=form.cleaned_data["shown"])
        except RecordEditConflict as refusal:
            # Nothing written: the form now edits the saved version, with what was typed.
            beneficiary = refusal.current
            conflict = _record_conflict(form, refusal)
            form = BeneficiaryForm(_record_conflict_data(request.POST, refusal),
                                   instance=beneficiary, **options)
        else:
            if changed:
                messages.success(request, _("The changes have been saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("beneficiaries:detail", org_slug=org_slug, public_id=public_id)
    return render(request, "beneficiaries/form.html", {
        "form": form, "beneficiary": beneficiary, "org_slug": org_slug, "conflict": conflict})


def _record_conflict_data(posted, refusal):
    """The refused form as an edit of the saved version: typed changes kept, theirs taken in."""
    data = posted.copy()
    data.update({"version": refusal.current.version,
                 "shown": record_state_sign(refusal.current)})
    for diff in refusal.theirs_only:
        data[diff.name] = diff.theirs
    return data


def _record_conflict(form, refusal) -> dict:
    """Both values of each field changed both ways, as the page shows them."""

    def shown(name, value):
        field = form.fields[name]
        labels = {str(key): label for key, label in getattr(field, "choices", [])}
        return labels.get(value, value) if value else _("Not given")

    who = refusal.changed_by
    return {
        "who": user_display_name(who) if who else _("an import"),
        "rows": [{"name": d.name, "label": form.fields[d.name].label,
                  "theirs": shown(d.name, d.theirs), "mine": shown(d.name, d.mine)}
                 for d in refusal.conflicts],
        "theirs_only": [form.fields[d.name].label for d in refusal.theirs_only],
    }


@login_required
@require_http_methods(["GET", "POST"])
@membership_required("see_people")
def beneficiary_exit(request, org_slug, public_id):
    """Record that the person has left (date, reason), or cancel a recorded exit."""
    beneficiary = beneficiary_for(request.membership, public_id)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        if beneficiary.exit_date is not None:
            beneficiary_exit_cancel(beneficiary=beneficiary)
            messages.success(request, _("The exit has been cancelled: %(code)s is active "
                                        "again.") % {"code": beneficiary.code})
        return redirect("beneficiaries:detail", org_slug=org_slug, public_id=public_id)
    initial = {"exit_date": beneficiary.exit_date or timezone.localdate(),
               "exit_reason": beneficiary.exit_reason}
    form = ExitForm(request.POST or None, initial=initial, entry_date=beneficiary.entry_date)
    if request.method == "POST" and form.is_valid():
        beneficiary_exit_record(beneficiary=beneficiary, **form.cleaned_data)
        messages.success(request, _("The exit of %(code)s on %(date)s has been recorded.") % {
            "code": beneficiary.code, "date": date_format(form.cleaned_data["exit_date"])})
        return redirect("beneficiaries:detail", org_slug=org_slug, public_id=public_id)
    return render(request, "beneficiaries/exit.html",
                  {"form": form, "beneficiary": beneficiary, "org_slug": org_slug})


@login_required
@require_http_methods(["GET", "POST"])
@membership_required("see_people")
def beneficiary_situation(request, org_slug, public_id):
    """Record the person's situation six months after their exit (once that time has come)."""
    beneficiary = beneficiary_for(request.membership, public_id)
    today = timezone.localdate()
    due_on = situation_due_on(exit_date=beneficiary.exit_date)
    form = notice = None
    if due_on is not None and due_on <= today:
        form = SituationForm(request.POST or None, initial={
            "situation_6_months": beneficiary.situation_6_months,
            "seen": beneficiary.situation_6_months})
        if request.method == "POST" and form.is_valid():
            try:
                changed = beneficiary_situation_record(
                    beneficiary=beneficiary, today=today,
                    seen=form.cleaned_data["seen"] if "seen" in request.POST else None,
                    situation=form.cleaned_data["situation_6_months"])
            except SituationChangedMeanwhile as meanwhile:
                # Keep the choice made, now as a change of the colleague's situation.
                form = SituationForm({**request.POST.dict(), "seen": meanwhile.current})
                notice = _("Someone else recorded “%(theirs)s” while you had this page open. "
                           "Your choice has NOT been saved yet: save again to replace theirs.") % {
                    "theirs": Beneficiary.Situation(meanwhile.current).label
                    if meanwhile.current else _("Not recorded")}
            else:
                if changed:
                    messages.success(request, _(
                        "The situation of %(code)s six months after exit has been recorded.")
                        % {"code": beneficiary.code})
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("beneficiaries:detail", org_slug=org_slug, public_id=public_id)
    return render(request, "beneficiaries/situation.html", {
        "form": form, "notice": notice, "beneficiary": beneficiary, "due_on": due_on,
        "org_slug": org_slug},
        status=200 if form is not None or request.method == "GET" else 409)


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


@login_required
@membership_required("handle_privacy_requests")
def beneficiary_data_download(request, org_slug, public_id):
    """Everything held on the person, as a JSON file (right of access); directors only."""
    beneficiary = beneficiary_for(request.membership, public_id)
    data = beneficiary_data_export(beneficiary=beneficiary, performed_by=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="donnees-{beneficiary.public_id}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@membership_required("handle_privacy_requests")
def beneficiary_erase_view(request, org_slug, public_id):
    """Erase a person (right to erasure), keeping their anonymous answers if chosen; directors."""
    beneficiary = beneficiary_for(request.membership, public_id)
    form = ErasureForm(request.POST or None, code=beneficiary.code)
    if request.method == "POST" and form.is_valid():
        beneficiary_erase(beneficiary=beneficiary, performed_by=request.user,
                          keep_answers=form.cleaned_data["keep_answers"])
        messages.success(request, _("The person's data were erased."))
        return redirect("beneficiaries:list", org_slug=org_slug)
    return render(request, "beneficiaries/erase.html", {
        "beneficiary": beneficiary, "form": form, "org_slug": org_slug})
