"""Responses uploaded from a spreadsheet: checked and previewed, then confirmed (even
after the session ended) or cancelled."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organisations.access import membership_required, questionnaire_for
from organisations.kept import form_take, login_required_keeping_form
from questionnaires.forms import ResponsesUploadForm
from questionnaires.imports import responses_check, responses_import
from questionnaires.tables import ImportRefused, table_read_upload
from questionnaires.uploads import pending_upload_discard, pending_upload_save, pending_upload_take

logger = logging.getLogger(__name__)
PENDING_KEY = "questionnaires_pending_uploads"
PROBLEMS_SHOWN = 300


def _pending(request) -> dict:
    return request.session.get(PENDING_KEY, {})


def _upload_page(request, questionnaire, form, problems) -> HttpResponse:
    return render(request, "questionnaires/upload.html", {
        "questionnaire": questionnaire, "form": form,
        "problems": problems[:PROBLEMS_SHOWN], "problem_count": len(problems),
        "item_codes": questionnaire.items.values_list("code", flat=True),
    })


@login_required
@membership_required("manage_data")
def responses_upload(request, org_slug, public_id):
    membership = request.membership
    questionnaire = questionnaire_for(membership, public_id)
    form = ResponsesUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        update = form.cleaned_data["update"]
        try:
            plan = responses_check(questionnaire=questionnaire, table=table_read_upload(data),
                                   update=update)
        except ImportRefused as refusal:
            problems = refusal.problems
        else:
            try:
                token = pending_upload_save(data, organisation_id=membership.organisation_id,
                                            user_id=request.user.pk)
            except OSError:
                logger.exception("The pending uploads folder cannot be written.")
                messages.error(request, _(
                    "The file is correct, but the server cannot keep it until you confirm: "
                    "its folder for pending files cannot be written. Nothing was imported; "
                    "tell your administrator."))
                return _upload_page(request, questionnaire, form, [])
            # Not the file's name: it may name a person, and sessions outlive erasures.
            entry = {"questionnaire": str(questionnaire.public_id), "update": update}
            pending = {**_pending(request), token: entry}
            keep = settings.UPLOAD_MAX_PENDING_PER_USER
            for forgotten in list(pending)[:-keep]:
                pending_upload_discard(forgotten)
            request.session[PENDING_KEY] = dict(list(pending.items())[-keep:])
            return render(request, "questionnaires/upload_preview.html", {
                "questionnaire": questionnaire, "plan": plan, "token": token,
                "ticket": _ticket_sign(request.user, token, entry),
                "update": update, "name": form.cleaned_data["file"].name,
                "beneficiaries_existing": len({row.code for row in plan.rows})
                - len(plan.new_codes),
            })
    return _upload_page(request, questionnaire, form, problems)


# The preview's confirmation carries its pending upload, signed for its user, so that it still
# works after the session ended and the user logged in again (the session's list is gone).
_TICKET_SALT = "questionnaires.upload.ticket"


def _ticket_sign(user, token: str, entry: dict) -> str:
    return signing.dumps({"user": user.pk, "token": token, **entry}, salt=_TICKET_SALT)


def _ticket_entry(request, token: str) -> dict | None:
    try:
        ticket = signing.loads(request.POST.get("ticket", ""), salt=_TICKET_SALT,
                               max_age=settings.UPLOAD_KEEP_HOURS * 3600)
    except signing.BadSignature:
        return None
    if ticket.get("user") != request.user.pk or ticket.get("token") != token:
        return None
    return ticket


@login_required_keeping_form
@require_http_methods(["GET", "POST"])
@membership_required("manage_data")
def responses_upload_confirm(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    if request.method == "GET":
        # Back from the login page: the confirmation sent when the session had ended.
        kept = form_take(user=request.user, path=request.path)
        if kept is None:
            messages.info(request, _("Nothing is waiting for confirmation here; upload the "
                                     "file again if needed."))
            return redirect("questionnaires:upload", org_slug, public_id)
        return render(request, "questionnaires/upload_resume.html", {
            "questionnaire": questionnaire, "kept": kept,
            "entry": _ticket_entry_of(kept, request.user)})
    token = request.POST.get("token", "")
    pending = _pending(request)
    entry = pending.pop(token, None) or _ticket_entry(request, token)
    request.session[PENDING_KEY] = pending
    data = None
    if entry is not None and entry["questionnaire"] == str(questionnaire.public_id):
        data = pending_upload_take(token)
    if data is None:
        messages.warning(request, _("This file was already imported, or its preview has "
                                    "expired. Nothing more was written; upload it again if "
                                    "needed."))
        return redirect("questionnaires:builder", org_slug, public_id)
    if request.POST.get("action") == "cancel":
        messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect("questionnaires:upload", org_slug, public_id)
    try:
        result = responses_import(questionnaire=questionnaire, table=table_read_upload(data),
                                  update=entry["update"], entered_by=request.user)
    except ImportRefused as refusal:
        return _upload_page(request, questionnaire, ResponsesUploadForm(), refusal.problems)
    messages.success(request, _(
        "Import done: %(beneficiaries)d beneficiaries created, %(created)d responses "
        "created, %(updated)d replaced, %(answers)d answers written.") % {
        "beneficiaries": result.beneficiaries_created, "created": result.responses_created,
        "updated": result.responses_updated, "answers": result.answers_written})
    return redirect("questionnaires:builder", org_slug, public_id)


def _ticket_entry_of(kept: dict, user) -> dict | None:
    try:
        ticket = signing.loads(kept.get("ticket", ""), salt=_TICKET_SALT)
    except signing.BadSignature:
        return None
    return ticket if ticket.get("user") == user.pk else None
