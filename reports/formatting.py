"""Numbers and sentences as French survey tools write them, in the active language.

"p = < 0,01 ; Khi2 = 18,55 ; ddl = 2 (TS)" in French, "p = < 0.01; Chi2 = 18.55; df = 2 (TS)"
in English: the decimal separator follows the active language (Django's formats), the words
come from the translation catalogue. Functions take the plain values of the impact report
(analysis/report.py) and never compute a statistic themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# The analysis reports reasons as stable codes; the words shown to people are these.
WARNING_MESSAGES = {
    "no_answers": gettext_lazy("Nobody answered in either wave."),
    "empty_wave": gettext_lazy("Nobody answered in one of the two waves."),
    "single_category": gettext_lazy(
        "All answers fall in a single choice; there is nothing to compare."),
    "expected_below_5": gettext_lazy(
        "Some expected counts are below 5; the chi-square p-value is approximate."),
    "no_pairs": gettext_lazy("No beneficiary gave a scored answer in both waves."),
    "singular_covariance": gettext_lazy(
        "The changes between choices are too few to estimate the test."),
    "no_nonzero_differences": gettext_lazy("Every pair gave the same score in both waves."),
    "too_few_pairs": gettext_lazy("Fewer than two pairs; no confidence interval can be computed."),
    "no_variation": gettext_lazy("Every pair changed by the same amount; the t-test is undefined."),
    "too_few_values": gettext_lazy(
        "Fewer than two values; no confidence interval can be computed."),
    "no_responses": gettext_lazy("The questionnaire has no responses."),
    "group_too_small": gettext_lazy(
        "Too few beneficiaries to publish figures without identifying people."),
    "wave_not_reached": gettext_lazy("Nobody has answered this wave yet."),
    "no_later_wave": gettext_lazy(
        "The questionnaire has a single wave; attrition cannot be assessed."),
    "too_few_in_group": gettext_lazy("One of the groups compared is too small for a test."),
    # The board's report (analysis/disclosure.py).
    "withheld_for_privacy": gettext_lazy(
        "withheld: with the counts shown it would reveal a hidden count below 5"),
    "counts_suppressed": gettext_lazy(
        "Counts below 5, and the counts from which one could be worked out, are not "
        "published; statistics computed from them are withheld."),
}

SEGMENT_LABELS = {
    "gender": gettext_lazy("gender"),
    "age_group": gettext_lazy("age group"),
    "education": gettext_lazy("education level"),
    "programme": gettext_lazy("programme"),
    "counsellor": gettext_lazy("counsellor"),
}

SIGNIFICANCE_LABELS = {
    "TS": gettext_lazy("very significant"),
    "S": gettext_lazy("significant"),
    "PS": gettext_lazy("slightly significant"),
    "NS": gettext_lazy("not significant"),
}


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


def decimal_format(value: float, places: int = 2) -> str:
    """``value`` with ``places`` decimals and the active language's decimal separator."""
    return number_format(round(float(value), places), decimal_pos=places, use_l10n=True)


def count_format(value: int | None) -> str:
    """A count with the active language's thousands separator (10 000 / 10,000); a count
    hidden for the board (``None``, analysis/disclosure.py) says so."""
    if value is None:
        return _("hidden")
    return number_format(int(value), use_l10n=True, force_grouping=True)


def percent_format(value: float | None, places: int = 1) -> str:
    """"16,7 %" in French, "16.7%" in English; an empty string for a missing value."""
    if value is None:
        return ""
    return _("%(value)s%%") % {"value": decimal_format(value, places)}


def p_format(p: float) -> str:
    """The survey tools' p: "< 0,01" below 0.01, else two decimals ("0,23")."""
    if p < 0.01:
        return _("< %(limit)s") % {"limit": decimal_format(0.01, 2)}
    return decimal_format(p, 2)


def p_precise_format(p: float) -> str:
    """A p-value for sentences: three decimals, "< 0,001" below 0.001 ("0,004")."""
    if p < 0.001:
        return _("< %(limit)s") % {"limit": decimal_format(0.001, 3)}
    return decimal_format(p, 3)


def p_equals(p: float, *, precise: bool = False) -> str:
    """"p = 0,004" or "p < 0,001": the sign comes with the value."""
    text = p_precise_format(p) if precise else p_format(p)
    if text.startswith("<"):
        return _("p %(value)s") % {"value": text}
    return _("p = %(value)s") % {"value": text}


def signed_format(value: float, places: int = 2) -> str:
    """"+0,78" or "−0,12" (a true minus sign)."""
    text = decimal_format(abs(value), places)
    if round(value, places) > 0:
        return f"+{text}"
    if round(value, places) < 0:
        return f"−{text}"
    return text


# ---------------------------------------------------------------------------
# Lines of the survey-tool table
# ---------------------------------------------------------------------------


def warning_text(entries: Sequence[Mapping[str, Any]] | None) -> str:
    """The first reason a figure is missing or fragile, in the active language."""
    for entry in entries or ():
        message = WARNING_MESSAGES.get(entry.get("code", ""))
        return str(message) if message else str(entry.get("message", ""))
    return ""


def chi2_line(independent: Mapping[str, Any]) -> str:
    """"p = < 0,01 ; Khi2 = 18,55 ; ddl = 2 (TS)", or why the test could not be computed."""
    if independent.get("chi2") is None or independent.get("p") is None:
        reason = warning_text(independent.get("warnings")) or _("not enough answers")
        if (independent.get("warnings") or [{}])[0].get("code") == "withheld_for_privacy":
            return _("Chi-square %(reason)s") % {"reason": reason}
        return _("Chi-square not computable: %(reason)s") % {"reason": reason}
    return _("p = %(p)s; Chi2 = %(chi2)s; df = %(dof)s (%(significance)s)") % {
        "p": p_format(independent["p"]),
        "chi2": decimal_format(independent["chi2"], 2),
        "dof": independent["dof"],
        "significance": independent["significance"],
    }


def adjusted_p_note(p_adjusted: float | None, *, precise: bool = False) -> str:
    """"p ajusté = 0,04": the p-value after the Benjamini–Hochberg correction."""
    if p_adjusted is None:
        return ""
    text = p_precise_format(p_adjusted) if precise else p_format(p_adjusted)
    if precise and text.startswith("<"):
        return _("adjusted p %(p)s") % {"p": text}
    return _("adjusted p = %(p)s") % {"p": text}


def _plural(count: int | None) -> int:
    return 2 if count is None else count


def paired_sentence(paired: Mapping[str, Any], *, min_group: int = 5) -> str:
    """"Sur 40 personnes suivies, 21 progressent, 15 restent stables, 4 reculent ; p = 0,004"."""
    n = paired.get("n")
    if not n:
        return _("Nobody gave a scored answer to this question at both waves.")
    if n < min_group:
        return _(
            "Fewer than %(min)s people answered this question at both waves: "
            "the individual evolution is not published."
        ) % {"min": min_group}
    # A count hidden for the board (None) reads as a plural: "masqué progressent".
    improved = ngettext("%(count)s improves", "%(count)s improve",
                        _plural(paired["improved"])) % {
        "count": count_format(paired["improved"])}
    stable = ngettext("%(count)s stays stable", "%(count)s stay stable",
                      _plural(paired["stable"])) % {
        "count": count_format(paired["stable"])}
    worsened = ngettext("%(count)s declines", "%(count)s decline",
                        _plural(paired["worsened"])) % {
        "count": count_format(paired["worsened"])}
    sentence = ngettext(
        "Of %(n)s person followed, %(improved)s, %(stable)s, %(worsened)s",
        "Of %(n)s people followed, %(improved)s, %(stable)s, %(worsened)s",
        n,
    ) % {"n": count_format(n), "improved": improved, "stable": stable, "worsened": worsened}
    wilcoxon = paired.get("wilcoxon") or {}
    if wilcoxon.get("p") is None:
        reason = warning_text(wilcoxon.get("warnings"))
        if reason:
            return _("%(sentence)s (%(reason)s)") % {"sentence": sentence, "reason": reason}
        return sentence
    test = p_equals(wilcoxon["p"], precise=True)
    if wilcoxon.get("p_adjusted") is not None:
        test = _("%(p)s (%(adjusted)s)") % {
            "p": test, "adjusted": adjusted_p_note(wilcoxon["p_adjusted"], precise=True)}
    return _("%(sentence)s; %(test)s") % {"sentence": sentence, "test": test}


# ---------------------------------------------------------------------------
# Sentences about the sample
# ---------------------------------------------------------------------------


def effect_size_words(dz: float) -> str:
    """Cohen's conventional words for a standardized change."""
    if dz < 0.35:
        return _("small size")
    if dz < 0.65:
        return _("medium size")
    return _("large size")


def sample_claim_sentence(
    power: Mapping[str, Any] | None, *, first_label: str, last_label: str
) -> str:
    """What the people followed from the first to the last wave can show, in plain words."""
    if not power or (power.get("n_pairs") or 0) < 2 or power.get("min_detectable_dz") is None:
        return _(
            "Too few people have answered both at %(first)s and at %(last)s yet: "
            "this sample cannot show a change on its own."
        ) % {"first": first_label, "last": last_label}
    n = power["n_pairs"]
    detectable = power["min_detectable_dz"]
    values = {
        "n": count_format(n),
        "first": first_label,
        "last": last_label,
        "dz": decimal_format(detectable, 2),
        "size": effect_size_words(detectable),
        "target": decimal_format(power["target_dz"], 2),
        "needed": count_format(power["pairs_needed"]),
        "missing": count_format(power["pairs_missing"]),
    }
    if power["pairs_missing"] <= 0:
        return ngettext(
            "With %(n)s person followed from %(first)s to %(last)s, this sample can show "
            "changes down to a small size (effect size %(dz)s or more, 8 times out of 10).",
            "With %(n)s people followed from %(first)s to %(last)s, this sample can show "
            "changes down to a small size (effect size %(dz)s or more, 8 times out of 10).",
            n,
        ) % values
    return ngettext(
        "With %(n)s person followed from %(first)s to %(last)s, this sample can only show "
        "changes of %(size)s or more (effect size %(dz)s or more); showing a small change "
        "(%(target)s) would need %(needed)s people followed, %(missing)s more.",
        "With %(n)s people followed from %(first)s to %(last)s, this sample can only show "
        "changes of %(size)s or more (effect size %(dz)s or more); showing a small change "
        "(%(target)s) would need %(needed)s people followed, %(missing)s more.",
        n,
    ) % values


def bias_sentence(
    bias: Mapping[str, Any] | None,
    *,
    first_label: str,
    later_label: str,
    item_texts: Mapping[str, str],
) -> str:
    """The attrition-bias verdict: do those who stayed differ from those who left?"""
    if not bias or bias.get("verdict") == "insufficient_data":
        return _(
            "Too few people stayed or left to check whether departures bias the results."
        )
    values = {
        "first": first_label,
        "later": later_label,
        "stayed": count_format(bias["stayed"]),
        "left": count_format(bias["left"]),
    }
    if bias["verdict"] == "no_evidence_of_bias":
        return _(
            "At %(first)s, the %(stayed)s people who then answered at %(later)s did not answer "
            "differently from the %(left)s who did not: nothing shows that departures bias the "
            "results."
        ) % values
    differing = []
    for entry in bias.get("differing", []):
        if entry["kind"] == "segment":
            differing.append(str(SEGMENT_LABELS.get(entry["name"], entry["name"])))
        else:
            text = item_texts.get(entry["name"], "")
            differing.append(
                _("%(code)s “%(text)s”") % {"code": entry["name"], "text": text}
                if text else entry["name"])
    values["differing"] = ", ".join(differing)
    return _(
        "Caution: at %(first)s, the %(stayed)s people who then answered at %(later)s differed "
        "from the %(left)s who did not (%(differing)s). The evolution describes those who stay "
        "rather than everyone who started."
    ) % values
