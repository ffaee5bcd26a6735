"""The people list's filters: scope names, a search, sorts, programmes.

Nothing here asks ``organisations.access`` (which reads ``programmes_of``), so that the
two modules do not import each other; ``beneficiaries.scope`` applies the membership.
"""

from __future__ import annotations

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)

from beneficiaries.models import Beneficiary
from organisations.models import Membership
from questionnaires.models import Questionnaire, Wave

PAGE_SIZE = 50

# Who a counsellor sees by default: the people they follow; "all" is the whole organisation.
SCOPE_MINE = "mine"
SCOPE_ALL = "all"


def programmes_of(*, people: QuerySet[Beneficiary]) -> list[str]:
    """The programme labels in use, for the list's filter."""
    return list(
        people.exclude(programme="").order_by("programme")
        .values_list("programme", flat=True).distinct()
    )


SORTS = {
    "code": ("code",),
    "name": ("last_name", "first_name", "code"),
    "-entry": ("-entry_date", "code"),
    "entry": ("entry_date", "code"),
    "counsellor": ("counsellor__last_name", "counsellor__first_name", "code"),
}


def beneficiaries_filter(
    *, people: QuerySet[Beneficiary], membership: Membership, search: str = "",
    counsellor: str = "", status: str = "", programme: str = "", sort: str = "code",
) -> QuerySet[Beneficiary]:
    """The list's filters: a search on code or name, counsellor, active/exited, programme."""
    for term in search.split():
        people = people.filter(
            Q(code__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        )
    if counsellor == SCOPE_MINE:
        people = people.filter(counsellor_id=membership.user_id)
    elif counsellor == "none":
        people = people.filter(counsellor__isnull=True)
    elif counsellor.isdigit():
        people = people.filter(counsellor_id=int(counsellor))
    if status == "active":
        people = people.filter(exit_date__isnull=True)
    elif status == "exited":
        people = people.filter(exit_date__isnull=False)
    if programme:
        people = people.filter(programme=programme)
    return people.select_related("counsellor").order_by(*SORTS.get(sort, SORTS["code"]))


def published_questionnaires(*, questionnaires: QuerySet[Questionnaire]) -> list[Questionnaire]:
    """The published questionnaires with their waves, oldest first (one query each)."""
    return list(
        questionnaires.filter(status=Questionnaire.Status.PUBLISHED)
        .order_by("created_at", "pk")
        .prefetch_related(Prefetch("waves", queryset=Wave.objects.order_by("number")))
    )
