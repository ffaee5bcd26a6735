"""The answered span on a report's cover follows the report's own filter."""

import datetime as dt

import pytest

from questionnaires.models import Response
from reports.selectors import ReportFilters, report_compute
from tests.factories import BeneficiaryFactory, ResponseFactory

pytestmark = pytest.mark.django_db

# (programme, wave-1 date, wave-2 date or None) per person.
PEOPLE = [
    ("Orientation", dt.date(2024, 1, 10), dt.date(2024, 9, 1)),
    ("Orientation", dt.date(2024, 3, 5), None),
    ("Formation", dt.date(2023, 12, 20), dt.date(2024, 2, 15)),
    ("Formation", dt.date(2024, 6, 1), dt.date(2025, 1, 20)),
]


@pytest.fixture
def responses(questionnaire):
    waves = list(questionnaire.waves.order_by("number"))
    for programme, first, second in PEOPLE:
        person = BeneficiaryFactory(organisation=questionnaire.organisation, programme=programme)
        ResponseFactory(beneficiary=person, wave=waves[0], answered_on=first)
        if second is not None:
            ResponseFactory(beneficiary=person, wave=waves[1], answered_on=second)


def expected_span(questionnaire, filters):
    """Independently, with the ORM: the people whose first-wave answer is in the period (and
    of the programme), then every response of theirs."""
    first_wave = Response.objects.filter(questionnaire=questionnaire, wave__number=1)
    if filters.cohort_from:
        first_wave = first_wave.filter(answered_on__gte=filters.cohort_from)
    if filters.cohort_to:
        first_wave = first_wave.filter(answered_on__lte=filters.cohort_to)
    if filters.programme:
        first_wave = first_wave.filter(beneficiary__programme=filters.programme)
    people = first_wave.values("beneficiary_id")
    dates = sorted(Response.objects.filter(questionnaire=questionnaire,
                                           beneficiary_id__in=people)
                   .values_list("answered_on", flat=True))
    return (dates[0], dates[-1]) if dates else (None, None)


@pytest.mark.parametrize("filters", [
    ReportFilters(),
    ReportFilters(cohort_from=dt.date(2024, 1, 1), cohort_to=dt.date(2024, 3, 31)),
    ReportFilters(cohort_to=dt.date(2023, 12, 31)),
    ReportFilters(programme="Formation"),
    ReportFilters(cohort_from=dt.date(2024, 1, 1), programme="Formation"),
    ReportFilters(cohort_from=dt.date(2030, 1, 1)),
], ids=["all", "first-quarter", "before-2024", "programme", "period-and-programme", "nobody"])
def test_the_answered_span_agrees_with_the_reports_filter(questionnaire, responses, filters):
    _report, span = report_compute(questionnaire=questionnaire, filters=filters)
    assert span == expected_span(questionnaire, filters)


def test_a_cohort_is_followed_past_the_end_of_its_period(questionnaire, responses):
    """The period selects people: their later waves count, so the span runs past it."""
    _report, span = report_compute(questionnaire=questionnaire, filters=ReportFilters(
        cohort_from=dt.date(2024, 1, 1), cohort_to=dt.date(2024, 3, 31)))
    assert span == (dt.date(2024, 1, 10), dt.date(2024, 9, 1))
