"""What the dashboard and the PDF show, prepared from one impact report dict.

Both pages render the same ``ReportView`` built here from the dict ``impact_report`` returns,
so that their figures are the report's. Nothing is computed again: counts, percentages and
tests are the report's; this module picks, orders, words and withholds. It withholds every
figure that rests on fewer than ``min_group`` people (the report's own threshold), on top of
what the report already withholds, so that nobody can be recognised in a small group.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from reports import charts
from reports.formatting import (
    count_format,
    decimal_format,
    p_meaning,
    p_precise_format,
    percent_format,
    sample_claim_sentence,
)
from reports.sections import (
    attrition_rows,
    dimension_rows,
    funnel_rows,
    headline_comparison,
    item_table,
    outcomes_view,
    p_value_text,
    power_entries,
    ranking_rows,
    report_comparisons,
    wave_labels_by_number,
)
from reports.sentences import basis_lines, summary_sentences, verdict_count_lines
from reports.view_objects import (
    ReportView,
    attrition_table,
)


def report_view(
    report: Mapping[str, Any],
    *,
    questionnaire_title: str,
    comparison_key: str | None = None,
    with_charts: bool = True,
) -> ReportView:
    """The dashboard's and the PDF's content for ``report``, at the comparison asked for."""
    min_group = report.get("generated", {}).get("min_group", 5)
    wave_labels = [w["label"] for w in report.get("waves", [])]
    comparisons = report_comparisons(report)
    chosen = next((c for c in comparisons if c.key == comparison_key), None)
    if chosen is None and comparisons:
        chosen = comparisons[headline_comparison(report, comparisons)]
    warning_codes = [w.get("code") for w in report.get("warnings", [])]
    published = "group_too_small" not in warning_codes and "no_responses" not in warning_codes
    notices = []
    labels = wave_labels_by_number(report)
    if report.get("warning"):
        notices.append(_("Figures resting on fewer than %(min)s people are not published, nor "
                         "any figure from which one could be deduced (—).") % {
            "min": min_group})
    for entry in report.get("warnings", []):
        if entry.get("code") == "wave_not_reached":
            notices.append(_("Nobody has answered at %(wave)s yet.") % {
                "wave": labels.get(entry.get("wave"), entry.get("wave"))})
    withheld_sentence = ""
    if "no_responses" in warning_codes:
        withheld_sentence = _("No response matches this view yet: there is nothing to show.")
    elif "group_too_small" in warning_codes:
        withheld_sentence = _(
            "Fewer than %(min)s people match this view: no figure is published, so that "
            "nobody can be recognised. Widen the period or remove a filter.") % {
            "min": min_group}
    n = report.get("n_beneficiaries")
    view = ReportView(
        questionnaire_code=report.get("questionnaire", ""),
        questionnaire_title=questionnaire_title,
        min_group=min_group,
        published=published,
        withheld_sentence=withheld_sentence,
        notices=notices,
        wave_labels=wave_labels,
        comparisons=comparisons,
        comparison=chosen,
        n_beneficiaries_text=count_format(n) if n is not None else "",
    )
    if not published:
        return view

    view.funnel = funnel_rows(report)
    view.attrition = attrition_rows(report, comparisons)
    view.attrition_table = attrition_table(view.attrition)
    powers = power_entries(report)
    power = powers[chosen.index] if chosen is not None and chosen.index < len(powers) else None
    view.claim_sentence = sample_claim_sentence(
        power,
        first_label=chosen.first_label if chosen else wave_labels[0],
        last_label=chosen.second_label if chosen else wave_labels[-1])
    view.outcomes = outcomes_view(report)
    view.dimensions = dimension_rows(report, chosen, min_group)
    changed = [row.p_adjusted for row in view.dimensions
               if row.verdict in ("progress", "decline") and row.p_adjusted is not None]
    if changed:
        highest = max(changed)
        view.dimension_p_sentence = _(
            "Progress or decline: adjusted p %(p)s, that is %(meaning)s.") % {
            "p": (p_value_text(highest) if highest < 0.001
                  else _("at most %(p)s") % {"p": p_precise_format(highest)}),
            "meaning": p_meaning(highest)}
    view.dimension_basis = _(
        "A dimension's score is the mean of a person's scored answers to its questions (at "
        "least two thirds of them answered), shown out of 100: 0 is the lowest answer to "
        "every question, 100 the highest, so dimensions on different scales compare. The "
        "mean at each wave counts everyone who answered that wave; the evolution counts only "
        "the people who answered both waves compared, on the questions they answered both "
        "times.")
    view.ranking, view.ranking_withheld = ranking_rows(report, chosen, min_group)
    if chosen is not None:
        view.items = [item_table(item, chosen, min_group) for item in report.get("items", [])]
    view.verdict_counts = verdict_count_lines(view, report)
    view.summary = summary_sentences(view, report)
    view.basis = basis_lines(report, comparisons)
    if report.get("warning") or "—" in repr(dataclasses.asdict(view)):
        view.suppressed_note = _(
            "—: figure not published, because it would rest on fewer than %(min)s people or "
            "let such a figure be deduced, or because it cannot be computed.") % {
            "min": min_group}
    if with_charts:
        _charts_add(view, report, min_group)
    return view


# ---------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------


def _charts_add(view: ReportView, report: Mapping[str, Any], min_group: int) -> None:
    steps = [row for row in view.funnel if row.count is not None]
    first = view.funnel[0].count if view.funnel else None
    view.funnel_chart = charts.funnel_chart(
        [charts.FunnelStep(row.label, row.count, 100.0 * row.count / (first or 1))
         for row in steps],
        chart_id="chart-funnel",
        title=_("Attrition funnel: people who answered each wave"),
        description="; ".join(f"{row.label}: {row.count_text} ({row.percent_text})"
                              for row in steps),
        count_label=_("People"),
    ) if steps else ""
    labels = wave_labels_by_number(report)
    series = []
    described = []
    for dimension in report.get("dimensions", []):
        points = []
        for entry in dimension.get("waves", []):
            shown = (entry.get("mean_0_100") is not None and entry.get("n") is not None
                     and entry["n"] >= min_group)
            ci = entry.get("ci_0_100") or [None, None]
            points.append(charts.DimensionPoint(
                wave_label=labels.get(entry["wave"], str(entry["wave"])),
                mean=entry["mean_0_100"] if shown else None,
                low=max(0.0, ci[0]) if shown and ci[0] is not None else None,
                high=min(100.0, ci[1]) if shown and ci[1] is not None else None,
                n=entry.get("n") or 0))
            if shown:
                described.append(_("%(dimension)s at %(wave)s: %(mean)s out of 100 "
                                   "(n = %(n)s)") % {
                    "dimension": dimension["name"], "wave": points[-1].wave_label,
                    "mean": decimal_format(entry["mean_0_100"], 1),
                    "n": count_format(entry["n"])})
        series.append(charts.DimensionSeries(dimension["name"], points, 0.0, 100.0))
    if series and described:
        view.dimensions_chart = charts.dimensions_chart(
            series, chart_id="chart-dimensions",
            title=_("Mean score out of 100 per dimension at each wave, with its %(level)s "
                    "confidence interval") % {"level": percent_format(95.0, 0)},
            description="; ".join(described), y_label=_("Score out of 100"), columns=3)
    if view.ranking and view.comparison is not None:
        view.ranking_chart = charts.ranking_chart(
            [charts.RankingBar(f"{row.code} {row.text}", row.improved_percent,
                               row.worsened_percent,
                               row.verdict_label if row.verdict in ("progress", "decline")
                               else "")
             for row in view.ranking],
            chart_id="chart-ranking",
            title=_("Questions ranked by the share of people who improve, %(comparison)s") % {
                "comparison": view.comparison.label},
            description="; ".join(
                _("%(code)s: %(improved)s improve, %(worsened)s decline") % {
                    "code": row.code, "improved": row.improved_text,
                    "worsened": row.worsened_text} for row in view.ranking),
            improved_label=_("improve"), worsened_label=_("decline"),
            axis_label=_("Share of the people followed"),
        )
