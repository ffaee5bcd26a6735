"""Publishing with a scope: to whom a questionnaire applies, and what publishing adds.

A questionnaire applies to the people who entered on or after ``scope_entered_from`` and,
when ``scope_programmes`` is not empty, follow one of those programmes. Someone who already
has a response to it is always in scope: nothing typed disappears from their page. The
worklist (beneficiaries.worklist, SQL) and the status grid (beneficiaries.due, Python)
apply the same rule; tests check that both agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet

from questionnaires.models import Questionnaire, Response


def scope_condition(*, questionnaire: Questionnaire, answered: Q | None = None) -> Q:
    """SQL over people: "this questionnaire applies to the person".

    ``answered`` says "the person has a response to it"; by default a subquery, which the
    worklist replaces by its own aggregates (a subquery cannot sit in its aggregate filter).
    """
    rule = Q()
    if questionnaire.scope_entered_from is not None:
        rule &= Q(entry_date__gte=questionnaire.scope_entered_from)
    if questionnaire.scope_programmes:
        rule &= Q(programme__in=questionnaire.scope_programmes)
    if not rule:
        return rule
    if answered is None:
        answered = Q(Exists(Response.objects.filter(beneficiary=OuterRef("pk"),
                                                    questionnaire=questionnaire)))
    return rule | answered


def scope_includes(
    *, questionnaire: Questionnaire, entry_date: dt.date | None, programme: str,
    has_response: bool,
) -> bool:
    """The same rule as ``scope_condition``, for one person already read."""
    if has_response:
        return True
    start = questionnaire.scope_entered_from
    if start is not None and (entry_date is None or entry_date < start):
        return False
    return not questionnaire.scope_programmes or programme in questionnaire.scope_programmes


def publication_added(
    *, questionnaire: Questionnaire, people: QuerySet, entered_from: dt.date,
    programmes: Sequence[str], today: dt.date,
) -> list[tuple[str, int]]:
    """Whose worklists publishing with this scope would lengthen, and by how many people.

    Reads only: the scope is set on an unsaved copy. A person is added when wave 1 would be
    due or overdue for them today (in support, entered by today, no response yet), or a
    wave at exit would be open. Returns (counsellor's name, or "" when nobody follows the
    person; number of people), largest first.
    """
    scoped = Questionnaire(pk=questionnaire.pk, scope_entered_from=entered_from,
                           scope_programmes=list(programmes),
                           exit_window_days=questionnaire.exit_window_days)
    waves = list(questionnaire.waves.all())
    due = Q(exit_date__isnull=True) & (Q(entry_date__isnull=True) | Q(entry_date__lte=today))
    if any(w.at_exit for w in waves):
        window_start = today - dt.timedelta(days=questionnaire.exit_window_days)
        due |= Q(exit_date__lte=today, exit_date__gte=window_start)
    answered = Response.objects.filter(beneficiary=OuterRef("pk"), questionnaire=questionnaire)
    added = (people.filter(due).filter(scope_condition(questionnaire=scoped))
             .exclude(Exists(answered))
             .values_list("counsellor_id", "counsellor__first_name", "counsellor__last_name",
                          "counsellor__username"))
    counts = Counter(f"{first} {last}".strip() or username if counsellor else ""
                     for counsellor, first, last, username in added)
    return sorted(counts.items(), key=lambda entry: (-entry[1], entry[0]))
