"""The impact report: what it is restricted to, and computing it from the loaded arrays.

reports/ owns the report: the filters, the call of the loader
(questionnaires.selectors.survey_data_load, which reads questionnaires' tables), the board's
cuts, the cache (reports/cache.py) and the ``impact_report`` command. Reads go reports →
questionnaires → analysis, never back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from analysis.data import SurveyData
from analysis.disclosure import BoardCut, board_cuts_allowed, report_for_board
from analysis.report import comparison_pairs, report_build, survey_data_filter
from questionnaires.models import Questionnaire, Response
from questionnaires.selectors import survey_data_load

AUDIENCE_OPERATOR = "operator"
AUDIENCE_BOARD = "board"


@dataclass(frozen=True)
class ReportFilters:
    """What a report is restricted to; ``None`` means no restriction.

    The period selects *cohorts*: the people whose wave-1 answer falls in
    [``cohort_from``, ``cohort_to``], followed through every wave whatever its date, so that
    a period never breaks a pair. ``audience`` "board" gives the board's report
    (analysis/disclosure.py: no count below 5); it is part of the cache key.
    """

    cohort_from: dt.date | None = None
    cohort_to: dt.date | None = None
    counsellor_id: int | None = None
    programme: str | None = None
    audience: str = AUDIENCE_OPERATOR

    # The names of the first series, for readers that still use them.
    @property
    def answered_from(self) -> dt.date | None:
        return self.cohort_from

    @property
    def answered_to(self) -> dt.date | None:
        return self.cohort_to

    def segments(self) -> dict[str, str]:
        chosen = {}
        if self.counsellor_id is not None:
            chosen["counsellor"] = str(self.counsellor_id)
        if self.programme:
            chosen["programme"] = self.programme
        return chosen


AnsweredSpan = tuple[dt.date | None, dt.date | None]


def answered_span(data: SurveyData) -> AnsweredSpan:
    """First and last answer dates of the responses in ``data`` (for the report's cover).

    Read from the arrays the report was computed from, so that the span and the report
    follow the same filter (cohorts, segments) by construction.
    """
    if not data.response_answered_on.size:
        return None, None
    days = data.response_answered_on.astype("datetime64[D]")
    return days.min().item(), days.max().item()


def report_compute(*, questionnaire: Questionnaire,
                   filters: ReportFilters | None = None) -> tuple[dict, AnsweredSpan]:
    """The impact report and the span of answer dates it covers, from one load."""
    filters = filters or ReportFilters()
    # Cohorts keep all their waves: whether a wave is due is judged today.
    data = survey_data_load(questionnaire=questionnaire, as_of=timezone.localdate())
    if (filters.cohort_from, filters.cohort_to, filters.segments()) != (None, None, {}):
        data = survey_data_filter(
            data, cohort_from=filters.cohort_from, cohort_to=filters.cohort_to,
            segments=filters.segments())
    report = report_build(data)
    if filters.audience == AUDIENCE_BOARD:
        report = report_for_board(report)
    return report, answered_span(data)


def impact_report(*, questionnaire: Questionnaire, filters: ReportFilters | None = None) -> dict:
    """The impact report of formats.md §3: what the command, the dashboard and the PDF show."""
    return report_compute(questionnaire=questionnaire, filters=filters)[0]


def board_cuts(*, questionnaire: Questionnaire) -> list[BoardCut]:
    """The fixed cuts the board may ask for on this questionnaire (analysis/disclosure.py)."""
    waves = list(questionnaire.waves.order_by("number").values_list("number", flat=True))
    rows = list(Response.objects.filter(questionnaire=questionnaire).values_list(
        "beneficiary_id", "wave__number", "answered_on", "beneficiary__programme"))
    people = sorted({row[0] for row in rows})
    index = {pk: k for k, pk in enumerate(people)}
    position = {number: k for k, number in enumerate(waves)}
    present = np.zeros((len(people), len(waves)), dtype=bool)
    cohort = np.full(len(people), np.datetime64("NaT"), dtype="datetime64[D]")
    programme = np.full(len(people), "", dtype=object)
    for beneficiary_id, wave, answered_on, beneficiary_programme in rows:
        k = index[beneficiary_id]
        present[k, position[wave]] = True
        programme[k] = beneficiary_programme or ""
        if waves and wave == waves[0]:
            day = np.datetime64(answered_on, "D")
            if np.isnat(cohort[k]) or day < cohort[k]:
                cohort[k] = day
    return board_cuts_allowed(cohort_dates=cohort, programmes=programme.astype(str),
                              present=present, pairs=comparison_pairs(len(waves)))


def board_filters(*, cut: BoardCut) -> ReportFilters:
    """The report filters of one of the board's cuts."""
    return ReportFilters(cohort_from=cut.start, cohort_to=cut.end, programme=cut.programme,
                         audience=AUDIENCE_BOARD)
