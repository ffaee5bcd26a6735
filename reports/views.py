"""Impact dashboards (directors, and the board without any individual data) and the PDF."""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, Value
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from analysis.report import comparison_pairs
from organisations.access import (
    counsellors_for,
    membership_required,
    programmes_for,
    questionnaire_for,
    questionnaires_for,
)
from organisations.models import Membership
from organisations.users import user_display_name
from questionnaires.models import Questionnaire
from reports.cache import report_cached, report_pdf_cached, report_view_cached
from reports.forms import ReportFilterForm
from reports.pdf import report_pdf
from reports.selectors import AUDIENCE_BOARD, board_cuts, board_filters
from reports.sentences import filters_text, period_text


@login_required
@membership_required("see_reports")
def index(request, org_slug):
    """The organisation's questionnaires, each with its dashboard: where directors and the
    board start."""
    membership = request.membership
    # Not for the board: a raw total beside its report would give hidden counts back
    # (the total minus the waves shown); its dashboard says how many answered.
    respondents = (Count("responses__beneficiary", distinct=True)
                   if membership.can.see_detailed_reports
                   else Value(None, output_field=IntegerField()))
    questionnaires = questionnaires_for(membership).annotate(
        respondents=respondents).order_by("title")
    return render(request, "reports/index.html", {
        "membership": membership, "questionnaires": questionnaires})


@login_required
@membership_required("see_reports")
def dashboard(request, org_slug, public_id):
    membership = request.membership
    questionnaire = questionnaire_for(membership, public_id)
    return render(request, "reports/dashboard.html",
                  _report_context(request, membership, questionnaire))


@login_required
@membership_required("see_reports")
def pdf(request, org_slug, public_id):
    """The board's report as a PDF, for the same filters as the dashboard it was asked from.

    A PDF leaves the organisation: whoever prints it, no count below 5 is in it."""
    membership = request.membership
    questionnaire = questionnaire_for(membership, public_id)
    context = _report_context(request, membership, questionnaire, audience=AUDIENCE_BOARD)
    if not context["pdf_allowed"]:
        return render(request, "reports/pdf_refused.html", context, status=400)
    content = report_pdf_cached(
        key=context["view_key"],
        render=lambda: report_pdf(
            organisation=membership.organisation, questionnaire=questionnaire,
            view=context["view"], period=context["period"],
            filters_text=context["filters_text"]))
    # <questionnaire>-<kind>-<date>.<ext>, like every other download (issue 12).
    filename = f"{questionnaire.code}-rapport-{timezone.localdate().isoformat()}.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _report_context(request, membership: Membership, questionnaire: Questionnaire, *,
                    audience: str | None = None) -> dict:
    """Filters from the URL, the (cached) report and what the pages show of it.

    The board chooses among fixed cuts and sees the board's report (no count below 5);
    directors keep free filters and every count, except in what they print (``audience``).
    """
    board = not membership.can.see_detailed_reports
    counsellors = None
    if not board:
        counsellors = [(u.username, user_display_name(u), u.pk)
                       for u in counsellors_for(membership)]
    waves = list(questionnaire.waves.order_by("number").values_list("number", "label"))
    comparisons = [(f"{waves[a][0]}-{waves[b][0]}", f"{waves[a][1]} → {waves[b][1]}")
                   for a, b in comparison_pairs(len(waves))]
    form = ReportFilterForm(
        request.GET or None, counsellors=counsellors,
        programmes=programmes_for(membership), comparisons=comparisons,
        board_cuts=board_cuts(questionnaire=questionnaire) if board else None)
    filters = form.report_filters()
    pdf_allowed = board or _board_cut_is(filters, questionnaire=questionnaire)
    if audience is not None:
        filters = dataclasses.replace(filters, audience=audience)
    cached = report_cached(questionnaire=questionnaire, filters=filters)
    # "view2": views cached before charts became SafeString would print their SVG as text.
    view_key = f"{cached.key}:view2:{get_language()}:{form.comparison_key() or ''}"
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
        "pdf_allowed": pdf_allowed,
    }


def _board_cut_is(filters, *, questionnaire: Questionnaire) -> bool:
    """Whether a director's filters are one of the board's fixed cuts.

    The PDF goes to the board: two PDFs of free periods one day apart differ by the one
    person who entered that day, and give all their answers back (15 of 15 tried on the
    demo). Directors print only the cuts the board could ask for itself."""
    wanted = dataclasses.replace(filters, audience=AUDIENCE_BOARD)
    return any(board_filters(cut=cut) == wanted for cut in board_cuts(questionnaire=questionnaire))
