"""Template helpers of the counsellor's workspace."""

from django import template
from django.utils import timezone

from beneficiaries.people import published_questionnaires
from beneficiaries.scope import default_scope, people_in_scope
from beneficiaries.worklist import open_wave_count
from organisations.access import questionnaires_for

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_due_count(context, membership) -> int | None:
    """The waves due or overdue in the membership's default worklist (for the navigation).

    The worklist page passes the number it has already computed; other pages pay one
    counting query, and only when the link is shown. The workspace's pages also pass the
    published questionnaires they have read.
    """
    known = context.get("workspace_due_count")
    if known is not None:
        return known
    if membership is None or not membership.can.see_people:
        return None
    questionnaires = context.get("published_questionnaires")
    if questionnaires is None:
        questionnaires = published_questionnaires(questionnaires=questionnaires_for(membership))
    return open_wave_count(
        people=people_in_scope(membership=membership, scope=default_scope(membership)),
        questionnaires=questionnaires, today=timezone.localdate())


@register.simple_tag
def elided_pages(page):
    """Page numbers around the current page, with "…" for the gaps."""
    return page.paginator.get_elided_page_range(number=page.number, on_each_side=2, on_ends=1)
