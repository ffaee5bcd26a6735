"""The report dict's sections turned into view objects (reports/view_objects.py): which
comparison, which rows, which figures are withheld below ``min_group``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    p_precise_format,
    paired_sentence,
    paired_test,
    percent_format,
    sensitivity_sentence,
    share_format,
    share_parts,
    signed_format,
    significance_shown,
    verdict_label,
    warning_text,
)
from reports.view_objects import (
    MARKED,
    AttritionRow,
    Comparison,
    DimensionRow,
    DimensionWave,
    FunnelRow,
    ItemTable,
    LeaverRow,
    OutcomeRow,
    OutcomesView,
    RankingRow,
    TableCell,
    TableRow,
)


def wave_labels_by_number(report: Mapping[str, Any]) -> dict[int, str]:
    return {w["number"]: w["label"] for w in report.get("waves", [])}


def report_comparisons(report: Mapping[str, Any]) -> list[Comparison]:
    """The comparisons of the report (each consecutive pair of waves, then first → last)."""
    labels = wave_labels_by_number(report)
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


def power_entries(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
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
    for comparison, power in zip(comparisons, power_entries(report), strict=False):
        if waves and comparison.key == f"{waves[0]}-{waves[-1]}" \
                and (power.get("n_pairs") or 0) >= min_group:
            return comparison.index
    return 0


def funnel_rows(report: Mapping[str, Any]) -> list[FunnelRow]:
    labels = wave_labels_by_number(report)
    funnel = report.get("respondents") or {}
    first = next(iter(funnel.values()), None)
    rows = []
    for key, count in funnel.items():
        label = " + ".join(labels.get(int(w), w) for w in key.split("-"))
        percent = (percent_format(100.0 * count / first, 0)
                   if count is not None and first else "")
        rows.append(FunnelRow(label, count, count_or_dash(count), percent))
    return rows


def attrition_rows(report: Mapping[str, Any],
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


def outcomes_view(report: Mapping[str, Any]) -> OutcomesView | None:
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


def dimension_rows(report: Mapping[str, Any], comparison: Comparison | None,
                    min_group: int) -> list[DimensionRow]:
    labels = wave_labels_by_number(report)
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
                    p_text = _("adjusted p %(p)s") % {"p": p_value_text(p_adjusted)}
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


def p_value_text(p: float) -> str:
    """"= 0,004" or "< 0,001": the sign comes with the value, never "= <"."""
    text = p_precise_format(p)
    return text if text.startswith("<") else f"= {text}"


def item_verdict(block: Mapping[str, Any]) -> str:
    paired = block.get("paired") or {}
    verdict = block.get("verdict")
    if verdict is None or paired.get("n") is None:
        return "too_few"
    return verdict


def ranking_rows(report: Mapping[str, Any], comparison: Comparison | None,
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
        verdict = item_verdict(block)
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


def item_table(item: Mapping[str, Any], comparison: Comparison, min_group: int) -> ItemTable:
    block = item["comparisons"][comparison.index]
    independent, paired = block["independent"], block["paired"]
    verdict = item_verdict(block)
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
