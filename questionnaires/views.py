"""Questionnaires in the browser: the builder, the responses upload and the exports.

Managers and directors build questionnaires, upload responses and export them
(pseudonymous codes only); board members download aggregate tables; counsellors and other
organisations' users get 404 everywhere.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Count, Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from organisations.access import (
    membership_required,
    people_to_count_for,
    programmes_for,
    questionnaire_for,
    questionnaires_for,
)
from organisations.kept import form_take, login_required_keeping_form
from questionnaires import builder, exports
from questionnaires.definitions import (
    DefinitionInvalid,
    ItemDef,
    definition_dump,
    definition_json_load,
    definition_parse,
)
from questionnaires.forms import (
    ChoiceFormSet,
    DefinitionUploadForm,
    ItemForm,
    PublishForm,
    QuestionnaireCreateForm,
    ResponsesUploadForm,
    ScaleForm,
    TitleForm,
    WaveFormSet,
)
from questionnaires.history import definition_history
from questionnaires.imports import responses_check, responses_import
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response
from questionnaires.publication import publication_added
from questionnaires.services import MeaningConfirmationNeeded, questionnaire_exit_window_set
from questionnaires.tables import ImportRefused, table_read_upload
from questionnaires.uploads import pending_upload_discard, pending_upload_save, pending_upload_take

logger = logging.getLogger(__name__)
PENDING_KEY = "questionnaires_pending_uploads"
PROBLEMS_SHOWN = 300


def _meaning_confirmed(request) -> bool:
    """The user ticked "the meaning is unchanged" for rewordings of answered items/choices."""
    return request.POST.get("confirm_meaning_unchanged") == "on"


def _refused(request, problems: list[str]) -> None:
    for problem in problems:
        messages.error(request, problem)


def _download(content, *, questionnaire, kind: str, extension: str, content_type: str):
    """An attachment named ``<questionnaire>-<kind>-<date>.<ext>``, so that a double click
    opens it in Excel or SPSS; never kept in a cache (it holds personal data)."""
    name = f"{questionnaire.code}-{kind}-{timezone.localdate().isoformat()}.{extension}"
    response = (StreamingHttpResponse(content, content_type=content_type)
                if not isinstance(content, bytes)
                else HttpResponse(content, content_type=content_type))
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


# -- Questionnaires ----------------------------------------------------------------------------


@login_required
@membership_required("see_aggregates")
def questionnaire_list(request, org_slug):
    membership = request.membership
    responses = (Response.objects.filter(questionnaire=OuterRef("pk")).order_by()
                 .values("questionnaire").annotate(n=Count("id")).values("n"))
    items = (Item.objects.filter(questionnaire=OuterRef("pk")).order_by()
             .values("questionnaire").annotate(n=Count("id")).values("n"))
    questionnaires = questionnaires_for(membership).annotate(
        response_count=Subquery(responses), item_count=Subquery(items))
    return render(request, "questionnaires/list.html", {
        "membership": membership, "questionnaires": questionnaires,
        "can_manage": membership.can.manage_data,
    })


@login_required
@membership_required("manage_data")
def questionnaire_create(request, org_slug):
    membership = request.membership
    taken = set(questionnaires_for(membership).values_list("code", flat=True))
    form = QuestionnaireCreateForm(request.POST or None, taken_codes=taken)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = builder.questionnaire_create(
                organisation=membership.organisation, **form.cleaned_data)
        except DefinitionInvalid as refusal:
            form.add_error(None, refusal.problems)
        else:
            messages.success(request, _("The questionnaire was created from the method's "
                                        "model: adapt its waves, scales and items."))
            return redirect("questionnaires:builder", org_slug, questionnaire.public_id)
    return render(request, "questionnaires/create.html", {"form": form, "org_slug": org_slug})


@login_required
@membership_required("manage_data")
def definition_import(request, org_slug):
    membership = request.membership
    form = DefinitionUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    meaning_changes: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            raw = definition_json_load(form.cleaned_data["file"].read().decode("utf-8-sig"))
            questionnaire, created = builder.definition_import(
                organisation=membership.organisation, definition=definition_parse(raw),
                confirm_meaning_unchanged=_meaning_confirmed(request))
        except UnicodeDecodeError:
            problems = [_("This file is not a JSON definition (UTF-8 text in the format of the "
                          "exchange formats, § 1).")]
        except MeaningConfirmationNeeded as refusal:
            meaning_changes = refusal.problems
        except DefinitionInvalid as refusal:
            problems = refusal.problems
        else:
            message = (_("The questionnaire “%(code)s” was created.") if created
                       else _("The questionnaire “%(code)s” was updated."))
            messages.success(request, message % {"code": questionnaire.code})
            return redirect("questionnaires:builder", org_slug, questionnaire.public_id)
    return render(request, "questionnaires/definition_import.html",
                  {"form": form, "problems": problems, "org_slug": org_slug,
                   "meaning_changes": meaning_changes})


@login_required
@membership_required("manage_data")
def definition_download(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    data = definition_dump(builder.definition_of(questionnaire))
    content = json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n"
    return _download(content, questionnaire=questionnaire, kind="definition", extension="json",
                     content_type="application/json; charset=utf-8")


# -- Builder -----------------------------------------------------------------------------------


@login_required
@membership_required("manage_data")
def questionnaire_builder(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    definition = builder.definition_of(questionnaire)
    answered_items = set(
        Item.objects.filter(questionnaire=questionnaire)
        .filter(Exists(Answer.objects.filter(item=OuterRef("pk"))))
        .values_list("code", flat=True))
    answered_choices = set(
        Choice.objects.filter(scale__questionnaire=questionnaire)
        .filter(Exists(Answer.objects.filter(choice=OuterRef("pk"))))
        .values_list("scale__key", "code"))
    responses = Response.objects.filter(questionnaire=questionnaire)
    return render(request, "questionnaires/builder.html", {
        "questionnaire": questionnaire, "definition": definition,
        "groups": builder.items_grouped(definition.items),
        "scales": [
            (key, [(c, (key, c.code) in answered_choices) for c in choices],
             [i.code for i in definition.items if i.scale == key])
            for key, choices in definition.scales.items()
        ],
        "answered_items": answered_items,
        "response_count": responses.count(),
        "beneficiary_count": responses.values("beneficiary").distinct().count(),
    })


def _opened(request, questionnaire, definition, part) -> dict:
    """The version and part a builder form carries: as posted, or as they are now."""
    if request.method == "POST":
        return {"version": request.POST.get("version", ""),
                "shown": request.POST.get("shown", "")}
    return {"version": questionnaire.version, "shown": builder.part_sign(definition, part)}


def _builder_save(request, form, *, questionnaire, change, part, part_after):
    """Apply a builder form's change: (saved, conflict to show, version and part to carry,
    rewordings of answered items or choices waiting for "the meaning is unchanged").

    A refusal by the rules of the definition becomes an error of ``form``. A conflict holds
    the rows to show and the definition with the merged part, for the form to show it.
    """
    opened = _opened(request, questionnaire, None, part)
    version = shown = None
    # A client that sends no version (not our pages) edits the definition as it is now.
    if "version" in request.POST or "shown" in request.POST:
        try:
            version = int(opened["version"])
            shown = builder.part_unsign(opened["shown"])
        except (ValueError, signing.BadSignature):
            form.add_error(None, _("The form has expired: reload the page."))
            return False, None, opened, []
    try:
        builder.definition_apply(questionnaire=questionnaire, change=change, version=version,
                                 part=part, part_after=part_after, shown=shown,
                                 confirm_meaning_unchanged=_meaning_confirmed(request))
    except MeaningConfirmationNeeded as refusal:
        return False, None, opened, refusal.problems
    except DefinitionInvalid as refusal:
        form.add_error(None, refusal.problems)
        return False, None, opened, []
    except builder.DefinitionStale as stale:
        merged = None if stale.merged is None else builder.definition_with_part(
            stale.current, part=part, part_after=part_after, value=stale.merged)
        rows = [(_leaf_label(part[0], path), _leaf_text(theirs), _leaf_text(mine))
                for path, theirs, mine in stale.conflicts]
        return False, {"rows": rows, "definition": merged}, {
            "version": stale.version, "shown": builder.part_sign(stale.current, part)}, []
    return True, None, opened, []


def _leaf_label(kind: str, path: tuple) -> str:
    """What a value of a part is called in the conflict table."""
    names = {"title": _("Title"), "text": _("Question"), "dimension": _("Dimension"),
             "scale": _("Scale"), "waves": _("Waves")}
    if not path:
        return _("Choices") if kind == "scale" else _("This part")
    if kind == "general" and path[0] == "waves" and len(path) == 3:
        what = (_("label"), _("due after (days)"), _("at exit"))[path[2]]
        return _("Wave %(number)d: %(what)s") % {"number": path[1] + 1, "what": what}
    if kind == "scale":
        what = len(path) > 1 and [_("code"), _("label"), _("score")][path[1]]
        return (_("Choice %(number)d: %(what)s") % {"number": path[0] + 1, "what": what}
                if what else _("Choice %(number)d") % {"number": path[0] + 1})
    return names.get(path[0], str(path[0]))


def _leaf_text(value) -> str:
    if value is None:
        return _("Removed")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return " · ".join(str(v) for v in value.values())
    if isinstance(value, list):
        return "; ".join(" – ".join("" if v is None else f"{v:g}" if isinstance(v, float)
                                    else str(v) for v in entry) if isinstance(entry, list)
                         else str(entry) for entry in value)
    return str(value)


def _general_forms(data, definition, exit_window_days):
    return (TitleForm(data, initial={"title": definition.title,
                                     "exit_window_days": exit_window_days}),
            WaveFormSet(data, prefix="waves",
                        initial=[{"label": w.label, "due_after_days": w.due_after_days,
                                  "at_exit": w.at_exit} for w in definition.waves]))


@login_required
@membership_required("manage_data")
def questionnaire_general(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    definition = builder.definition_of(questionnaire)
    title_form, formset = _general_forms(request.POST or None, definition,
                                         questionnaire.exit_window_days)
    part = ("general", None)
    opened, conflict = _opened(request, questionnaire, definition, part), None
    if request.method == "POST" and title_form.is_valid() and formset.is_valid():
        title, waves = title_form.cleaned_data["title"], formset.waves()
        # Titles and wave labels never need "the meaning is unchanged": only items and
        # choices carry answers' meaning.
        saved, conflict, opened, _rewordings = _builder_save(
            request, title_form, questionnaire=questionnaire, part=part, part_after=part,
            change=lambda d: builder.definition_with_general(d, title=title, waves=waves))
        if saved:
            # Left empty (or not sent): the window does not change.
            if title_form.cleaned_data["exit_window_days"] is not None:
                questionnaire_exit_window_set(questionnaire=questionnaire,
                                              days=title_form.cleaned_data["exit_window_days"])
            messages.success(request, _("The title and waves were saved."))
            return redirect("questionnaires:builder", org_slug, public_id)
        if conflict and conflict["definition"]:
            title_form, formset = _general_forms(None, conflict["definition"],
                                                 questionnaire.exit_window_days)
    return render(request, "questionnaires/general.html", {
        "questionnaire": questionnaire, "title_form": title_form, "formset": formset,
        "opened": opened, "conflict": conflict,
        "answered_waves": set(Response.objects.filter(questionnaire=questionnaire)
                              .values_list("wave__number", flat=True)),
    })


def _scale_forms(data, definition, key):
    choices = definition.scales.get(key, ())
    return (ScaleForm(data, initial={"key": key}),
            ChoiceFormSet(data, prefix="choices", initial=[
                {"code": c.code, "label": c.label, "ORDER": position,
                 "score": int(c.score) if c.score is not None and c.score.is_integer()
                 else c.score}
                for position, c in enumerate(choices, start=1)]))


@login_required
@membership_required("manage_data")
def scale_edit(request, org_slug, public_id, key=None):
    questionnaire = questionnaire_for(request.membership, public_id)
    definition = builder.definition_of(questionnaire)
    if key is not None and key not in definition.scales:
        raise Http404
    scale_form, formset = _scale_forms(request.POST or None, definition, key)
    part = ("scale", key) if key else None
    opened, conflict = _opened(request, questionnaire, definition, part), None
    meaning_changes: list[str] = []
    if request.method == "POST" and scale_form.is_valid() and formset.is_valid():
        new_key, choices = scale_form.cleaned_data["key"], formset.choices()
        saved, conflict, opened, meaning_changes = _builder_save(
            request, scale_form, questionnaire=questionnaire, part=part,
            part_after=("scale", new_key),
            change=lambda d: builder.definition_with_scale(d, old_key=key, key=new_key,
                                                           choices=choices))
        if saved:
            messages.success(request, _("The scale “%(key)s” was saved.") % {"key": new_key})
            return redirect("questionnaires:builder", org_slug, public_id)
        if conflict and conflict["definition"]:
            scale_form, formset = _scale_forms(None, conflict["definition"], new_key)
    return render(request, "questionnaires/scale_form.html", {
        "questionnaire": questionnaire, "key": key, "scale_form": scale_form,
        "formset": formset, "meaning_changes": meaning_changes,
        "opened": opened, "conflict": conflict,
        "users": [i.code for i in definition.items if i.scale == key] if key else [],
    })


@login_required
@require_POST
@membership_required("manage_data")
def scale_delete(request, org_slug, public_id, key):
    questionnaire = questionnaire_for(request.membership, public_id)
    try:
        builder.definition_apply(
            questionnaire=questionnaire,
            change=lambda d: builder.definition_without_scale(d, key=key))
    except DefinitionInvalid as refusal:
        _refused(request, refusal.problems)
    else:
        messages.success(request, _("The scale “%(key)s” was removed.") % {"key": key})
    return redirect("questionnaires:builder", org_slug, public_id)


def _item_form(data, definition, code, dimension=""):
    current = next((i for i in definition.items if i.code == code), None)
    initial = ({"code": current.code, "text": current.text, "dimension": current.dimension,
                "scale": current.scale} if current else {"dimension": dimension})
    return ItemForm(data, initial=initial, definition=definition)


@login_required
@membership_required("manage_data")
def item_edit(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    definition = builder.definition_of(questionnaire)
    code = request.GET.get("code")
    if code is not None and not any(i.code == code for i in definition.items):
        raise Http404
    form = _item_form(request.POST or None, definition, code, request.GET.get("dimension", ""))
    part = ("item", code) if code else None
    opened, conflict = _opened(request, questionnaire, definition, part), None
    meaning_changes: list[str] = []
    if request.method == "POST" and form.is_valid():
        item = ItemDef(**{name: form.cleaned_data[name].strip()
                          for name in ("code", "text", "dimension", "scale")})
        saved, conflict, opened, meaning_changes = _builder_save(
            request, form, questionnaire=questionnaire, part=part,
            part_after=("item", item.code),
            change=lambda d: builder.definition_with_item(d, old_code=code, item=item))
        if saved:
            messages.success(request, _("The item %(code)s was saved.") % {"code": item.code})
            return redirect("questionnaires:builder", org_slug, public_id)
        if conflict and conflict["definition"]:
            form = _item_form(None, conflict["definition"], item.code)
    return render(request, "questionnaires/item_form.html", {
        "questionnaire": questionnaire, "form": form, "code": code,
        "meaning_changes": meaning_changes,
        "opened": opened, "conflict": conflict,
        "answered": code is not None and Answer.objects.filter(
            item__questionnaire=questionnaire, item__code=code).exists(),
    })


@login_required
@require_POST
@membership_required("manage_data")
def item_delete(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    code = request.POST.get("code", "")
    try:
        builder.definition_apply(
            questionnaire=questionnaire,
            change=lambda d: builder.definition_without_item(d, code=code))
    except DefinitionInvalid as refusal:
        _refused(request, refusal.problems)
    else:
        messages.success(request, _("The item %(code)s was removed.") % {"code": code})
    return redirect("questionnaires:builder", org_slug, public_id)


@login_required
@membership_required("manage_data")
def questionnaire_history(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    return render(request, "questionnaires/history.html", {
        "questionnaire": questionnaire,
        "entries": definition_history(questionnaire=questionnaire),
    })


def _step(request) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


@login_required
@require_POST
@membership_required("manage_data")
def item_move(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    code, step = request.POST.get("code", ""), _step(request)
    try:
        builder.definition_apply(
            questionnaire=questionnaire,
            change=lambda d: builder.definition_item_move(d, code=code, step=step))
    except DefinitionInvalid as refusal:
        _refused(request, refusal.problems)
    return redirect(f"{_builder_url(org_slug, public_id)}#items")


@login_required
@require_POST
@membership_required("manage_data")
def dimension_move(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    dimension, step = request.POST.get("dimension", ""), _step(request)
    try:
        builder.definition_apply(
            questionnaire=questionnaire,
            change=lambda d: builder.definition_dimension_move(d, dimension=dimension,
                                                               step=step))
    except DefinitionInvalid as refusal:
        _refused(request, refusal.problems)
    return redirect(f"{_builder_url(org_slug, public_id)}#items")


def _builder_url(org_slug, public_id) -> str:
    return reverse("questionnaires:builder", args=[org_slug, public_id])


@login_required
@require_http_methods(["GET", "POST"])
@membership_required("manage_data")
def questionnaire_publish(request, org_slug, public_id):
    """Choose the scope, see whose worklists it lengthens (GET, changes nothing), publish."""
    questionnaire = questionnaire_for(request.membership, public_id)
    people = people_to_count_for(request.membership)
    today = timezone.localdate()
    # Opened without a choice: the default scope (from today), its effect shown at once.
    data = request.POST if request.method == "POST" else (
        request.GET or {"entered_from": today.isoformat()})
    form = PublishForm(data,
                       programmes=programmes_for(request.membership))
    if questionnaire.status == Questionnaire.Status.PUBLISHED or not form.is_valid():
        return render(request, "questionnaires/publish.html",
                      {"questionnaire": questionnaire, "form": form, "added": None})
    scope = {"entered_from": form.cleaned_data["entered_from"],
             "programmes": form.cleaned_data["programmes"]}
    if request.method == "POST":
        builder.questionnaire_publish(questionnaire=questionnaire, **scope)
        messages.success(request, _("The questionnaire is published: counsellors can use it."))
        return redirect("questionnaires:builder", org_slug, public_id)
    added = publication_added(questionnaire=questionnaire, people=people, today=today, **scope)
    return render(request, "questionnaires/publish.html", {
        "questionnaire": questionnaire, "form": form, "added": added,
        "added_total": sum(count for _name, count in added)})


@login_required
@membership_required("manage_data")
def questionnaire_preview(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    definition = builder.definition_of(questionnaire)
    return render(request, "questionnaires/preview.html", {
        "questionnaire": questionnaire, "definition": definition,
        "groups": [
            (dimension, [(item, definition.scales[item.scale]) for item in items])
            for dimension, items in builder.items_grouped(definition.items)
        ],
    })


# -- Upload of responses -----------------------------------------------------------------------


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


# -- Exports -----------------------------------------------------------------------------------


@login_required
@membership_required("see_aggregates")
def questionnaire_exports(request, org_slug, public_id):
    membership = request.membership
    questionnaire = questionnaire_for(membership, public_id)
    return render(request, "questionnaires/exports.html", {
        "questionnaire": questionnaire, "can_export_rows": membership.can.manage_data,
        "minimum": exports.AGGREGATE_MIN_COUNT,
    })


@dataclass(frozen=True)
class ExportFormat:
    """One download of the exports page: who may have it, how it is built, how it is named."""

    build: Callable  # an exports.* function of the questionnaire: bytes or lines of text
    kind: str  # the file is <questionnaire>-<kind>-<date>.<extension>, its URL <kind>.<extension>
    extension: str
    content_type: str
    capability: str  # organisations/permissions.py


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# By URL name. Rows (even pseudonymous) are for data managers; aggregates for every role
# that sees them.
EXPORT_FORMATS = {
    "export_csv": ExportFormat(exports.wide_csv_lines, "reponses", "csv", CSV, "manage_data"),
    "export_long": ExportFormat(exports.long_csv_lines, "reponses-long", "csv", CSV,
                                "manage_data"),
    "export_xlsx": ExportFormat(exports.xlsx_build, "reponses", "xlsx", XLSX, "manage_data"),
    "export_sav": ExportFormat(exports.sav_build, "reponses", "sav", "application/x-spss-sav",
                               "manage_data"),
    "export_aggregate_csv": ExportFormat(exports.aggregate_csv_lines, "agregats", "csv", CSV,
                                         "see_aggregates"),
    "export_aggregate_xlsx": ExportFormat(exports.aggregate_xlsx_build, "agregats", "xlsx",
                                          XLSX, "see_aggregates"),
}


def _export_view(form: ExportFormat):
    """The download view of one format: the table decides who may have it."""

    @login_required
    @membership_required(form.capability)
    def questionnaire_export(request, org_slug, public_id):
        questionnaire = questionnaire_for(request.membership, public_id)
        return _download(form.build(questionnaire=questionnaire), questionnaire=questionnaire,
                         kind=form.kind, extension=form.extension,
                         content_type=form.content_type)

    return questionnaire_export


EXPORT_VIEWS = {name: _export_view(form) for name, form in EXPORT_FORMATS.items()}
