"""Reads for the entry form: the questionnaire's items by dimension, a saved response."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Prefetch,
    QuerySet,
)

from beneficiaries.models import Beneficiary
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response, Wave


@dataclass(frozen=True)
class DimensionGroup:
    name: str
    items: list[Item]


def entry_items(*, questionnaire: Questionnaire) -> list[Item]:
    """The questionnaire's items in order, each with its scale's choices (two queries)."""
    return list(
        questionnaire.items.select_related("scale")
        .prefetch_related(Prefetch("scale__choices", queryset=Choice.objects.order_by(
            "order", "pk")))
        .order_by("order", "pk")
    )


def items_by_dimension(items: Iterable[Item]) -> list[DimensionGroup]:
    """Items grouped by dimension, dimensions in the order of their first item."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.dimension, []).append(item)
    return [DimensionGroup(name, members) for name, members in groups.items()]


def response_saved(*, responses: QuerySet[Response], beneficiary: Beneficiary,
                   questionnaire: Questionnaire, wave: Wave) -> Response | None:
    """The person's response to that wave, with its answers, or None."""
    return (
        responses.filter(beneficiary=beneficiary, questionnaire=questionnaire, wave=wave)
        .select_related("entered_by")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("choice")))
        .first()
    )
