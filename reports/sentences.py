"""What the pages say in words: the summary, the basis of the figures, the cover's period
and filters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analysis.disclosure import BoardCut
from reports.formatting import (
    count_format,
    count_or_dash,
    verdict_label,
)
from reports.sections import item_verdict, power_entries, wave_labels_by_number
from reports.selectors import ReportFilters
from reports.view_objects import (
    Comparison,
    ReportView,
)


def basis_lines(report: Mapping[str, Any],
                comparisons: Sequence[Comparison]) -> list[tuple[str, str]]:
    """How many people each kind of figure rests on: responses per wave, people per pair."""
    labels = wave_labels_by_number(report)
    rows = []
    first_item = next(iter(report.get("items", [])), None)
    for f in (first_item or {}).get("frequencies", []):
        rows.append((_("Responses at %(wave)s") % {"wave": labels.get(f["wave"], f["wave"])},
                     count_or_dash(f.get("n_responses"))))
    for comparison, power in zip(comparisons, power_entries(report), strict=False):
        rows.append((_("People who answered both at %(a)s and at %(b)s") % {
            "a": comparison.first_label, "b": comparison.second_label},
            count_or_dash(power.get("n_pairs"))))
    return rows


VERDICT_ORDER = ("progress", "decline", "no_change_detected", "too_few")


def verdict_count_lines(view: ReportView, report: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(verdict, its label, how many questions) for the comparison shown, in a fixed order."""
    if view.comparison is None:
        return []
    verdicts = [item_verdict(item["comparisons"][view.comparison.index])
                for item in report.get("items", [])]
    return [(v, verdict_label(v), _questions(verdicts.count(v))) for v in VERDICT_ORDER
            if verdicts.count(v)]


def _questions(count: int) -> str:
    """"1 question", "15 questions": a count of questions says so (never read as people)."""
    return ngettext("%(count)s question", "%(count)s questions", count) % {
        "count": count_format(count)}


def summary_sentences(view: ReportView, report: Mapping[str, Any]) -> list[str]:
    lines = []
    comparison = view.comparison
    if comparison is not None and view.verdict_counts:
        counts = dict.fromkeys(VERDICT_ORDER, _questions(0))
        counts.update({code: text for code, _label, text in view.verdict_counts})
        lines.append(_(
            "From %(a)s to %(b)s, among the same people followed: %(progress)s in progress, "
            "%(decline)s in decline, %(none)s with no change detected, %(few)s with too few "
            "people (out of %(total)s).") % {
            "a": comparison.first_label, "b": comparison.second_label,
            "progress": counts["progress"], "decline": counts["decline"],
            "none": counts["no_change_detected"], "few": counts["too_few"],
            "total": _questions(len(report.get("items", [])))})
    for row in view.dimensions:
        if row.verdict:
            lines.append(_("%(dimension)s: %(verdict)s.") % {
                "dimension": row.name,
                "verdict": (_("%(verdict)s, %(evolution)s") % {
                    "verdict": row.verdict_label, "evolution": row.evolution}
                    if row.evolution and row.change_text else row.verdict_label)})
    funnel = view.funnel
    if funnel and funnel[0].count is not None and funnel[-1].count is None:
        # The board's report hides the last step: no "masqué d'entre elles".
        lines.append(_("%(first)s people answered at %(wave)s; how many of them answered at "
                       "every wave is not published (below 5, or it would reveal a number "
                       "below 5).") % {
            "first": funnel[0].count_text, "wave": view.wave_labels[0]})
    elif funnel and funnel[0].count is not None:
        lines.append(_("%(first)s people answered at %(wave)s; %(last)s of them answered at "
                       "every wave.") % {"first": funnel[0].count_text,
                                         "wave": view.wave_labels[0],
                                         "last": funnel[-1].count_text})
    if view.outcomes is not None:
        lines.append(view.outcomes.at_work_sentence)
    return lines


def period_text(first: dt.date | None, last: dt.date | None, *, months: bool = False) -> str:
    """The period chosen (not the dates of the data): the people whose first questionnaire
    falls in it, followed through every wave. ``months``: the board's cuts, shown as months
    ("January 2024"), never as days."""
    def when(day: dt.date) -> str:
        return date_format(day, "YEAR_MONTH_FORMAT" if months else "SHORT_DATE_FORMAT")

    if first is None and last is None:
        return _("All the people followed, whatever their date of entry")
    if last is None:
        return _("People who entered from %(first)s onwards") % {"first": when(first)}
    if first is None:
        return _("People who entered until %(last)s") % {"last": when(last)}
    if months:
        if (first.year, first.month, first.day, last.month, last.day) == (
                last.year, 1, 1, 12, 31):
            return _("People who entered in %(year)d") % {"year": first.year}
        if (first.year, first.month) == (last.year, last.month):
            return _("People who entered in %(month)s") % {"month": when(first)}
        return _("People who entered between %(first)s and %(last)s") % {
            "first": when(first), "last": when(last)}
    return _("People who entered from %(first)s to %(last)s") % {
        "first": when(first), "last": when(last)}


def filters_text(*, filters: ReportFilters, counsellor_name: str | None = None) -> list[str]:
    """The filters of a report in words, besides the period (``period_text``), for the
    PDF's cover."""
    parts = []
    if filters.programme:
        parts.append(_("programme “%(programme)s”") % {"programme": filters.programme})
    if filters.counsellor_id is not None and counsellor_name:
        parts.append(_("people followed by %(name)s") % {"name": counsellor_name})
    return parts


def board_cut_label(cut: BoardCut) -> str:
    """A board cut in words for its menu: months, never days."""
    if cut.kind == "all":
        return _("Whole history")
    if cut.kind == "programme":
        return _("Programme “%(programme)s” (whole history)") % {"programme": cut.programme}
    if cut.kind == "year":
        return _("Entered in %(year)d") % {"year": cut.start.year}
    return _("Entered between %(first)s and %(last)s") % {
        "first": date_format(cut.start, "YEAR_MONTH_FORMAT"),
        "last": date_format(cut.end, "YEAR_MONTH_FORMAT")}
