"""The counsellor's workspace: worklist, list of people, a person's page, entering a wave.

Counsellors and directors of the organisation only; every other user, including members of
another organisation, gets 404 (organisations.access).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from beneficiaries.charts import dimension_chart_svg
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
from beneficiaries.models import Beneficiary
from beneficiaries.privacy import (
    beneficiaries_past_retention,
    beneficiary_data_export,
    beneficiary_erase,
)
from beneficiaries.selectors import (
    OVERDUE_AFTER_DAYS,
    PAGE_SIZE,
    SCOPE_ALL,
    WaveStatus,
    beneficiaries_filter,
    counsellors_of,
    default_scope,
    entry_items,
    items_by_dimension,
    people_in_scope,
    person_history,
    person_paths,
    programmes_of,
    published_questionnaires,
    response_saved,
    situations_due,
    wave_states_for,
    work_items,
    work_items_page,
)
from beneficiaries.services import (
    SituationChangedMeanwhile,
    beneficiary_create,
    beneficiary_exit_cancel,
    beneficiary_exit_record,
    beneficiary_situation_record,
    beneficiary_update,
    situation_due_on,
)
from organisations.access import (
    PEOPLE_ROLES,
    beneficiaries_for,
    get_membership,
    questionnaires_for,
    responses_for,
)
from organisations.models import Role
from questionnaires.models import Questionnaire
from questionnaires.responses import Outcome, entry_token_new, response_entry_save


@login_required
def worklist(request, org_slug):
    """The waves due or overdue now: the counsellor's starting point."""
    membership = get_membership(request.user, org_slug, *PEOPLE_ROLES)
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
def beneficiary_list(request, org_slug):
    """The organisation's people with a status grid of one questionnaire's waves."""
    membership = get_membership(request.user, org_slug, *PEOPLE_ROLES)
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
def beneficiary_detail(request, org_slug, public_id):
    """A person's path: their waves, their answers wave by wave, their dimension scores."""
    membership = get_membership(request.user, org_slug, *PEOPLE_ROLES)
    beneficiary = get_object_or_404(beneficiaries_for(membership).select_related("counsellor"),
                                    public_id=public_id)
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
        "past_retention": membership.role == Role.DIRECTOR and beneficiaries_past_retention(
            organisation=membership.organisation).filter(pk=beneficiary.pk).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_create_view(request, org_slug):
    membership = get_membership(request.user, org_slug, *PEOPLE_ROLES)
    people = beneficiaries_for(membership)
    initial = {"entry_date": timezone.localdate()}
    if membership.role == "counsellor":
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
def beneficiary_edit(request, org_slug, public_id):
    membership = get_membership(request.user, org_slug, *PEOPLE_ROLES)
    people = beneficiaries_for(membership)
    beneficiary = get_object_or_404(people, public_id=public_id)
    form = BeneficiaryForm(request.POST or None, instance=beneficiary, people=people,
                           counsellors=counsellors_of(membership=membership))
    if request.method == "POST" and form.is_valid():
        # The form has written its values on the instance: start again from the database.
        beneficiary.refresh_from_db()
        changed = beneficiary_update(beneficiary=beneficiary, data=form.cleaned_data)
        if changed:
            messages.success(request, _("The changes have been saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("beneficiaries:detail", org_slug=org_slug, public_id=public_id)
    return render(request, "beneficiaries/form.html",
                  {"form": form, "beneficiary": beneficiary, "org_slug": org_slug})


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_exit(request, org_slug, public_id):
    """Record that the person has left (date, reason), or cancel a recorded exit."""
    membership = get_membership(request.user, org_slug, *PEOPLE_ROLES)
    beneficiary = get_object_or_404(beneficiaries_for(membership), public_id=public_id)
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
def beneficiary_situation(request, org_slug, public_id):
    """Record the person's situation six months after their exit (once that time has come)."""
    membership = get_membership(request.user, org_slug, *PEOPLE_ROLES)
    beneficiary = get_object_or_404(beneficiaries_for(membership), public_id=public_id)
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


@login_required
@require_http_methods(["GET", "POST"])
def response_entry(request, org_slug, public_id, questionnaire_id, number):
    """One wave of a questionnaire for one person: an empty form, or the saved response."""
    membership = get_membership(request.user, org_slug, *PEOPLE_ROLES)
    beneficiary = get_object_or_404(beneficiaries_for(membership), public_id=public_id)
    questionnaire = get_object_or_404(
        questionnaires_for(membership).filter(status=Questionnaire.Status.PUBLISHED),
        public_id=questionnaire_id)
    wave = questionnaire.waves.filter(number=number).first()
    if wave is None:
        return render(request, "beneficiaries/wave_missing.html", {
            "beneficiary": beneficiary, "questionnaire": questionnaire, "number": number,
            "waves": questionnaire.waves.all(), "org_slug": org_slug}, status=404)
    items = entry_items(questionnaire=questionnaire)
    saved = response_saved(responses=responses_for(membership), beneficiary=beneficiary,
                           questionnaire=questionnaire, wave=wave)
    notice = None
    if request.method == "POST":
        form = ResponseEntryForm(request.POST, items=items)
        if form.is_valid():
            result = response_entry_save(
                beneficiary=beneficiary, questionnaire=questionnaire, wave=wave,
                editing=form.cleaned_data["response"],
                answered_on=form.cleaned_data["answered_on"],
                choices={item: form.choice_of(item) for item in items},
                entered_by=request.user, token=form.cleaned_data["token"])
            if result.outcome != Outcome.SAVED_MEANWHILE:
                messages.add_message(request, *_entry_message(result))
                return redirect(request.path)
            # Keep what was typed, now as an edit of the response that won.
            saved = response_saved(responses=responses_for(membership), beneficiary=beneficiary,
                                   questionnaire=questionnaire, wave=wave)
            data = request.POST.copy()
            data["response"] = str(saved.public_id)
            form = ResponseEntryForm(data, items=items)
            notice = _entry_meanwhile_notice(saved)
    else:
        form = ResponseEntryForm(initial=_entry_initial(saved, items), items=items)
    return render(request, "beneficiaries/entry.html", {
        "beneficiary": beneficiary, "questionnaire": questionnaire, "wave": wave,
        "form": form, "saved": saved, "notice": notice, "org_slug": org_slug,
        **_entry_form_context(form, items),
    })


def _entry_form_context(form: ResponseEntryForm, items) -> dict:
    """The form's radio groups by dimension, each radio beside its Choice, and its counts."""
    groups = []
    for group in items_by_dimension(items):
        fields = [form[item_field_name(item)] for item in group.items]
        groups.append((group.name, [
            (item, field, list(zip(field, item.scale.choices.all(), strict=True)))
            for item, field in zip(group.items, fields, strict=True)]))
    return {
        "groups": groups, "unanswered": len(form.unanswered()), "item_count": len(items),
        # Offered once the form has refused unanswered items, so that skipping is a decision.
        "show_allow_unanswered": form.has_error("__all__", "unanswered")
        or bool(form["allow_unanswered"].value()),
    }


def _entry_initial(saved, items) -> dict:
    initial = {"token": entry_token_new(), "answered_on": timezone.localdate()}
    if saved is not None:
        given = {answer.item_id: answer.choice.code for answer in saved.answers.all()}
        initial.update({"answered_on": saved.answered_on, "response": saved.public_id})
        initial.update({item_field_name(item): given.get(item.pk) for item in items
                        if item.pk in given})
    return initial


def _entry_message(result) -> tuple[int, str]:
    date = date_format(result.response.answered_on)
    if result.outcome == Outcome.CREATED:
        return messages.SUCCESS, _("The response of %(date)s has been saved.") % {"date": date}
    if result.outcome == Outcome.UPDATED:
        return messages.SUCCESS, ngettext(
            "Your change has been saved and recorded in the history.",
            "Your %(count)d changes have been saved and recorded in the history.",
            result.changes) % {"count": result.changes}
    if result.outcome == Outcome.ALREADY_SAVED:
        return messages.INFO, _("This form had already been sent: the response was saved "
                                "once, here it is.")
    return messages.INFO, _("Nothing differed from the saved response: it is shown below.")


def _entry_meanwhile_notice(saved) -> str:
    who = saved.entered_by.get_full_name() or saved.entered_by.get_username() if (
        saved.entered_by) else _("an import")
    return _("A response to this wave was saved by %(who)s while you were filling in the "
             "form. Your answers have NOT been saved yet: they are shown below. Saving again "
             "will replace the saved response, and the change will be recorded.") % {"who": who}


@login_required
def beneficiary_data_download(request, org_slug, public_id):
    """Everything held on the person, as a JSON file (right of access); directors only."""
    membership = get_membership(request.user, org_slug, Role.DIRECTOR)
    beneficiary = get_object_or_404(
        beneficiaries_for(membership).select_related("organisation", "counsellor"),
        public_id=public_id)
    data = beneficiary_data_export(beneficiary=beneficiary, performed_by=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="donnees-{beneficiary.public_id}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_erase_view(request, org_slug, public_id):
    """Erase a person (right to erasure), keeping their anonymous answers if chosen; directors."""
    membership = get_membership(request.user, org_slug, Role.DIRECTOR)
    beneficiary = get_object_or_404(beneficiaries_for(membership), public_id=public_id)
    form = ErasureForm(request.POST or None, code=beneficiary.code)
    if request.method == "POST" and form.is_valid():
        beneficiary_erase(beneficiary=beneficiary, performed_by=request.user,
                          keep_answers=form.cleaned_data["keep_answers"])
        messages.success(request, _("The person's data were erased."))
        return redirect("beneficiaries:list", org_slug=org_slug)
    return render(request, "beneficiaries/erase.html", {
        "beneficiary": beneficiary, "form": form, "org_slug": org_slug})
