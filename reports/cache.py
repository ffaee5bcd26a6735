"""The computed impact report, kept in Django's cache per (questionnaire, filters).

A key names the questionnaire, its organisation's *report version* and the filters. The
version is a number in the database (reports.models.ReportVersion), the one invalidation
mechanism: reports/signals.py bumps it whenever a response, an answer, a beneficiary or a
questionnaire of the organisation changes (model signals) and when a bulk writer (imports,
the demo seed, the people import) sends ``responses_changed`` / ``people_changed``; a bumped
version makes every older key unreachable. It is not kept in the cache because the cache may
be flushed, restarted or down (vises/cache.py turns Redis errors into misses): the saves and
imports that bump it never touch Redis. Being read from the database on every request, it
also keeps a report fresh when the cache is the per-process local memory and another process
(a command, another web worker) wrote the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from questionnaires.models import Questionnaire
from reports.models import ReportVersion

if TYPE_CHECKING:
    from reports.selectors import ReportFilters
    from reports.view_objects import ReportView

# This module is imported by every process (signals, imports, the demo seed): the statistics
# and the charts are imported only where a report is computed.

# A report older than this is computed again even if nothing said it changed.
REPORT_TIMEOUT = 6 * 3600

logger = logging.getLogger(__name__)


def report_version(*, organisation_id: int) -> int:
    """The organisation's current report version (1 until its data first changes)."""
    version = ReportVersion.objects.filter(organisation_id=organisation_id).values_list(
        "version", flat=True).first()
    return version or 1


def _version_increment(organisation_id: int) -> None:
    """One bump, in its own short statement: a lock on the row is held for no longer."""
    versions = ReportVersion.objects.filter(organisation_id=organisation_id)
    try:
        if not versions.update(version=F("version") + 1):
            # The organisation's first change; another process may be creating the row too.
            ReportVersion.objects.bulk_create(
                [ReportVersion(organisation_id=organisation_id)], ignore_conflicts=True)
            versions.update(version=F("version") + 1)
    except DatabaseError as error:
        # The data is committed; at worst a report stays stale until the next bump of the
        # organisation or its timeout renews it. A save must not answer an error for this.
        logger.warning("Report version of organisation %s not bumped: %s", organisation_id,
                       error)


def report_version_bump(*, organisation_id: int) -> None:
    """Make every cached report of the organisation stale once the transaction commits.

    Bumping after the commit keeps the save path free of a lock shared by every writer of
    the organisation; a report computed meanwhile from the old data is stored under the old
    version, which the bump makes unreachable.
    """
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _version_increment(organisation_id), robust=True)
    else:
        _version_increment(organisation_id)


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


def report_cache_key(*, questionnaire: Questionnaire, filters: ReportFilters) -> str:
    """Where the report of this questionnaire under these filters is kept now."""
    version = report_version(organisation_id=questionnaire.organisation_id)
    # The day is part of the key: who is due for a wave is counted at today's date.
    digest = hashlib.sha256(
        f"{_filters_key(filters)}"
        f"#{timezone.localdate().isoformat()}".encode()
    ).hexdigest()[:24]
    return f"reports:report:{questionnaire.public_id}:{version}:{digest}"


def report_cached(*, questionnaire: Questionnaire, filters: ReportFilters) -> CachedReport:
    """The impact report from the cache, computed (once, by ``report_compute``) if missing."""
    key = report_cache_key(questionnaire=questionnaire, filters=filters)
    stored = cache.get(key)
    if stored is not None:
        return CachedReport(stored["report"], stored["span"], key, computed=False)
    from reports.selectors import report_compute

    report, span = report_compute(questionnaire=questionnaire, filters=filters)
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
