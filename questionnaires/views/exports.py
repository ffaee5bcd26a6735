"""The exports page and one download view per format, driven by a table of formats:
rows (pseudonymous codes only) for data managers, aggregates for whoever sees them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from organisations.access import membership_required, questionnaire_for
from questionnaires import exports
from questionnaires.views.common import download


@login_required
@membership_required("see_aggregates")
def questionnaire_exports(request, org_slug, public_id):
    membership = request.membership
    questionnaire = questionnaire_for(membership, public_id)
    return render(request, "questionnaires/exports.html", {
        "questionnaire": questionnaire, "can_export_rows": membership.can.manage_data,
        "minimum": exports.AGGREGATE_MIN_COUNT,
    })


@dataclass(frozen=True)
class ExportFormat:
    """One download of the exports page: who may have it, how it is built, how it is named."""

    build: Callable  # an exports.* function of the questionnaire: bytes or lines of text
    kind: str  # the file is <questionnaire>-<kind>-<date>.<extension>, its URL <kind>.<extension>
    extension: str
    content_type: str
    capability: str  # organisations/permissions.py


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# By URL name. Rows (even pseudonymous) are for data managers; aggregates for every role
# that sees them.
EXPORT_FORMATS = {
    "export_csv": ExportFormat(exports.wide_csv_lines, "reponses", "csv", CSV, "manage_data"),
    "export_long": ExportFormat(exports.long_csv_lines, "reponses-long", "csv", CSV,
                                "manage_data"),
    "export_xlsx": ExportFormat(exports.xlsx_build, "reponses", "xlsx", XLSX, "manage_data"),
    "export_sav": ExportFormat(exports.sav_build, "reponses", "sav", "application/x-spss-sav",
                               "manage_data"),
    "export_aggregate_csv": ExportFormat(exports.aggregate_csv_lines, "agregats", "csv", CSV,
                                         "see_aggregates"),
    "export_aggregate_xlsx": ExportFormat(exports.aggregate_xlsx_build, "agregats", "xlsx",
                                          XLSX, "see_aggregates"),
}


def _export_view(form: ExportFormat):
    """The download view of one format: the table decides who may have it."""

    @login_required
    @membership_required(form.capability)
    def questionnaire_export(request, org_slug, public_id):
        questionnaire = questionnaire_for(request.membership, public_id)
        return download(form.build(questionnaire=questionnaire), questionnaire=questionnaire,
                         kind=form.kind, extension=form.extension,
                         content_type=form.content_type)

    return questionnaire_export


EXPORT_VIEWS = {name: _export_view(form) for name, form in EXPORT_FORMATS.items()}
