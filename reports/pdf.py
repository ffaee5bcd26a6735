"""The board's report as a PDF: an HTML template printed by WeasyPrint.

The PDF renders the same ``ReportView`` as the dashboard (reports/presentation.py), built from
the one report dict, so the figures of the PDF, the dashboard and the JSON report are equal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from organisations.models import Organisation
from questionnaires.models import Questionnaire
from reports.presentation import report_view
from reports.selectors import ReportFilters
from reports.sentences import filters_text, period_text
from reports.view_objects import ReportView

# WeasyPrint warns about every SVG presentation attribute it reads as CSS; they render fine.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


def report_pdf(
    *,
    organisation: Organisation,
    questionnaire: Questionnaire,
    view: ReportView,
    period: str,
    filters_text: Sequence[str] = (),
) -> bytes:
    """The PDF of ``view`` for the board: cover, summary, funnel, dimensions, items, method."""
    from weasyprint import HTML  # heavy: only the processes that print pay for it

    html = render_to_string("reports/pdf.html", {
        "organisation": organisation,
        "questionnaire": questionnaire,
        "view": view,
        "period": period,
        "filters_text": filters_text,
        "printed_on": date_format(timezone.localdate(), "DATE_FORMAT"),
    })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def questionnaire_report_pdf(
    *,
    questionnaire: Questionnaire,
    report: dict,
    filters: ReportFilters,
    counsellor_name: str | None = None,
    comparison_key: str | None = None,
) -> bytes:
    """The PDF of an impact report already computed (the command's route)."""
    return report_pdf(
        organisation=questionnaire.organisation,
        questionnaire=questionnaire,
        view=report_view(report, questionnaire_title=questionnaire.title,
                         comparison_key=comparison_key),
        period=period_text(filters.cohort_from, filters.cohort_to,
                           months=filters.audience == "board"),
        filters_text=filters_text(filters=filters, counsellor_name=counsellor_name),
    )
