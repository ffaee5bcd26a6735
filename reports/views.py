"""Impact dashboards (directors, and the board without any individual data) and the PDF."""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, Value
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language

from analysis.report import comparison_pairs
from organisations.access import (
    counsellors_for,
    get_membership,
    programmes_for,
    questionnaires_for,
)
from organisations.models import Membership, Role
from questionnaires.models import Questionnaire
from reports.cache import report_cached, report_pdf_cached, report_view_cached
from reports.forms import ReportFilterForm
from reports.pdf import report_pdf
from reports.selectors import AUDIENCE_BOARD, board_cuts
from reports.sentences import filters_text, period_text

REPORT_ROLES = (Role.DIRECTOR, Role.BOARD)


@login_required
def index(request, org_slug):
    """The organisation's questionnaires, each with its dashboard: where directors and the
    board start."""
    membership = get_membership(request.user, org_slug, *REPORT_ROLES)
    # Not for the board: a raw total beside its report would give hidden counts back
    # (the total minus the waves shown); its dashboard says how many answered.
    respondents = (Value(None, output_field=IntegerField()) if membership.role == Role.BOARD
                   else Count("responses__beneficiary", distinct=True))
    questionnaires = questionnaires_for(membership).annotate(
        respondents=respondents).order_by("title")
    return render(request, "reports/index.html", {
        "membership": membership, "questionnaires": questionnaires})


@login_required
def dashboard(request, org_slug, public_id):
    membership = get_membership(request.user, org_slug, *REPORT_ROLES)
    questionnaire = get_object_or_404(questionnaires_for(membership), public_id=public_id)
    return render(request, "reports/dashboard.html",
                  _report_context(request, membership, questionnaire))


@login_required
def pdf(request, org_slug, public_id):
    """The board's report as a PDF, for the same filters as the dashboard it was asked from.

    A PDF leaves the organisation: whoever prints it, no count below 5 is in it."""
    membership = get_membership(request.user, org_slug, *REPORT_ROLES)
    questionnaire = get_object_or_404(questionnaires_for(membership), public_id=public_id)
    context = _report_context(request, membership, questionnaire, audience=AUDIENCE_BOARD)
    content = report_pdf_cached(
        key=context["view_key"],
        render=lambda: report_pdf(
            organisation=membership.organisation, questionnaire=questionnaire,
            view=context["view"], period=context["period"],
            filters_text=context["filters_text"]))
    filename = (f"rapport-impact-{membership.organisation.slug}-{questionnaire.code}-"
                f"{timezone.localdate().isoformat()}.pdf")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _report_context(request, membership: Membership, questionnaire: Questionnaire, *,
                    audience: str | None = None) -> dict:
    """Filters from the URL, the (cached) report and what the pages show of it.

    The board chooses among fixed cuts and sees the board's report (no count below 5);
    directors keep free filters and every count, except in what they print (``audience``).
    """
    board = membership.role == Role.BOARD
    counsellors = None
    if membership.role == Role.DIRECTOR:
        counsellors = [(u.username, u.get_full_name() or u.username, u.pk)
                       for u in counsellors_for(membership)]
    waves = list(questionnaire.waves.order_by("number").values_list("number", "label"))
    comparisons = [(f"{waves[a][0]}-{waves[b][0]}", f"{waves[a][1]} → {waves[b][1]}")
                   for a, b in comparison_pairs(len(waves))]
    form = ReportFilterForm(
        request.GET or None, counsellors=counsellors,
        programmes=programmes_for(membership), comparisons=comparisons,
        board_cuts=board_cuts(questionnaire=questionnaire) if board else None)
    filters = form.report_filters()
    if audience is not None:
        filters = dataclasses.replace(filters, audience=audience)
    cached = report_cached(questionnaire=questionnaire, filters=filters)
    view_key = f"{cached.key}:view:{get_language()}:{form.comparison_key() or ''}"
    view = report_view_cached(key=view_key, cached=cached, questionnaire=questionnaire,
                              comparison_key=form.comparison_key())
    if view.comparison is not None:
        form.comparison_show(view.comparison.key)
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "questionnaire": questionnaire,
        "form": form,
        "filters_invalid": form.filters_invalid(),
        "filters_text": filters_text(filters=filters, counsellor_name=next(
            (name for _u, name, pk in counsellors or () if pk == filters.counsellor_id), None)),
        "period": period_text(filters.cohort_from, filters.cohort_to, months=board),
        "view": view,
        "view_key": view_key,
        "query": request.GET.urlencode(),
    }
