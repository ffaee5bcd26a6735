"""The questionnaires of an organisation and their definitions: the list, a new one
from the method's model, a definition imported or downloaded as JSON, its history."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organisations.access import membership_required, questionnaire_for, questionnaires_for
from questionnaires import builder
from questionnaires.definitions import (
    DefinitionInvalid,
    definition_dump,
    definition_json_load,
    definition_parse,
)
from questionnaires.forms import DefinitionUploadForm, QuestionnaireCreateForm
from questionnaires.history import definition_history
from questionnaires.models import Item, Response
from questionnaires.services import MeaningConfirmationNeeded
from questionnaires.views.common import download, meaning_confirmed


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
                confirm_meaning_unchanged=meaning_confirmed(request))
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
    return download(content, questionnaire=questionnaire, kind="definition", extension="json",
                     content_type="application/json; charset=utf-8")


@login_required
@membership_required("manage_data")
def questionnaire_history(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    return render(request, "questionnaires/history.html", {
        "questionnaire": questionnaire,
        "entries": definition_history(questionnaire=questionnaire),
    })
