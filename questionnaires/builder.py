"""The questionnaire builder: small edits of a formats.md §1 definition, applied safely.

Every change made in the browser is one pure function from a ``Definition`` to a new one,
then ``definition_apply`` checks the result with ``definition_parse`` and writes it with
``questionnaire_load``: the rules that protect existing answers live there, in one place.
"""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction
from django.utils.translation import gettext as _

from organisations.models import Organisation
from questionnaires.definitions import (
    ChoiceDef,
    Definition,
    DefinitionInvalid,
    ItemDef,
    WaveDef,
    definition_dump,
    definition_parse,
)
from questionnaires.models import Questionnaire
from questionnaires.services import questionnaire_definition, questionnaire_load


def definition_starter(*, code: str, title: str) -> Definition:
    """What a new questionnaire starts from: the method's three waves, scale and one item."""
    return Definition(
        code=code,
        title=title,
        waves=(
            WaveDef(number=1, label=_("Entry"), due_after_days=0),
            WaveDef(number=2, label=_("Mid-way"), due_after_days=90),
            WaveDef(number=3, label=_("Exit"), due_after_days=180),
        ),
        scales={
            "capacite": (
                ChoiceDef(code="A", label=_("Yes, I feel able to do it by myself"), score=3),
                ChoiceDef(code="B", label=_("Yes, I feel able to do it but I need help"),
                          score=2),
                ChoiceDef(code="C", label=_("No, I do not know how to go about it"), score=1),
                ChoiceDef(code="NSP", label=_("No opinion"), score=None),
            )
        },
        items=(
            ItemDef(code="Q01",
                    text=_("Do you feel able to move forward with your career plan?"),
                    dimension=_("Personal project"), scale="capacite"),
        ),
    )


def definition_checked(definition: Definition) -> Definition:
    """The definition as ``definition_parse`` reads it back; raises DefinitionInvalid."""
    return definition_parse(definition_dump(definition))


@transaction.atomic
def questionnaire_create(*, organisation: Organisation, code: str, title: str) -> Questionnaire:
    """A new draft questionnaire from the starter definition; refuses a code already used."""
    if Questionnaire.objects.filter(organisation=organisation, code=code).exists():
        raise DefinitionInvalid([
            _("A questionnaire with the code “%(code)s” already exists.") % {"code": code}
        ])
    definition = definition_checked(definition_starter(code=code, title=title))
    questionnaire, _created = questionnaire_load(organisation=organisation, definition=definition)
    return questionnaire


def definition_apply(*, questionnaire: Questionnaire, definition: Definition,
                     confirm_meaning_unchanged: bool = False) -> Questionnaire:
    """Check and write an edited definition of ``questionnaire``; DefinitionInvalid says why not.

    Nothing is written when it is refused, whether the definition breaks formats.md §1 or
    would change what existing answers mean. Rewording answered items or choices needs
    ``confirm_meaning_unchanged`` (else MeaningConfirmationNeeded lists the changes).
    """
    if definition.code != questionnaire.code:
        raise DefinitionInvalid([
            _("The code of a questionnaire cannot change; “%(code)s” would make a new one.")
            % {"code": definition.code}
        ])
    loaded, _created = questionnaire_load(
        organisation=questionnaire.organisation, definition=definition_checked(definition),
        confirm_meaning_unchanged=confirm_meaning_unchanged,
    )
    return loaded


@transaction.atomic
def questionnaire_publish(*, questionnaire: Questionnaire) -> Questionnaire:
    """Make the questionnaire available to counsellors."""
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save(update_fields=["status"])
    return questionnaire


def definition_with_general(
    definition: Definition, *, title: str, waves: list[tuple[str, int]]
) -> Definition:
    """New title and waves (label, days), numbered 1..n in the order given."""
    return replace(
        definition,
        title=title,
        waves=tuple(
            WaveDef(number=number, label=label, due_after_days=days)
            for number, (label, days) in enumerate(waves, start=1)
        ),
    )


def definition_with_scale(
    definition: Definition, *, old_key: str | None, key: str, choices: list[ChoiceDef]
) -> Definition:
    """Add a scale, or replace ``old_key`` (renamed to ``key``, its items following it)."""
    if key != old_key and key in definition.scales:
        raise DefinitionInvalid([
            _("A scale with the key “%(key)s” already exists.") % {"key": key}
        ])
    scales = {}
    for name, current in definition.scales.items():
        scales[key if name == old_key else name] = tuple(choices) if name == old_key else current
    if old_key is None or old_key not in definition.scales:
        scales[key] = tuple(choices)
    items = tuple(
        replace(item, scale=key) if old_key is not None and item.scale == old_key else item
        for item in definition.items
    )
    return replace(definition, scales=scales, items=items)


def definition_without_scale(definition: Definition, *, key: str) -> Definition:
    """Remove a scale no item uses."""
    users = [item.code for item in definition.items if item.scale == key]
    if users:
        raise DefinitionInvalid([
            _("The scale “%(key)s” is used by %(items)s; give them another scale first.")
            % {"key": key, "items": ", ".join(users)}
        ])
    return replace(
        definition, scales={name: c for name, c in definition.scales.items() if name != key}
    )


def items_grouped(items: tuple[ItemDef, ...] | list) -> list[tuple[str, list]]:
    """Items by dimension, dimensions in the order of their first item."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.dimension, []).append(item)
    return list(groups.items())


def _flatten(groups: list[tuple[str, list]]) -> tuple:
    return tuple(item for _dimension, items in groups for item in items)


def definition_with_item(
    definition: Definition, *, old_code: str | None, item: ItemDef
) -> Definition:
    """Add an item at the end of its dimension, or replace ``old_code`` where it stands.

    Items stay grouped by dimension: an item moved to another dimension goes to its end.
    """
    if item.code != old_code and any(i.code == item.code for i in definition.items):
        raise DefinitionInvalid([
            _("An item with the code “%(code)s” already exists.") % {"code": item.code}
        ])
    groups = items_grouped(definition.items)
    current = next((i for i in definition.items if i.code == old_code), None)
    if current is not None and current.dimension == item.dimension:
        groups = [(d, [item if i.code == old_code else i for i in items]) for d, items in groups]
    else:
        groups = [(d, [i for i in items if i.code != old_code]) for d, items in groups]
        groups = [(d, items) for d, items in groups if items]
        for dimension, items in groups:
            if dimension == item.dimension:
                items.append(item)
                break
        else:
            groups.append((item.dimension, [item]))
    return replace(definition, items=_flatten(groups))


def definition_without_item(definition: Definition, *, code: str) -> Definition:
    """Remove an item (``questionnaire_load`` refuses it if the item has answers)."""
    return replace(definition, items=tuple(i for i in definition.items if i.code != code))


def _swap(values: list, index: int, step: int) -> list:
    other = index + step
    if index < 0 or not 0 <= other < len(values):
        return values
    values = list(values)
    values[index], values[other] = values[other], values[index]
    return values


def definition_item_move(definition: Definition, *, code: str, step: int) -> Definition:
    """Move an item one place up (step -1) or down (+1) within its dimension."""
    groups = []
    for dimension, items in items_grouped(definition.items):
        codes = [i.code for i in items]
        index = codes.index(code) if code in codes else -1
        groups.append((dimension, _swap(items, index, step)))
    return replace(definition, items=_flatten(groups))


def definition_dimension_move(definition: Definition, *, dimension: str, step: int) -> Definition:
    """Move a whole dimension, with its items, one place up (-1) or down (+1)."""
    groups = items_grouped(definition.items)
    names = [name for name, _items in groups]
    index = names.index(dimension) if dimension in names else -1
    return replace(definition, items=_flatten(_swap(groups, index, step)))


def definition_of(questionnaire: Questionnaire) -> Definition:
    """The questionnaire's current definition, items grouped by dimension as the builder shows."""
    definition = questionnaire_definition(questionnaire=questionnaire)
    return replace(definition, items=_flatten(items_grouped(definition.items)))
