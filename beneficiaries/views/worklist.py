"""The worklist: the waves due or overdue now and the situations to record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from beneficiaries.due import OVERDUE_AFTER_DAYS, WaveStatus
from beneficiaries.forms import WorklistFilterForm
from beneficiaries.people import PAGE_SIZE, SCOPE_ALL, published_questionnaires
from beneficiaries.scope import default_scope, people_in_scope
from beneficiaries.worklist import situations_due, work_items, work_items_page
from organisations.access import membership_required, questionnaires_for


@login_required
@membership_required("see_people")
def worklist(request, org_slug):
    """The waves due or overdue now: the counsellor's starting point."""
    membership = request.membership
    form = WorklistFilterForm(request.GET, initial={"scope": default_scope(membership)})
    scope, status = form.value("scope"), form.value("status")
    people = people_in_scope(membership=membership, scope=scope)
    questionnaires = published_questionnaires(questionnaires=questionnaires_for(membership))
    entries = work_items(people=people, questionnaires=questionnaires,
                         today=timezone.localdate(), status=status)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "scope": scope, "status": status, "org_slug": org_slug,
        "overdue_days": OVERDUE_AFTER_DAYS,
        "rows": work_items_page(people=people, entries=page.object_list),
        "questionnaires": questionnaires, "show_counsellor": scope == SCOPE_ALL,
        "published_questionnaires": questionnaires,
        "overdue_count": sum(1 for *_rest, s in entries if s.status == WaveStatus.OVERDUE),
        "total": len(entries),
    }
    if not status:
        situations = situations_due(people=people, today=timezone.localdate())
        context["situations"] = list(situations[:SITUATIONS_SHOWN])
        context["situations_total"] = (
            len(context["situations"]) if len(context["situations"]) < SITUATIONS_SHOWN
            else situations.count())
    if scope == default_scope(membership) and not status:
        # The navigation's count is this very number: no second query for it.
        context["workspace_due_count"] = len(entries)
    return render(request, "beneficiaries/worklist.html", context)


# The worklist shows the oldest situations to record; the rest follow as these are recorded.
SITUATIONS_SHOWN = 20
