"""A person's record: added, edited (with the conflicts of two editors shown), their
exit and their situation six months after it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beneficiaries.due import exit_waves_open
from beneficiaries.forms import BeneficiaryForm, ExitForm, SituationForm
from beneficiaries.models import Beneficiary
from beneficiaries.people import published_questionnaires
from beneficiaries.scope import counsellors_of
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
from organisations.access import (
    beneficiaries_for,
    beneficiary_for,
    membership_required,
    questionnaires_for,
)
from organisations.users import user_display_name


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
    stale = _exit_stale(request, beneficiary)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        if stale:
            messages.warning(request, _(
                "Someone else changed this person while you had the page open: the exit was "
                "NOT cancelled. Check it below and cancel again if needed."))
            return redirect("beneficiaries:exit", org_slug=org_slug, public_id=public_id)
        if beneficiary.exit_date is not None:
            beneficiary_exit_cancel(beneficiary=beneficiary)
            messages.success(request, _("The exit has been cancelled: %(code)s is active "
                                        "again.") % {"code": beneficiary.code})
        return redirect("beneficiaries:detail", org_slug=org_slug, public_id=public_id)
    initial = {"exit_date": beneficiary.exit_date or timezone.localdate(),
               "exit_reason": beneficiary.exit_reason, "version": beneficiary.version}
    form = ExitForm(request.POST or None, initial=initial, entry_date=beneficiary.entry_date)
    questionnaires = published_questionnaires(
        questionnaires=questionnaires_for(request.membership))
    exit_waves = exit_waves_open(beneficiary=beneficiary, questionnaires=questionnaires,
                                 today=timezone.localdate())
    if request.method == "POST" and form.is_valid() and stale:
        # Nothing written: the typed exit stays in the form, now over the saved version.
        form = ExitForm({**request.POST.dict(), "version": beneficiary.version},
                        entry_date=beneficiary.entry_date)
        return render(request, "beneficiaries/exit.html", {
            "form": form, "beneficiary": beneficiary, "org_slug": org_slug,
            "exit_waves": exit_waves,
            "notice": _("Someone else changed this person while you had this page open "
                        "(see the exit recorded above). Your exit has NOT been saved yet: "
                        "save again to replace theirs.")}, status=409)
    if request.method == "POST" and form.is_valid():
        form.cleaned_data.pop("version", None)
        beneficiary_exit_record(beneficiary=beneficiary, **form.cleaned_data)
        exit_waves = exit_waves_open(beneficiary=beneficiary, questionnaires=questionnaires,
                                     today=timezone.localdate())
        messages.success(request, _("The exit of %(code)s on %(date)s has been recorded.") % {
            "code": beneficiary.code, "date": date_format(form.cleaned_data["exit_date"])})
        # Back to this page when a wave at exit can be entered now: it offers the link.
        target = "beneficiaries:exit" if exit_waves else "beneficiaries:detail"
        return redirect(target, org_slug=org_slug, public_id=public_id)
    return render(request, "beneficiaries/exit.html",
                  {"form": form, "beneficiary": beneficiary, "org_slug": org_slug,
                   "exit_waves": exit_waves})


def _exit_stale(request, beneficiary) -> bool:
    """Whether an exit page sent was opened on an older version of the person (a page
    without a version, from another client, edits the person as they are now)."""
    posted = request.POST.get("version", "") if request.method == "POST" else ""
    return posted.strip().isdigit() and int(posted) != beneficiary.version


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
