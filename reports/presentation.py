"""What the dashboard and the PDF show, prepared from one impact report dict.

Both pages render the same ``ReportView`` built here from the dict ``impact_report`` returns,
so that their figures are the report's. Nothing is computed again: counts, percentages and
tests are the report's; this module picks, orders, words and withholds. It withholds every
figure that rests on fewer than ``min_group`` people (the report's own threshold), on top of
what the report already withholds, so that nobody can be recognised in a small group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analysis.disclosure import BoardCut
from analysis.tests_of_change import significance_label
from questionnaires.selectors import ReportFilters
from reports import charts
from reports.formatting import (
    SIGNIFICANCE_LABELS,
    adjusted_p_note,
    bias_sentence,
    chi2_line,
    count_format,
    decimal_format,
    p_equals,
    p_precise_format,
    paired_sentence,
    percent_format,
    sample_claim_sentence,
    signed_format,
    warning_text,
)

ALPHA = 0.05


def significance_code(p: float | None) -> str:
    """TS, S, PS or NS as the survey tools mark tests (formats.md §3); "" without a test."""
    return significance_label(p) or ""


# ---------------------------------------------------------------------------
# The view's parts
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    index: int
    key: str  # "1-3", as in the URL
    label: str  # "Entrée → Sortie"
    first_label: str
    second_label: str


@dataclass(frozen=True)
class FunnelRow:
    label: str
    count: int | None  # None: hidden for the board
    count_text: str
    percent_text: str


@dataclass(frozen=True)
class DimensionWave:
    label: str
    n_text: str
    mean_text: str
    ci_text: str


@dataclass(frozen=True)
class DimensionRow:
    name: str
    item_codes: str
    waves: list[DimensionWave]
    evolution: str  # a sentence
    n_pairs_text: str
    change_text: str
    ci_text: str
    p_text: str
    significance: str


@dataclass(frozen=True)
class RankingRow:
    rank: int
    code: str
    text: str
    dimension: str
    n_text: str
    improved_text: str
    stable_text: str
    worsened_text: str
    net_text: str
    p_text: str
    p_adjusted_text: str
    significance: str
    significance_label: str
    improved_percent: float
    worsened_percent: float


@dataclass(frozen=True)
class TableCell:
    count_text: str
    percent_text: str
    mark: str  # "over", "under" or ""


@dataclass(frozen=True)
class TableRow:
    code: str
    label: str
    cells: list[TableCell]
    unscored: bool


@dataclass(frozen=True)
class ItemTable:
    code: str
    text: str
    dimension: str
    anchor: str
    published: bool
    withheld_reason: str
    column_labels: list[str]
    rows: list[TableRow]
    totals: list[str]
    unanswered: list[str]
    chi2_line: str
    chi2_computed: bool
    adjusted_note: str
    cramers_v_text: str
    warning: str
    paired_sentence: str
    paired_n: int | None
    total_percent_text: str = ""


@dataclass
class ReportView:
    """Everything the dashboard and the PDF show, in the active language."""

    questionnaire_code: str
    questionnaire_title: str
    min_group: int
    published: bool
    withheld_sentence: str
    notices: list[str]
    wave_labels: list[str]
    comparisons: list[Comparison]
    comparison: Comparison | None
    n_beneficiaries_text: str
    funnel: list[FunnelRow] = field(default_factory=list)
    bias_sentence: str = ""
    claim_sentence: str = ""
    dimensions: list[DimensionRow] = field(default_factory=list)
    ranking: list[RankingRow] = field(default_factory=list)
    ranking_withheld: list[str] = field(default_factory=list)
    items: list[ItemTable] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    dimension_basis: str = ""
    funnel_chart: str = ""
    dimensions_chart: str = ""
    ranking_chart: str = ""
    basis: list[tuple[str, str]] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Building it
# ---------------------------------------------------------------------------


def _wave_labels(report: Mapping[str, Any]) -> dict[int, str]:
    return {w["number"]: w["label"] for w in report.get("waves", [])}


def report_comparisons(report: Mapping[str, Any]) -> list[Comparison]:
    """The comparisons of the report (each consecutive pair of waves, then first → last)."""
    labels = _wave_labels(report)
    first_item = next(iter(report.get("items", [])), None)
    pairs = [tuple(c["waves"]) for c in first_item["comparisons"]] if first_item else []
    result = []
    for index, (a, b) in enumerate(pairs):
        first, second = labels.get(a, str(a)), labels.get(b, str(b))
        result.append(Comparison(index, f"{a}-{b}", f"{first} → {second}", first, second))
    return result


def headline_comparison(report: Mapping[str, Any], comparisons: Sequence[Comparison]) -> int:
    """First against last wave when enough people were followed that far, else the first pair."""
    if not comparisons:
        return 0
    min_group = report.get("generated", {}).get("min_group", 5)
    power = (report.get("attrition") or {}).get("power") or []
    waves = [w["number"] for w in report.get("waves", [])]
    for entry in power:
        if (waves and entry["waves"] == [waves[0], waves[-1]]
                and (entry["n_pairs"] or 0) >= min_group):
            return next(c.index for c in comparisons
                        if c.key == f"{waves[0]}-{waves[-1]}")
    return 0


def _funnel(report: Mapping[str, Any]) -> list[FunnelRow]:
    labels = _wave_labels(report)
    funnel = report.get("respondents") or {}
    first = next(iter(funnel.values()), None) or 0
    rows = []
    for key, count in funnel.items():
        label = " + ".join(labels.get(int(w), w) for w in key.split("-"))
        if count is None:  # hidden for the board (analysis/disclosure.py)
            rows.append(FunnelRow(label, None, count_format(None), ""))
            continue
        rows.append(FunnelRow(label, count, count_format(count),
                              percent_format(100.0 * count / first if first else 0.0, 0)))
    return rows


def _dimension_rows(report: Mapping[str, Any], comparison: Comparison | None,
                    min_group: int) -> list[DimensionRow]:
    labels = _wave_labels(report)
    rows = []
    for dimension in report.get("dimensions", []):
        waves = []
        for entry in dimension.get("waves", []):
            label = labels.get(entry["wave"], str(entry["wave"]))
            if entry["mean"] is None or entry["n"] is None or entry["n"] < min_group:
                waves.append(DimensionWave(label, count_format(entry["n"] or 0), "—", ""))
                continue
            ci = entry["ci"]
            ci_text = (_("%(low)s to %(high)s") % {"low": decimal_format(ci[0]),
                                                    "high": decimal_format(ci[1])}
                       if ci[0] is not None else "")
            waves.append(DimensionWave(label, count_format(entry["n"]),
                                       decimal_format(entry["mean"]), ci_text))
        evolution = n_pairs_text = change_text = ci_text = p_text = significance = ""
        if comparison is not None and dimension.get("comparisons"):
            paired = dimension["comparisons"][comparison.index]
            n = paired["n"] or 0
            n_pairs_text = count_format(n)
            if n < min_group or paired["mean_difference"] is None:
                evolution = _("Too few people followed to publish the evolution.")
            else:
                change_text = signed_format(paired["mean_difference"])
                if paired["ci"][0] is not None:
                    ci_text = _("%(low)s to %(high)s") % {
                        "low": signed_format(paired["ci"][0]),
                        "high": signed_format(paired["ci"][1])}
                if paired["p"] is not None:
                    p_text = p_equals(paired["p"], precise=True)
                    significance = significance_code(paired["p"])
                evolution = ngettext(
                    "For the %(n)s person followed, from %(a)s to %(b)s (%(change)s)",
                    "For the %(n)s people followed, from %(a)s to %(b)s (%(change)s)",
                    n,
                ) % {"n": count_format(n), "a": decimal_format(paired["mean_a"]),
                     "b": decimal_format(paired["mean_b"]), "change": change_text}
                if p_text:
                    evolution = _("%(sentence)s; %(test)s") % {"sentence": evolution,
                                                               "test": p_text}
        rows.append(DimensionRow(
            name=dimension["name"], item_codes=", ".join(dimension.get("items", [])),
            waves=waves, evolution=evolution, n_pairs_text=n_pairs_text,
            change_text=change_text, ci_text=ci_text, p_text=p_text,
            significance=significance))
    return rows


def _ranking(report: Mapping[str, Any], comparison: Comparison | None,
             min_group: int) -> tuple[list[RankingRow], list[str]]:
    if comparison is None:
        return [], []
    candidates, withheld = [], []
    for item in report.get("items", []):
        paired = item["comparisons"][comparison.index]["paired"]
        n = paired.get("n") or 0
        if n < min_group or paired["improved"] is None or paired["worsened"] is None:
            withheld.append(item["code"])
            continue
        net = (paired["improved"] - paired["worsened"]) / n
        candidates.append((net, item, paired))
    candidates.sort(key=lambda entry: (-entry[0], entry[1]["code"]))
    rows = []
    for rank, (net, item, paired) in enumerate(candidates, start=1):
        n = paired["n"]
        wilcoxon = paired["wilcoxon"]
        p, p_adjusted = wilcoxon.get("p"), wilcoxon.get("p_adjusted")
        code = significance_code(p_adjusted)
        rows.append(RankingRow(
            rank=rank, code=item["code"], text=item["text"], dimension=item["dimension"],
            n_text=count_format(n),
            improved_text=percent_format(100.0 * paired["improved"] / n, 0),
            stable_text=percent_format(100.0 * paired["stable"] / n, 0)
            if paired["stable"] is not None else count_format(None),
            worsened_text=percent_format(100.0 * paired["worsened"] / n, 0),
            net_text=signed_format(100.0 * net, 0),
            p_text=p_precise_format(p) if p is not None else "—",
            p_adjusted_text=(p_precise_format(p_adjusted)
                             if p_adjusted is not None else "—"),
            significance=code,
            significance_label=str(SIGNIFICANCE_LABELS.get(code, "")),
            improved_percent=100.0 * paired["improved"] / n,
            worsened_percent=100.0 * paired["worsened"] / n,
        ))
    return rows, withheld


def _item_table(item: Mapping[str, Any], comparison: Comparison, min_group: int) -> ItemTable:
    block = item["comparisons"][comparison.index]
    independent, paired = block["independent"], block["paired"]
    by_wave = {f["wave"]: f for f in item.get("frequencies", [])}
    frequencies = [by_wave.get(w) for w in block["waves"]]
    base = {
        "code": item["code"], "text": item["text"], "dimension": item["dimension"],
        "anchor": f"item-{item['code']}",
        "column_labels": [comparison.first_label, comparison.second_label],
    }
    thin = [f is None or (f["n_responses"] or 0) < min_group
            or (f["n_answered"] is not None and f["n_answered"] < min_group)
            for f in frequencies]
    if any(thin):
        return ItemTable(
            **base, published=False,
            withheld_reason=_(
                "Fewer than %(min)s answers at one of the two waves: the table is not "
                "published.") % {"min": min_group},
            rows=[], totals=[], unanswered=[], chi2_line="", chi2_computed=False,
            adjusted_note="", cramers_v_text="", warning="",
            paired_sentence=paired_sentence(paired, min_group=min_group),
            paired_n=paired.get("n"))
    cells = independent.get("cells") or {}
    rows = []
    for position, kind in ((0, "choices"), (1, "unscored")):
        for choice in frequencies[0][kind]:
            code = choice["code"]
            marks = cells.get(code) or [None, None]
            row_cells = []
            for column, f in enumerate(frequencies):
                entry = next(c for c in f[kind] if c["code"] == code)
                row_cells.append(TableCell(count_format(entry["count"]),
                                           percent_format(entry["percent"]),
                                           marks[column] or ""))
            rows.append(TableRow(code, choice["label"], row_cells, unscored=bool(position)))
    return ItemTable(
        **base, published=True, withheld_reason="", rows=rows,
        totals=[count_format(f["n_answered"]) for f in frequencies],
        unanswered=[count_format(f["unanswered"]) for f in frequencies],
        chi2_line=chi2_line(independent),
        chi2_computed=independent.get("chi2") is not None,
        adjusted_note=adjusted_p_note(independent.get("p_adjusted")),
        cramers_v_text=(decimal_format(independent["cramers_v"])
                        if independent.get("cramers_v") is not None else ""),
        warning=warning_text(independent.get("warnings")),
        paired_sentence=paired_sentence(paired, min_group=min_group),
        paired_n=paired.get("n"),
        total_percent_text=percent_format(100.0, 0),
    )


def _basis(report: Mapping[str, Any], comparisons: Sequence[Comparison]) -> list[tuple[str, str]]:
    """How many people each kind of figure rests on: responses per wave, people per pair."""
    labels = _wave_labels(report)
    rows = []
    first_item = next(iter(report.get("items", [])), None)
    for f in (first_item or {}).get("frequencies", []):
        rows.append((_("Responses at %(wave)s") % {"wave": labels.get(f["wave"], f["wave"])},
                     count_format(f["n_responses"])))
    for comparison, power in zip(comparisons, (report.get("attrition") or {}).get("power", []),
                                 strict=False):
        rows.append((_("People who answered both at %(a)s and at %(b)s") % {
            "a": comparison.first_label, "b": comparison.second_label},
            count_format(power["n_pairs"])))
    return rows


def _summary(view: ReportView, report: Mapping[str, Any]) -> list[str]:
    lines = []
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
    comparison = view.comparison
    if comparison is not None and view.ranking:
        improved = sum(1 for r in view.ranking if r.significance in ("TS", "S")
                       and r.improved_percent > r.worsened_percent)
        worsened = sum(1 for r in view.ranking if r.significance in ("TS", "S")
                       and r.improved_percent < r.worsened_percent)
        total = len(report.get("items", []))
        lines.append(ngettext(
            "From %(a)s to %(b)s, %(improved)s question out of %(total)s shows a significant "
            "improvement among the people followed, %(worsened)s a significant decline "
            "(adjusted p < 0.05).",
            "From %(a)s to %(b)s, %(improved)s questions out of %(total)s show a significant "
            "improvement among the people followed, %(worsened)s a significant decline "
            "(adjusted p < 0.05).",
            improved,
        ) % {"a": comparison.first_label, "b": comparison.second_label,
             "improved": improved, "total": total, "worsened": worsened})
        best = view.ranking[0]
        lines.append(_("The largest progress: %(code)s “%(text)s” (%(improved)s improve, "
                       "%(worsened)s decline; adjusted p = %(p)s, %(significance)s).") % {
            "code": best.code, "text": best.text, "improved": best.improved_text,
            "worsened": best.worsened_text, "p": best.p_adjusted_text,
            "significance": best.significance_label or "—"})
    for row in view.dimensions:
        if row.change_text:
            lines.append(_("%(dimension)s: %(evolution)s.") % {
                "dimension": row.name, "evolution": row.evolution})
    return lines


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
    labels = _wave_labels(report)
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

    view.funnel = _funnel(report)
    attrition = report.get("attrition") or {}
    bias = attrition.get("bias")
    texts = {item["code"]: item["text"] for item in report.get("items", [])}
    later = labels.get((bias or {}).get("later_wave"), wave_labels[1] if len(wave_labels) > 1
                       else "")
    view.bias_sentence = bias_sentence(bias, first_label=wave_labels[0], later_label=later,
                                       item_texts=texts)
    power = None
    if chosen is not None and attrition.get("power"):
        power = attrition["power"][chosen.index]
    view.claim_sentence = sample_claim_sentence(
        power,
        first_label=chosen.first_label if chosen else wave_labels[0],
        last_label=chosen.second_label if chosen else wave_labels[-1])
    view.dimensions = _dimension_rows(report, chosen, min_group)
    view.dimension_basis = _(
        "A dimension's score is the mean of a person's scored answers to its questions. The "
        "mean at each wave counts everyone who answered that wave; the evolution counts only "
        "the people who answered both waves compared.")
    view.ranking, view.ranking_withheld = _ranking(report, chosen, min_group)
    if chosen is not None:
        view.items = [_item_table(item, chosen, min_group) for item in report.get("items", [])]
    view.summary = _summary(view, report)
    view.basis = _basis(report, comparisons)
    if with_charts:
        _charts_add(view, report, min_group)
    return view


# ---------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------


def _score_range(report: Mapping[str, Any], codes: Sequence[str]) -> tuple[float, float]:
    scores = [choice["score"]
              for item in report.get("items", []) if item["code"] in codes
              for f in item.get("frequencies", [])[:1]
              for choice in f["choices"] if choice["score"] is not None]
    return (min(scores), max(scores)) if scores else (0.0, 1.0)


def _charts_add(view: ReportView, report: Mapping[str, Any], min_group: int) -> None:
    view.funnel_chart = charts.funnel_chart(
        [charts.FunnelStep(row.label, row.count, 100.0 * row.count / (view.funnel[0].count or 1))
         for row in view.funnel if row.count is not None],
        chart_id="chart-funnel",
        title=_("Attrition funnel: people who answered each wave"),
        description="; ".join(f"{row.label}: {row.count_text} ({row.percent_text})"
                              for row in view.funnel),
        count_label=_("People"),
    )
    labels = _wave_labels(report)
    series = []
    described = []
    for dimension in report.get("dimensions", []):
        points = []
        for entry in dimension.get("waves", []):
            shown = entry["mean"] is not None and (entry["n"] or 0) >= min_group
            points.append(charts.DimensionPoint(
                wave_label=labels.get(entry["wave"], str(entry["wave"])),
                mean=entry["mean"] if shown else None,
                low=entry["ci"][0] if shown else None,
                high=entry["ci"][1] if shown else None,
                n=entry["n"]))
            if shown:
                described.append(_("%(dimension)s at %(wave)s: %(mean)s (n = %(n)s)") % {
                    "dimension": dimension["name"], "wave": points[-1].wave_label,
                    "mean": decimal_format(entry["mean"]), "n": count_format(entry["n"])})
        low, high = _score_range(report, dimension.get("items", []))
        series.append(charts.DimensionSeries(dimension["name"], points, low, high))
    if series:
        view.dimensions_chart = charts.dimensions_chart(
            series, chart_id="chart-dimensions",
            title=_("Mean score per dimension at each wave, with its %(level)s confidence "
                    "interval") % {"level": percent_format(95.0, 0)},
            description="; ".join(described), y_label=_("Mean score"), columns=3)
    if view.ranking and view.comparison is not None:
        view.ranking_chart = charts.ranking_chart(
            [charts.RankingBar(f"{row.code} {row.text}", row.improved_percent,
                               row.worsened_percent,
                               row.significance if row.significance in ("TS", "S") else "")
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
