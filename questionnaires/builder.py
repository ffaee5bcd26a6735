"""The questionnaire builder: small edits of a formats.md §1 definition, applied safely.

Every change made in the browser is one pure function from a ``Definition`` to a new one,
then ``definition_apply`` checks the result with ``definition_parse`` and writes it with
``questionnaire_load``: the rules that protect existing answers live there, in one place.

A page never overwrites a colleague's change (optimistic concurrency): the change is applied
to the definition as it is when the write starts, under the questionnaire's row lock, and
each write adds one to the questionnaire's version. A form carries the version and the part
it edits (the title and waves, a scale, an item) as it showed them; if the questionnaire
changed since and that very part differs, nothing is written (DefinitionStale) and both are
shown. Changes to other parts are simply kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import replace

from django.core import signing
from django.db import transaction
from django.db.models import F
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


# A part of a definition that one builder form edits: ("general", None), ("scale", key) or
# ("item", code).
Part = tuple[str, str | None]
_PART_SALT = "questionnaires.builder.part"


class DefinitionStale(Exception):
    """A value the form changed was changed differently since it was opened; nothing written.

    ``conflicts`` are (path, theirs, mine) of each such value in the part's JSON data;
    ``merged`` is the part with the user's changes and the colleague's other ones.
    """

    def __init__(self, *, current: Definition, version: int, conflicts: list, merged):
        super().__init__("definition changed meanwhile")
        self.current, self.version = current, version
        self.conflicts, self.merged = conflicts, merged


def part_merge(shown, theirs, mine, path: tuple = ()) -> tuple[object, list]:
    """Three-way merge of a part's JSON data: (merged, [(path, theirs, mine) in conflict]).

    Dicts merge key by key and lists of one length index by index; anything else (a list
    that grew or shrank) is one value. A value changed on one side only takes that side.
    """
    if all(isinstance(v, dict) for v in (shown, theirs, mine)) and (
            shown.keys() == theirs.keys() == mine.keys()):
        merged, conflicts = {}, []
        for key in shown:
            merged[key], found = part_merge(shown[key], theirs[key], mine[key], (*path, key))
            conflicts += found
        return merged, conflicts
    if all(isinstance(v, list) for v in (shown, theirs, mine)) and (
            len(shown) == len(theirs) == len(mine)):
        merged, conflicts = [], []
        for index, values in enumerate(zip(shown, theirs, mine, strict=True)):
            value, found = part_merge(*values, (*path, index))
            merged.append(value)
            conflicts += found
        return merged, conflicts
    if mine == shown:
        return theirs, []
    if theirs in (shown, mine):
        return mine, []
    return mine, [(path, theirs, mine)]


def definition_with_part(definition: Definition, *, part: Part, part_after: Part, value
                         ) -> Definition:
    """``definition`` with ``part`` set to ``value`` (its JSON data), renamed to ``part_after``."""
    kind, key = part
    if kind == "general":
        return definition_with_general(definition, title=value["title"],
                                       waves=[tuple(wave) for wave in value["waves"]])
    if kind == "scale":
        return definition_with_scale(
            definition, old_key=key, key=part_after[1],
            choices=[ChoiceDef(code=c, label=label, score=score) for c, label, score in value])
    return definition_with_item(definition, old_code=key,
                                item=ItemDef(code=part_after[1], **value))


def definition_part(definition: Definition, part: Part | None):
    """The values of ``part`` in ``definition``, as plain JSON data (None if absent)."""
    if part is None:
        return None
    kind, key = part
    if kind == "general":
        value = {"title": definition.title,
                 "waves": [[w.label, w.due_after_days, w.at_exit] for w in definition.waves]}
    elif kind == "scale":
        choices = definition.scales.get(key)
        value = None if choices is None else [[c.code, c.label, c.score] for c in choices]
    else:
        item = next((i for i in definition.items if i.code == key), None)
        value = None if item is None else {"text": item.text, "dimension": item.dimension,
                                           "scale": item.scale}
    return json.loads(json.dumps(value))


def part_sign(definition: Definition, part: Part | None) -> str:
    """The part as a form shows it, tamper-proof, for the form's hidden field."""
    return signing.dumps(definition_part(definition, part), salt=_PART_SALT, compress=True)


def part_unsign(value: str):
    """The part a form carried; raises signing.BadSignature when missing or altered."""
    return signing.loads(value, salt=_PART_SALT)


@transaction.atomic
def definition_apply(
    *, questionnaire: Questionnaire, definition: Definition | None = None,
    change: Callable[[Definition], Definition] | None = None, version: int | None = None,
    part: Part | None = None, part_after: Part | None = None, shown=None,
    confirm_meaning_unchanged: bool = False,
) -> Questionnaire:
    """Check and write an edited definition of ``questionnaire``; DefinitionInvalid says why not.

    ``change`` is applied to the definition as it is now, under the questionnaire's lock
    (or ``definition`` is written as given). With ``version`` (the version the form was
    opened at), ``part`` and ``shown`` (that part as the form showed it), a form opened
    before a colleague changed that part raises DefinitionStale. Nothing is written when it
    is refused, whether the definition breaks formats.md §1 or would change what existing
    answers mean. Rewording answered items or choices needs ``confirm_meaning_unchanged``
    (else MeaningConfirmationNeeded lists the changes).
    """
    current_version = (Questionnaire.objects.select_for_update()
                       .values_list("version", flat=True).get(pk=questionnaire.pk))
    current = definition_of(questionnaire) if change or version is not None else None
    if change is not None:
        definition = change(current)
    theirs = definition_part(current, part)
    if version is not None and version != current_version and part is not None and (
            theirs != shown):
        # Changed since the form was opened: merge value by value, refuse on a clash.
        mine = definition_part(definition, part_after or part)
        if theirs is None or mine is None or shown is None:
            raise DefinitionStale(current=current, version=current_version,
                                  conflicts=[((), theirs, mine)], merged=mine)
        merged, conflicts = part_merge(shown, theirs, mine)
        if conflicts:
            raise DefinitionStale(current=current, version=current_version,
                                  conflicts=conflicts, merged=merged)
        definition = definition_with_part(current, part=part, part_after=part_after or part,
                                          value=merged)
    if definition.code != questionnaire.code:
        raise DefinitionInvalid([
            _("The code of a questionnaire cannot change; “%(code)s” would make a new one.")
            % {"code": definition.code}
        ])
    loaded, _created = questionnaire_load(
        organisation=questionnaire.organisation, definition=definition_checked(definition),
        confirm_meaning_unchanged=confirm_meaning_unchanged,
    )
    Questionnaire.objects.filter(pk=questionnaire.pk, version=current_version).update(
        version=F("version") + 1)
    loaded.refresh_from_db(fields=["version"])
    return loaded


@transaction.atomic
def definition_import(*, organisation: Organisation, definition: Definition,
                      confirm_meaning_unchanged: bool = False) -> tuple[Questionnaire, bool]:
    """``questionnaire_load`` for an imported definition: open builder pages become stale."""
    questionnaire, created = questionnaire_load(
        organisation=organisation, definition=definition,
        confirm_meaning_unchanged=confirm_meaning_unchanged)
    if not created:
        Questionnaire.objects.filter(pk=questionnaire.pk).update(version=F("version") + 1)
    return questionnaire, created


@transaction.atomic
def questionnaire_publish(
    *, questionnaire: Questionnaire, entered_from: dt.date | None = None,
    programmes: Sequence[str] = (),
) -> Questionnaire:
    """Make the questionnaire available to counsellors, for the people of its scope
    (``questionnaires.publication``; no date and no programme: everyone)."""
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.scope_entered_from = entered_from
    questionnaire.scope_programmes = sorted(programmes)
    questionnaire.save(update_fields=["status", "scope_entered_from", "scope_programmes"])
    return questionnaire


def definition_with_general(
    definition: Definition, *, title: str,
    waves: list[tuple[str, int]] | list[tuple[str, int, bool]],
) -> Definition:
    """New title and waves (label, days[, at exit]), numbered 1..n in the order given."""
    return replace(
        definition,
        title=title,
        waves=tuple(
            WaveDef(number=number, label=label, due_after_days=days,
                    at_exit=bool(at_exit and at_exit[0]))
            for number, (label, days, *at_exit) in enumerate(waves, start=1)
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
