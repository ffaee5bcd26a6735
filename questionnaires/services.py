"""Writing questionnaires: loading a definition without ever changing what responses mean."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from organisations.models import Organisation
from questionnaires.definitions import (
    ChoiceDef,
    Definition,
    DefinitionInvalid,
    ItemDef,
    WaveDef,
)
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response, Scale, Wave


def questionnaire_definition(*, questionnaire: Questionnaire) -> Definition:
    """The questionnaire as the definition of formats.md §1 (for export and comparison)."""
    scales = {
        scale.key: tuple(
            ChoiceDef(code=c.code, label=c.label, score=c.score) for c in scale.choices.all()
        )
        for scale in questionnaire.scales.prefetch_related("choices")
    }
    return Definition(
        code=questionnaire.code,
        title=questionnaire.title,
        waves=tuple(
            WaveDef(number=w.number, label=w.label, due_after_days=w.due_after_days,
                    at_exit=w.at_exit)
            for w in questionnaire.waves.all()
        ),
        scales=scales,
        items=tuple(
            ItemDef(code=i.code, text=i.text, dimension=i.dimension, scale=i.scale.key)
            for i in questionnaire.items.select_related("scale")
        ),
    )


# Recorded as the reason of the change in the definition's history.
MEANING_UNCHANGED_REASON = "meaning unchanged (confirmed)"


class MeaningConfirmationNeeded(DefinitionInvalid):
    """The definition rewords answered items or relabels answered choices.

    Loading it again with ``confirm_meaning_unchanged=True`` states that the answers still
    mean what they meant; ``problems`` lists each change, old → new.
    """


def _wording_changes(*, questionnaire: Questionnaire, definition: Definition) -> list[str]:
    """Each answered item reworded and each answered choice relabelled, old → new."""
    changes = []
    new_items = {i.code: i for i in definition.items}
    answered_items = Item.objects.filter(questionnaire=questionnaire).filter(
        Exists(Answer.objects.filter(item=OuterRef("pk"))))
    for item in answered_items:
        new = new_items.get(item.code)
        if new is not None and new.text != item.text:
            changes.append(
                _("Item %(code)s has answers and is reworded: “%(old)s” → “%(new)s”.")
                % {"code": item.code, "old": item.text, "new": new.text})
    answered_choices = Choice.objects.filter(scale__questionnaire=questionnaire).filter(
        Exists(Answer.objects.filter(choice=OuterRef("pk")))).select_related("scale")
    for choice in answered_choices:
        new = {c.code: c for c in definition.scales.get(choice.scale.key, ())}.get(choice.code)
        if new is not None and new.label != choice.label:
            changes.append(
                _("Choice %(code)s of scale “%(scale)s” has answers and is relabelled: "
                  "“%(old)s” → “%(new)s”.")
                % {"code": choice.code, "scale": choice.scale.key, "old": choice.label,
                   "new": new.label})
    return changes


def _save_if_changed(instance, values: dict, *, reason: str | None = None) -> None:
    """Write only what changed, so that the history shows real changes and nothing else."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(instance, name, values[name])
    if reason:
        instance._change_reason = reason
    instance.save(update_fields=changed)


def _meaning_changes(*, questionnaire: Questionnaire, definition: Definition) -> list[str]:
    """What the new definition would change in the meaning of existing responses."""
    problems = []
    answered_waves = set(
        Response.objects.filter(questionnaire=questionnaire).values_list("wave__number", flat=True)
    )
    new_waves = {w.number for w in definition.waves}
    for number in sorted(answered_waves - new_waves):
        problems.append(
            _("Wave %(number)d has responses and cannot be removed.") % {"number": number}
        )

    new_items = {i.code: i for i in definition.items}
    used_items = Item.objects.filter(questionnaire=questionnaire).filter(
        Exists(Answer.objects.filter(item=OuterRef("pk")))
    ).select_related("scale")
    for item in used_items:
        new = new_items.get(item.code)
        if new is None:
            problems.append(
                _("Item %(code)s has answers and cannot be removed.") % {"code": item.code}
            )
        elif new.scale != item.scale.key:
            problems.append(
                _("Item %(code)s has answers: its scale cannot change from “%(old)s” to “%(new)s”.")
                % {"code": item.code, "old": item.scale.key, "new": new.scale}
            )

    used_choices = Choice.objects.filter(scale__questionnaire=questionnaire).filter(
        Exists(Answer.objects.filter(choice=OuterRef("pk")))
    ).select_related("scale")
    for choice in used_choices:
        new_choices = {c.code: c for c in definition.scales.get(choice.scale.key, ())}
        new = new_choices.get(choice.code)
        if new is None:
            problems.append(
                _("Choice %(code)s of scale “%(scale)s” has answers and cannot be removed "
                  "or recoded.")
                % {"code": choice.code, "scale": choice.scale.key}
            )
        elif new.score != choice.score:
            problems.append(
                _("Choice %(code)s of scale “%(scale)s” has answers: its score cannot change "
                  "from %(old)s to %(new)s.")
                % {"code": choice.code, "scale": choice.scale.key,
                   "old": choice.score, "new": new.score}
            )
    return problems


def _sync_waves(questionnaire: Questionnaire, waves: tuple[WaveDef, ...]) -> None:
    existing = {w.number: w for w in questionnaire.waves.all()}
    for wave in waves:
        current = existing.pop(wave.number, None)
        if current is None:
            Wave.objects.create(questionnaire=questionnaire, number=wave.number,
                                label=wave.label, due_after_days=wave.due_after_days,
                                at_exit=wave.at_exit)
        else:
            _save_if_changed(current, {"label": wave.label,
                                       "due_after_days": wave.due_after_days,
                                       "at_exit": wave.at_exit})
    for stale in existing.values():
        stale.delete()


def _sync_scales(
    questionnaire: Questionnaire, scales: dict, reason: str | None
) -> tuple[dict[str, Scale], list[Scale]]:
    """Upsert scales and their choices; return the kept scales and those no longer defined."""
    existing = {s.key: s for s in questionnaire.scales.prefetch_related("choices")}
    kept = {}
    for key, choices in scales.items():
        scale = existing.pop(key, None)
        if scale is None:
            scale = Scale.objects.create(questionnaire=questionnaire, key=key)
        kept[key] = scale
        current = {c.code: c for c in scale.choices.all()}
        for order, choice in enumerate(choices):
            old = current.pop(choice.code, None)
            if old is None:
                Choice.objects.create(scale=scale, code=choice.code, label=choice.label,
                                      score=choice.score, order=order)
            else:
                _save_if_changed(old, {"label": choice.label, "score": choice.score,
                                       "order": order},
                                 reason=reason if old.label != choice.label else None)
        for stale in current.values():
            stale.delete()
    # Stale scales are deleted only once no item points at them any more.
    return kept, list(existing.values())


def _sync_items(questionnaire: Questionnaire, items: tuple[ItemDef, ...], scales: dict,
                reason: str | None) -> None:
    existing = {i.code: i for i in questionnaire.items.all()}
    for order, item in enumerate(items):
        current = existing.pop(item.code, None)
        fields = {"text": item.text, "dimension": item.dimension,
                  "scale_id": scales[item.scale].pk, "order": order}
        if current is None:
            Item.objects.create(questionnaire=questionnaire, code=item.code, **fields)
        else:
            _save_if_changed(current, fields,
                             reason=reason if current.text != item.text else None)
    for stale in existing.values():
        stale.delete()


@transaction.atomic
def questionnaire_load(
    *, organisation: Organisation, definition: Definition,
    confirm_meaning_unchanged: bool = False,
) -> tuple[Questionnaire, bool]:
    """Create the questionnaire, or bring an existing one of the same code up to date.

    An update may correct wording, add waves, items and choices, and drop what has no
    answer yet; anything that would change what existing responses mean is refused whole
    (DefinitionInvalid lists why) and nothing is written. Rewording an answered item or
    relabelling an answered choice needs ``confirm_meaning_unchanged`` (else
    MeaningConfirmationNeeded lists the changes); the history records the confirmation.
    """
    questionnaire = (
        Questionnaire.objects.select_for_update()
        .filter(organisation=organisation, code=definition.code)
        .first()
    )
    created = questionnaire is None
    if created:
        questionnaire = Questionnaire.objects.create(
            organisation=organisation, code=definition.code, title=definition.title
        )
    else:
        problems = _meaning_changes(questionnaire=questionnaire, definition=definition)
        if problems:
            raise DefinitionInvalid(problems)
        wording = _wording_changes(questionnaire=questionnaire, definition=definition)
        if wording and not confirm_meaning_unchanged:
            raise MeaningConfirmationNeeded(wording)
        _save_if_changed(questionnaire, {"title": definition.title})

    reason = MEANING_UNCHANGED_REASON if confirm_meaning_unchanged else None
    _sync_waves(questionnaire, definition.waves)
    scales, stale_scales = _sync_scales(questionnaire, definition.scales, reason)
    _sync_items(questionnaire, definition.items, scales, reason)
    for scale in stale_scales:
        scale.delete()
    return questionnaire, created


@transaction.atomic
def questionnaire_exit_window_set(*, questionnaire: Questionnaire, days: int) -> None:
    """How long a wave at exit stays open after a person's exit (kept in the history)."""
    _save_if_changed(questionnaire, {"exit_window_days": days})
