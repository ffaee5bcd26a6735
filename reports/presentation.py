"""What the dashboard and the PDF show, prepared from one impact report dict.

Both pages render the same ``ReportView`` built here from the dict ``impact_report`` returns,
so that their figures are the report's. Nothing is computed again: counts, percentages and
tests are the report's; this module picks, orders, words and withholds. It withholds every
figure that rests on fewer than ``min_group`` people (the report's own threshold), on top of
what the report already withholds, so that nobody can be recognised in a small group.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analysis.disclosure import BoardCut
from analysis.tests_of_change import significance_label
from reports import charts
from reports.formatting import (
    EXIT_LABELS,
    POSITIVE_EXITS,
    SITUATION_LABELS,
    at_work_sentence,
    bias_sentence,
    chi2_line,
    count_format,
    count_or_dash,
    decimal_format,
    disagreement_sentence,
    interval_format,
    p_meaning,
    p_precise_format,
    paired_sentence,
    paired_test,
    percent_format,
    sample_claim_sentence,
    sensitivity_sentence,
    share_format,
    share_parts,
    signed_format,
    significance_shown,
    verdict_label,
    warning_text,
)
from reports.selectors import ReportFilters

ALPHA = 0.05
# Significance labels under which the table's over/under marks mean something.
MARKED = ("TS", "S")


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
    count: int | None
    count_text: str
    percent_text: str


@dataclass(frozen=True)
class DimensionWave:
    label: str
    n_text: str
    mean_text: str  # on 0–100
    ci_text: str


@dataclass(frozen=True)
class DimensionRow:
    name: str
    item_codes: str
    scale_text: str  # "scores 1 to 3"
    verdict: str
    verdict_label: str
    waves: list[DimensionWave]
    evolution: str  # a sentence
    n_pairs_text: str
    change_text: str  # points on 0–100
    ci_text: str
    p_text: str
    p_adjusted: float | None
    improved_text: str
    improved_ci_text: str
    worsened_text: str
    worsened_ci_text: str
    sensitivity_text: str


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
    p_adjusted_text: str
    verdict: str
    verdict_label: str
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
    verdict: str
    verdict_label: str
    disagreement: str  # one sentence where the table and the verdict disagree
    published: bool
    withheld_reason: str
    column_labels: list[str]
    rows: list[TableRow]
    totals: list[str]
    unanswered: list[str]
    chi2_line: str
    chi2_computed: bool
    cramers_v_text: str
    warning: str
    paired_sentence: str
    paired_n: int | None
    total_percent_text: str = ""


@dataclass(frozen=True)
class LeaverRow:
    label: str
    count_text: str
    positive: bool


@dataclass(frozen=True)
class AttritionRow:
    """One transition (1 → 2, 2 → 3, 1 → 3): who was due, who answered, what became of the
    others, and whether those who answered differ."""

    label: str
    heading: str  # "Entrée → Sortie :"
    answered_first_text: str
    due_text: str
    answered_text: str
    not_yet_due_text: str
    leavers: list[LeaverRow]
    positive_exits_text: str
    bias_sentence: str


@dataclass(frozen=True)
class AttritionTableRow:
    """A line of the attrition table: one figure per transition."""

    label: str
    cells: list[str]
    kind: str  # "total", "aside", "answered", "positive" or ""


def attrition_table(rows: Sequence[AttritionRow]) -> list[AttritionTableRow]:
    """The transitions side by side, one line per kind of person."""
    if not rows:
        return []
    lines = [
        AttritionTableRow(_("answered the earlier of the two waves"),
                          [r.answered_first_text for r in rows], "total"),
        AttritionTableRow(_("not yet due for the later wave"),
                          [r.not_yet_due_text for r in rows], "aside"),
        AttritionTableRow(_("due for the later wave"), [r.due_text for r in rows], "total"),
        AttritionTableRow(_("… answered it"), [r.answered_text for r in rows], "answered"),
    ]
    for k, leaver in enumerate(rows[0].leavers):
        lines.append(AttritionTableRow(
            _("… %(what)s") % {"what": leaver.label},
            [r.leavers[k].count_text if k < len(r.leavers) else "—" for r in rows],
            "positive" if leaver.positive else ""))
    return lines


@dataclass(frozen=True)
class OutcomeRow:
    label: str
    count_text: str
    share_text: str
    positive: bool


@dataclass
class OutcomesView:
    followed_text: str
    exits: list[OutcomeRow]
    situations: list[OutcomeRow]
    situation_due_text: str
    at_work_sentence: str


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
    attrition: list[AttritionRow] = field(default_factory=list)
    attrition_table: list[AttritionTableRow] = field(default_factory=list)
    claim_sentence: str = ""
    outcomes: OutcomesView | None = None
    dimensions: list[DimensionRow] = field(default_factory=list)
    ranking: list[RankingRow] = field(default_factory=list)
    ranking_withheld: list[str] = field(default_factory=list)
    items: list[ItemTable] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    verdict_counts: list[tuple[str, str, str]] = field(default_factory=list)
    dimension_basis: str = ""
    dimension_p_sentence: str = ""
    suppressed_note: str = ""
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


def _attrition_entries(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The per-transition attrition entries (a list since the second series)."""
    attrition = report.get("attrition")
    return list(attrition) if isinstance(attrition, list) else []


def _power_entries(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The power of each comparison, in the order of the comparisons."""
    attrition = report.get("attrition")
    if isinstance(attrition, list):
        return [entry.get("power") or {} for entry in attrition]
    return list((attrition or {}).get("power") or [])


def headline_comparison(report: Mapping[str, Any], comparisons: Sequence[Comparison]) -> int:
    """First against last wave when enough people were followed that far, else the first pair."""
    if not comparisons:
        return 0
    min_group = report.get("generated", {}).get("min_group", 5)
    waves = [w["number"] for w in report.get("waves", [])]
    for comparison, power in zip(comparisons, _power_entries(report), strict=False):
        if waves and comparison.key == f"{waves[0]}-{waves[-1]}" \
                and (power.get("n_pairs") or 0) >= min_group:
            return comparison.index
    return 0


def _funnel(report: Mapping[str, Any]) -> list[FunnelRow]:
    labels = _wave_labels(report)
    funnel = report.get("respondents") or {}
    first = next(iter(funnel.values()), None)
    rows = []
    for key, count in funnel.items():
        label = " + ".join(labels.get(int(w), w) for w in key.split("-"))
        percent = (percent_format(100.0 * count / first, 0)
                   if count is not None and first else "")
        rows.append(FunnelRow(label, count, count_or_dash(count), percent))
    return rows


def _attrition_rows(report: Mapping[str, Any],
                    comparisons: Sequence[Comparison]) -> list[AttritionRow]:
    texts = {item["code"]: item["text"] for item in report.get("items", [])}
    rows = []
    for comparison, entry in zip(comparisons, _attrition_entries(report), strict=False):
        left = entry.get("left") or {}
        leavers = [LeaverRow(str(EXIT_LABELS[code]), count_or_dash(left.get(code)),
                             code in POSITIVE_EXITS)
                   for code in ("still_followed", "employment", "training", "other_support",
                                "dropped_out", "moved", "other", "unknown")
                   if code in left]
        rows.append(AttritionRow(
            label=comparison.label,
            heading=_("%(transition)s:") % {"transition": comparison.label},
            answered_first_text=count_or_dash(entry.get("answered_first")),
            due_text=count_or_dash(entry.get("due")),
            answered_text=count_or_dash(entry.get("answered")),
            not_yet_due_text=count_or_dash(entry.get("not_yet_due")),
            leavers=leavers,
            positive_exits_text=count_or_dash(entry.get("positive_exits")),
            bias_sentence=bias_sentence(entry.get("bias"), first_label=comparison.first_label,
                                        later_label=comparison.second_label,
                                        item_texts=texts),
        ))
    return rows


def _outcomes(report: Mapping[str, Any]) -> OutcomesView | None:
    outcomes = report.get("outcomes")
    if not outcomes:
        return None
    # The board's version publishes no count below min_group, this one included.
    board = bool(report.get("disclosure"))
    min_group = report.get("generated", {}).get("min_group", 5)
    not_recorded = outcomes.get("situation_not_recorded")
    shares = outcomes.get("exits_share") or {}
    exits = [OutcomeRow(str(EXIT_LABELS.get(code, code)), count_or_dash(count),
                        share_format(shares.get(code)), code in POSITIVE_EXITS)
             for code, count in (outcomes.get("exits") or {}).items()]
    if "exit_reason_unknown" in outcomes:
        exits.append(OutcomeRow(str(EXIT_LABELS["unknown"]),
                                count_or_dash(outcomes["exit_reason_unknown"]), "", False))
    situations = [OutcomeRow(str(SITUATION_LABELS.get(code, code)), count_or_dash(count), "",
                             code in POSITIVE_EXITS)
                  for code, count in (outcomes.get("situation_6_months") or {}).items()]
    return OutcomesView(
        followed_text=count_or_dash(outcomes.get("followed")),
        exits=exits, situations=situations,
        situation_due_text=count_or_dash(outcomes.get("situation_due")),
        at_work_sentence=at_work_sentence(outcomes.get("at_work_6_months"),
                                          not_recorded=not_recorded,
                                          hide_below=min_group if board else 0))


def _ci_0_100(entry: Mapping[str, Any], key: str, *, signed: bool = False) -> str:
    """An interval on the 0–100 scale, kept within what the scale can hold (a mean cannot
    exceed 100, a change cannot exceed ±100)."""
    ci = entry.get(key)
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    low_bound = -100.0 if signed else 0.0
    clipped = [min(max(float(v), low_bound), 100.0) for v in ci]
    return interval_format(clipped, places=1, signed=signed)


def _dimension_rows(report: Mapping[str, Any], comparison: Comparison | None,
                    min_group: int) -> list[DimensionRow]:
    labels = _wave_labels(report)
    rows = []
    for dimension in report.get("dimensions", []):
        waves = []
        for entry in dimension.get("waves", []):
            label = labels.get(entry["wave"], str(entry["wave"]))
            mean = entry.get("mean_0_100")
            if mean is None or entry.get("n") is None or entry["n"] < min_group:
                waves.append(DimensionWave(label, count_or_dash(entry.get("n")), "—", ""))
                continue
            waves.append(DimensionWave(label, count_format(entry["n"]),
                                       decimal_format(mean, 1), _ci_0_100(entry, "ci_0_100")))
        scale = dimension.get("scale") or {}
        scale_text = (_("scale %(low)s-%(high)s") % {
            "low": decimal_format(scale["min"], 0), "high": decimal_format(scale["max"], 0)}
            if scale.get("min") is not None and scale.get("max") is not None else "")
        verdict = ""
        evolution = n_pairs_text = change_text = ci_text = p_text = ""
        improved = worsened = ("", "")
        sensitivity_text = ""
        p_adjusted = None
        if comparison is not None and dimension.get("comparisons"):
            paired = dimension["comparisons"][comparison.index]
            verdict = paired.get("verdict") or "too_few"
            n = paired.get("n")
            n_pairs_text = count_or_dash(n)
            difference = paired.get("mean_difference_0_100")
            if n is None or n < min_group or difference is None:
                verdict = "too_few"
                evolution = _("Too few people followed to publish the evolution.")
            else:
                change_text = _("%(change)s points") % {"change": signed_format(difference, 1)}
                ci_text = _ci_0_100(paired, "ci_0_100", signed=True)
                if paired.get("p_adjusted") is not None:
                    p_adjusted = paired["p_adjusted"]
                    p_text = _("adjusted p %(p)s") % {"p": _p_value(p_adjusted)}
                improved = share_parts(paired.get("improved_share"))
                worsened = share_parts(paired.get("worsened_share"))
                sensitivity_text = sensitivity_sentence(paired.get("sensitivity"))
                means = paired.get("mean_0_100") or [None, None]
                if means[0] is not None and means[1] is not None:
                    evolution = ngettext(
                        "for the %(n)s person followed, from %(a)s to %(b)s out of 100 "
                        "(%(change)s)",
                        "for the %(n)s people followed, from %(a)s to %(b)s out of 100 "
                        "(%(change)s)",
                        n,
                    ) % {"n": count_format(n), "a": decimal_format(means[0], 1),
                         "b": decimal_format(means[1], 1), "change": change_text}
        rows.append(DimensionRow(
            name=dimension["name"], item_codes=", ".join(dimension.get("items", [])),
            scale_text=scale_text, verdict=verdict, verdict_label=verdict_label(verdict)
            if verdict else "",
            waves=waves, evolution=evolution, n_pairs_text=n_pairs_text,
            change_text=change_text, ci_text=ci_text, p_text=p_text,
            p_adjusted=p_adjusted, improved_text=improved[0], improved_ci_text=improved[1],
            worsened_text=worsened[0], worsened_ci_text=worsened[1],
            sensitivity_text=sensitivity_text))
    return rows


def _p_value(p: float) -> str:
    """"= 0,004" or "< 0,001": the sign comes with the value, never "= <"."""
    text = p_precise_format(p)
    return text if text.startswith("<") else f"= {text}"


def _item_verdict(block: Mapping[str, Any]) -> str:
    paired = block.get("paired") or {}
    verdict = block.get("verdict")
    if verdict is None or paired.get("n") is None:
        return "too_few"
    return verdict


def _ranking(report: Mapping[str, Any], comparison: Comparison | None,
             min_group: int) -> tuple[list[RankingRow], list[str]]:
    if comparison is None:
        return [], []
    candidates, withheld = [], []
    for item in report.get("items", []):
        block = item["comparisons"][comparison.index]
        paired = block["paired"]
        n = paired.get("n")
        if n is None or n < min_group or any(
                paired.get(k) is None for k in ("improved", "stable", "worsened")):
            withheld.append(item["code"])
            continue
        net = (paired["improved"] - paired["worsened"]) / n
        candidates.append((net, item, block))
    candidates.sort(key=lambda entry: (-entry[0], entry[1]["code"]))
    rows = []
    for rank, (net, item, block) in enumerate(candidates, start=1):
        paired = block["paired"]
        n = paired["n"]
        _p, p_adjusted = paired_test(paired)
        verdict = _item_verdict(block)
        rows.append(RankingRow(
            rank=rank, code=item["code"], text=item["text"], dimension=item["dimension"],
            n_text=count_format(n),
            improved_text=percent_format(100.0 * paired["improved"] / n, 0),
            stable_text=percent_format(100.0 * paired["stable"] / n, 0),
            worsened_text=percent_format(100.0 * paired["worsened"] / n, 0),
            net_text=signed_format(100.0 * net, 0),
            p_adjusted_text=(p_precise_format(p_adjusted) if p_adjusted is not None else "—"),
            verdict=verdict, verdict_label=verdict_label(verdict),
            improved_percent=100.0 * paired["improved"] / n,
            worsened_percent=100.0 * paired["worsened"] / n,
        ))
    return rows, withheld


def _item_table(item: Mapping[str, Any], comparison: Comparison, min_group: int) -> ItemTable:
    block = item["comparisons"][comparison.index]
    independent, paired = block["independent"], block["paired"]
    verdict = _item_verdict(block)
    by_wave = {f["wave"]: f for f in item.get("frequencies", [])}
    frequencies = [by_wave.get(w) for w in block["waves"]]
    base = {
        "code": item["code"], "text": item["text"], "dimension": item["dimension"],
        "anchor": f"item-{item['code']}",
        "verdict": verdict, "verdict_label": verdict_label(verdict),
        "column_labels": [comparison.first_label, comparison.second_label],
        "paired_sentence": paired_sentence(paired, min_group=min_group),
        "paired_n": paired.get("n"),
    }
    thin = [f is None or (f["n_responses"] or 0) < min_group
            or (f["n_answered"] is not None and f["n_answered"] < min_group)
            for f in frequencies]
    if any(thin):
        return ItemTable(
            **base, published=False, disagreement="",
            withheld_reason=_(
                "Fewer than %(min)s answers at one of the two waves: the table is not "
                "published.") % {"min": min_group},
            rows=[], totals=[], unanswered=[], chi2_line="", chi2_computed=False,
            cramers_v_text="", warning="")
    label = significance_shown(independent)
    # Over/under marks claim a difference: shown only where the table's label claims one.
    cells = (independent.get("cells") or {}) if label in MARKED else {}
    rows = []
    for position, kind in ((0, "choices"), (1, "unscored")):
        for choice in frequencies[0][kind]:
            code = choice["code"]
            marks = cells.get(code) or [None, None]
            row_cells = []
            for column, f in enumerate(frequencies):
                entry = next(c for c in f[kind] if c["code"] == code)
                row_cells.append(TableCell(count_or_dash(entry["count"]),
                                           percent_format(entry["percent"]) or "—",
                                           marks[column] or ""))
            rows.append(TableRow(code, choice["label"], row_cells, unscored=bool(position)))
    return ItemTable(
        **base, published=True, withheld_reason="", rows=rows,
        disagreement=disagreement_sentence(block.get("disagreement")),
        totals=[count_or_dash(f["n_answered"]) for f in frequencies],
        unanswered=[count_or_dash(f.get("unanswered")) for f in frequencies],
        chi2_line=chi2_line(independent),
        chi2_computed=independent.get("chi2") is not None,
        cramers_v_text=(decimal_format(independent["cramers_v"])
                        if independent.get("cramers_v") is not None else ""),
        warning=(_("Some expected counts are below 5: the p comes from an exact test.")
                 if independent.get("exact_p") is not None
                 else warning_text(independent.get("warnings"))),
        total_percent_text=percent_format(100.0, 0),
    )


def _basis(report: Mapping[str, Any], comparisons: Sequence[Comparison]) -> list[tuple[str, str]]:
    """How many people each kind of figure rests on: responses per wave, people per pair."""
    labels = _wave_labels(report)
    rows = []
    first_item = next(iter(report.get("items", [])), None)
    for f in (first_item or {}).get("frequencies", []):
        rows.append((_("Responses at %(wave)s") % {"wave": labels.get(f["wave"], f["wave"])},
                     count_or_dash(f.get("n_responses"))))
    for comparison, power in zip(comparisons, _power_entries(report), strict=False):
        rows.append((_("People who answered both at %(a)s and at %(b)s") % {
            "a": comparison.first_label, "b": comparison.second_label},
            count_or_dash(power.get("n_pairs"))))
    return rows


VERDICT_ORDER = ("progress", "decline", "no_change_detected", "too_few")


def _verdict_counts(view: ReportView, report: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(verdict, its label, how many questions) for the comparison shown, in a fixed order."""
    if view.comparison is None:
        return []
    verdicts = [_item_verdict(item["comparisons"][view.comparison.index])
                for item in report.get("items", [])]
    return [(v, verdict_label(v), _questions(verdicts.count(v))) for v in VERDICT_ORDER
            if verdicts.count(v)]


def _questions(count: int) -> str:
    """"1 question", "15 questions": a count of questions says so (never read as people)."""
    return ngettext("%(count)s question", "%(count)s questions", count) % {
        "count": count_format(count)}


def _summary(view: ReportView, report: Mapping[str, Any]) -> list[str]:
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

    view.funnel = _funnel(report)
    view.attrition = _attrition_rows(report, comparisons)
    view.attrition_table = attrition_table(view.attrition)
    powers = _power_entries(report)
    power = powers[chosen.index] if chosen is not None and chosen.index < len(powers) else None
    view.claim_sentence = sample_claim_sentence(
        power,
        first_label=chosen.first_label if chosen else wave_labels[0],
        last_label=chosen.second_label if chosen else wave_labels[-1])
    view.outcomes = _outcomes(report)
    view.dimensions = _dimension_rows(report, chosen, min_group)
    changed = [row.p_adjusted for row in view.dimensions
               if row.verdict in ("progress", "decline") and row.p_adjusted is not None]
    if changed:
        highest = max(changed)
        view.dimension_p_sentence = _(
            "Progress or decline: adjusted p %(p)s, that is %(meaning)s.") % {
            "p": (_p_value(highest) if highest < 0.001
                  else _("at most %(p)s") % {"p": p_precise_format(highest)}),
            "meaning": p_meaning(highest)}
    view.dimension_basis = _(
        "A dimension's score is the mean of a person's scored answers to its questions (at "
        "least two thirds of them answered), shown out of 100: 0 is the lowest answer to "
        "every question, 100 the highest, so dimensions on different scales compare. The "
        "mean at each wave counts everyone who answered that wave; the evolution counts only "
        "the people who answered both waves compared, on the questions they answered both "
        "times.")
    view.ranking, view.ranking_withheld = _ranking(report, chosen, min_group)
    if chosen is not None:
        view.items = [_item_table(item, chosen, min_group) for item in report.get("items", [])]
    view.verdict_counts = _verdict_counts(view, report)
    view.summary = _summary(view, report)
    view.basis = _basis(report, comparisons)
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
    labels = _wave_labels(report)
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
