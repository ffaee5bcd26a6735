"""The builder: a questionnaire's title and waves, scales and items edited, moved,
removed, previewed and published, with the conflicts of two editors shown."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from organisations.access import (
    membership_required,
    people_to_count_for,
    programmes_for,
    questionnaire_for,
)
from questionnaires import builder
from questionnaires.definitions import DefinitionInvalid, ItemDef
from questionnaires.forms import (
    ChoiceFormSet,
    ItemForm,
    PublishForm,
    ScaleForm,
    TitleForm,
    WaveFormSet,
)
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response
from questionnaires.publication import publication_added
from questionnaires.services import MeaningConfirmationNeeded, questionnaire_exit_window_set
from questionnaires.views.common import meaning_confirmed, refused


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
                                 confirm_meaning_unchanged=meaning_confirmed(request))
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
    _apply(request, questionnaire=questionnaire,
           change=lambda d: builder.definition_without_scale(d, key=key),
           done=_("The scale “%(key)s” was removed.") % {"key": key})
    return redirect("questionnaires:builder", org_slug, public_id)


def _apply(request, *, questionnaire, change, done: str = "") -> None:
    """A one-click change of the builder (remove, move): applied to the definition as it is
    now; a refusal becomes error messages, a success the message ``done`` if any."""
    try:
        builder.definition_apply(questionnaire=questionnaire, change=change)
    except DefinitionInvalid as refusal:
        refused(request, refusal.problems)
    else:
        if done:
            messages.success(request, done)


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
    _apply(request, questionnaire=questionnaire,
           change=lambda d: builder.definition_without_item(d, code=code),
           done=_("The item %(code)s was removed.") % {"code": code})
    return redirect("questionnaires:builder", org_slug, public_id)


def _step(request) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


@login_required
@require_POST
@membership_required("manage_data")
def item_move(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    code, step = request.POST.get("code", ""), _step(request)
    _apply(request, questionnaire=questionnaire,
           change=lambda d: builder.definition_item_move(d, code=code, step=step))
    return redirect(f"{_builder_url(org_slug, public_id)}#items")


@login_required
@require_POST
@membership_required("manage_data")
def dimension_move(request, org_slug, public_id):
    questionnaire = questionnaire_for(request.membership, public_id)
    dimension, step = request.POST.get("dimension", ""), _step(request)
    _apply(request, questionnaire=questionnaire,
           change=lambda d: builder.definition_dimension_move(d, dimension=dimension,
                                                              step=step))
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
