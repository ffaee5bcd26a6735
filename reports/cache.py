"""The computed impact report, kept in Django's cache per (questionnaire, filters).

A key names the questionnaire, its organisation's *report version* and the filters. The
version is a number in the cache that signals (reports/signals.py) bump whenever a response,
an answer, a beneficiary or a questionnaire of the organisation changes, and that bulk writers
(imports, the demo seed) bump explicitly: a bumped version makes every older key unreachable.

A second part of the key is read from the database (how many responses the questionnaire has
and when one last changed, the same for the organisation's beneficiaries). It costs two small
queries and keeps a report fresh when the cache is the per-process local memory and another
process (a command, another web worker) wrote the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from beneficiaries.models import Beneficiary
from questionnaires.models import Questionnaire, Response

if TYPE_CHECKING:
    from questionnaires.selectors import ReportFilters
    from reports.presentation import ReportView

# This module is imported by every process (signals, imports, the demo seed): the statistics
# and the charts are imported only where a report is computed.

# A report older than this is computed again even if nothing said it changed.
REPORT_TIMEOUT = 6 * 3600
VERSION_TIMEOUT = None  # versions never expire: an expired one would revive old keys


def _version_key(organisation_id: int) -> str:
    return f"reports:version:{organisation_id}"


def report_version(*, organisation_id: int) -> int:
    """The organisation's current report version (created at 1)."""
    key = _version_key(organisation_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, 1, timeout=VERSION_TIMEOUT)
        version = cache.get(key, 1)
    return int(version)


def report_version_bump(*, organisation_id: int) -> None:
    """Make every cached report of the organisation stale, now and when the transaction commits.

    The bump at commit matters: a report computed during the transaction from the old data
    would otherwise be stored under the new version.
    """

    def bump() -> None:
        key = _version_key(organisation_id)
        try:
            cache.incr(key)
        except ValueError:  # unknown key: start above any version a reader may have seen
            cache.set(key, 2, timeout=VERSION_TIMEOUT)

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def _data_fingerprint(questionnaire: Questionnaire) -> str:
    responses = Response.objects.filter(questionnaire=questionnaire).aggregate(
        count=Count("id"), changed=Max("updated_at"))
    beneficiaries = Beneficiary.objects.filter(
        organisation_id=questionnaire.organisation_id).aggregate(
        count=Count("id"), changed=Max("updated_at"))
    return (f"{responses['count']}.{responses['changed']}."
            f"{beneficiaries['count']}.{beneficiaries['changed']}")


def _filters_key(filters: ReportFilters) -> str:
    # The audience too: the board's report (counts below 5 hidden) is not the operator's.
    return "|".join(str(value) for value in (
        filters.cohort_from, filters.cohort_to, filters.counsellor_id, filters.programme,
        filters.audience))


@dataclass(frozen=True)
class CachedReport:
    """The impact report, the span of answer dates it covers, and its cache key."""

    report: dict[str, Any]
    answered_span: tuple[dt.date | None, dt.date | None]
    key: str
    computed: bool  # False when it came from the cache


def answered_span(
    *, questionnaire: Questionnaire, filters: ReportFilters
) -> tuple[dt.date | None, dt.date | None]:
    """First and last answer dates of the responses the report counts (for its cover)."""
    responses = Response.objects.filter(questionnaire=questionnaire)
    if filters.answered_from:
        responses = responses.filter(answered_on__gte=filters.answered_from)
    if filters.answered_to:
        responses = responses.filter(answered_on__lte=filters.answered_to)
    if filters.counsellor_id is not None:
        responses = responses.filter(beneficiary__counsellor_id=filters.counsellor_id)
    if filters.programme:
        responses = responses.filter(beneficiary__programme=filters.programme)
    span = responses.aggregate(first=Min("answered_on"), last=Max("answered_on"))
    return span["first"], span["last"]


def report_cache_key(*, questionnaire: Questionnaire, filters: ReportFilters) -> str:
    """Where the report of this questionnaire under these filters is kept now."""
    version = report_version(organisation_id=questionnaire.organisation_id)
    # The day is part of the key: who is due for a wave is counted at today's date.
    digest = hashlib.sha256(
        f"{_data_fingerprint(questionnaire)}#{_filters_key(filters)}"
        f"#{timezone.localdate().isoformat()}".encode()
    ).hexdigest()[:24]
    return f"reports:report:{questionnaire.public_id}:{version}:{digest}"


def report_cached(*, questionnaire: Questionnaire, filters: ReportFilters) -> CachedReport:
    """The impact report from the cache, computed (once, by ``impact_report``) if missing."""
    key = report_cache_key(questionnaire=questionnaire, filters=filters)
    stored = cache.get(key)
    if stored is not None:
        return CachedReport(stored["report"], stored["span"], key, computed=False)
    from questionnaires.selectors import impact_report

    report = impact_report(questionnaire=questionnaire, filters=filters)
    span = answered_span(questionnaire=questionnaire, filters=filters)
    cache.set(key, {"report": report, "span": span}, timeout=REPORT_TIMEOUT)
    return CachedReport(report, span, key, computed=True)


def report_view_cached(*, key: str, cached: CachedReport, questionnaire: Questionnaire,
                       comparison_key: str | None) -> ReportView:
    """What the pages show of a cached report (charts included), itself cached under ``key``
    (the report's key, the language and the waves compared): the charts cost more to draw
    than the report to read."""
    from reports.presentation import report_view

    view = None if cached.computed else cache.get(key)
    if view is None:
        view = report_view(cached.report, questionnaire_title=questionnaire.title,
                           comparison_key=comparison_key)
        cache.set(key, view, timeout=REPORT_TIMEOUT)
    return view


def report_pdf_cached(*, key: str, render: Callable[[], bytes]) -> bytes:
    """The PDF of a cached view (``key``), printed again each day for its date."""
    pdf_key = f"{key}:pdf:{timezone.localdate().isoformat()}"
    content = cache.get(pdf_key)
    if content is None:
        content = render()
        cache.set(pdf_key, content, timeout=REPORT_TIMEOUT)
    return content
