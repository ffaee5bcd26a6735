"""Numbers and sentences as French survey tools write them, in the active language.

"p < 0,01 ; Khi2 = 18,55 ; ddl = 2 (TS)" in French, "p < 0.01; Chi2 = 18.55; df = 2 (TS)"
in English (never "p = < 0,01"): the decimal separator follows the active language (Django's
formats), the words come from the translation catalogue. Functions take the plain values of
the impact report (analysis/report.py) and never compute a statistic themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

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
    "generalised_inverse": gettext_lazy(
        "Some choices never changed; the test uses a generalised inverse and fewer degrees "
        "of freedom."),
    "no_variation_values": gettext_lazy(
        "Every value is the same; no confidence interval is given."),
    "no_test": gettext_lazy("No comparison could be computed between the two groups."),
    "too_few_for_weighting": gettext_lazy(
        "Too few people answered, or did not answer, the later wave to estimate who answers."),
    "separation": gettext_lazy(
        "Who answered the later wave is almost fully predicted by the earlier answers; "
        "re-weighting would rest on a handful of people."),
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

EXACT_METHODS = {
    "fisher": gettext_lazy("Fisher"),
    "monte_carlo": gettext_lazy("Monte Carlo"),
    "": gettext_lazy("exact test"),
}

# The verdict of the paired analysis of the same people: what every page shows first.
VERDICT_LABELS = {
    "progress": pgettext_lazy("verdict", "Progress"),
    "decline": pgettext_lazy("verdict", "Decline"),
    "no_change_detected": pgettext_lazy("verdict", "No change detected"),
    "too_few": pgettext_lazy("verdict", "Too few people"),
}

# Why the survey-tool table and the verdict may disagree, in one plain sentence.
DISAGREEMENT_SENTENCES = {
    "composition": gettext_lazy(
        "The table finds a difference between everyone who answered each wave, but the same "
        "people, followed from one wave to the other, did not change: the difference comes "
        "from who answered, not from change in the same people."),
    "paired_only": gettext_lazy(
        "The same people, followed from one wave to the other, changed, although the table "
        "of everyone who answered each wave shows no clear difference: the verdict follows "
        "the same people."),
}

# Why people who answered a wave did not answer the next one.
EXIT_LABELS = {
    "employment": gettext_lazy("left for a job"),
    "training": gettext_lazy("left for a training course"),
    "other_support": gettext_lazy("moved on to other support"),
    "dropped_out": gettext_lazy("dropped out"),
    "moved": gettext_lazy("moved away"),
    "other": gettext_lazy("left for another reason"),
    "unknown": gettext_lazy("left, reason not recorded"),
    "still_followed": gettext_lazy("still followed, has not answered"),
}
POSITIVE_EXITS = ("employment", "training")

# The situation six months after leaving, as the counsellor recorded it.
SITUATION_LABELS = {
    "employment": gettext_lazy("in employment"),
    "training": gettext_lazy("in training"),
    "job_seeker": gettext_lazy("job seeker"),
    "other_support": gettext_lazy("in other support"),
    "dropped_out": gettext_lazy("dropped out"),
    "moved": gettext_lazy("moved away"),
    "other": gettext_lazy("other situation"),
    "unknown": gettext_lazy("not known"),
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
    hidden for the board (``None``, analysis/disclosure.py) is "—", explained on the page."""
    if value is None:
        return "—"
    return number_format(int(value), use_l10n=True, force_grouping=True)


def percent_format(value: float | None, places: int = 1) -> str:
    """"16,7 %" in French, "16.7%" in English; an empty string for a missing value."""
    if value is None:
        return ""
    return _("%(value)s%%") % {"value": decimal_format(value, places)}


def count_or_dash(value: int | None) -> str:
    """A count, or "—" where the report withholds it (``None``: too few people)."""
    return "—" if value is None else count_format(value)


def interval_format(ci: Sequence[float | None] | None, *, places: int = 1,
                    percent: bool = False, signed: bool = False) -> str:
    """"37,2 à 66,8" (or "37 % à 67 %"): a 95 % interval, or "" where there is none or it
    has no width.

    An interval of zero width claims a precision no data allow; it is never shown."""
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    low, high = float(ci[0]), float(ci[1])
    if round(high - low, places) <= 0:
        return ""
    write = signed_format if signed else decimal_format
    if percent:  # "4 % à 9 %": each bound carries its unit
        return _("%(low)s to %(high)s") % {
            "low": _("%(value)s%%") % {"value": write(low, places)},
            "high": _("%(value)s%%") % {"value": write(high, places)}}
    return _("%(low)s to %(high)s") % {"low": write(low, places), "high": write(high, places)}


def share_parts(share: Mapping[str, Any] | None) -> tuple[str, str]:
    """("52 %", "IC 95 % : 38 à 66 %"): a share and its Wilson interval, for a table cell."""
    if not share or share.get("value") is None:
        return "—", ""
    ci = share.get("ci")
    interval = (interval_format([100.0 * ci[0], 100.0 * ci[1]], places=0, percent=True)
                if ci and ci[0] is not None and ci[1] is not None else "")
    return (percent_format(100.0 * share["value"], 0),
            _("95%% CI %(interval)s") % {"interval": interval} if interval else "")


def share_format(share: Mapping[str, Any] | None) -> str:
    """"52 % (IC 95 % : 38 à 66 %)": a share (0–1) with its Wilson interval."""
    if not share or share.get("value") is None:
        return "—"
    value = percent_format(100.0 * share["value"], 0)
    ci = share.get("ci")
    interval = interval_format([100.0 * ci[0], 100.0 * ci[1]], places=0, percent=True) \
        if ci and ci[0] is not None and ci[1] is not None else ""
    if not interval:
        return value
    return _("%(value)s (95%% CI %(interval)s)") % {"value": value, "interval": interval}


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


def p_meaning(p: float) -> str:
    """What a p says, in words a reader can check: "if nothing had changed, a difference
    this large would appear less than once in 100"."""
    if p < 0.01:
        return _("if nothing had changed, a difference this large would appear less than "
                 "once in 100")
    if p < 0.05:
        return _("if nothing had changed, a difference this large would appear less than "
                 "5 times in 100")
    times = max(5, min(100, round(100 * p)))
    return _("if nothing had changed, a difference this large would appear about %(times)s "
             "times in 100: chance alone may explain it") % {"times": times}


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


def significance_shown(independent: Mapping[str, Any]) -> str:
    """The table's label (TS, S, PS, NS): from the exact p where the report has one."""
    return independent.get("significance_shown") or independent.get("significance") or ""


def _has_hidden_count(independent: Mapping[str, Any]) -> bool:
    """Whether the board's version withheld a count of this table (analysis/disclosure.py)."""
    counts = independent.get("counts") or {}
    return (any(v is None for pair in counts.values() if pair for v in pair)
            or any(v is None for v in independent.get("n") or []))


def chi2_line(independent: Mapping[str, Any]) -> str:
    """"p < 0,01 ; Khi2 = 18,55 ; ddl = 2 (TS)", or why the test could not be computed.

    Where an expected count is below 5 the report gives an exact p; the line then shows that
    p, which the label comes from, so that the p and the label never disagree."""
    if independent.get("chi2") is None or independent.get("p") is None:
        if _has_hidden_count(independent):
            label = significance_shown(independent)
            if label:
                return _("Chi-square details not published: they would give a hidden count "
                         "back (%(significance)s)") % {"significance": label}
            return _("Chi-square not published: it would rest on hidden counts")
        reason = warning_text(independent.get("warnings")) or _("not enough answers")
        if (independent.get("warnings") or [{}])[0].get("code") == "withheld_for_privacy":
            return _("Chi-square %(reason)s") % {"reason": reason}
        return _("Chi-square not computable: %(reason)s") % {"reason": reason}
    values = {
        "chi2": decimal_format(independent["chi2"], 2),
        "dof": independent["dof"],
        "significance": significance_shown(independent),
    }
    exact_p = independent.get("exact_p")
    if exact_p is not None:
        values["p"] = p_equals(exact_p)
        values["method"] = str(EXACT_METHODS.get(independent.get("exact_method") or "",
                                                 EXACT_METHODS[""]))
        return _("exact %(p)s (%(method)s); Chi2 = %(chi2)s; df = %(dof)s "
                 "(%(significance)s)") % values
    values["p"] = p_equals(independent["p"])
    return _("%(p)s; Chi2 = %(chi2)s; df = %(dof)s (%(significance)s)") % values


def adjusted_p_note(p_adjusted: float | None, *, precise: bool = False) -> str:
    """"p ajusté = 0,04": the p-value after the Benjamini–Hochberg correction."""
    if p_adjusted is None:
        return ""
    text = p_precise_format(p_adjusted) if precise else p_format(p_adjusted)
    if text.startswith("<"):  # "p ajusté < 0,01", never "= <"
        return _("adjusted p %(p)s") % {"p": text}
    return _("adjusted p = %(p)s") % {"p": text}


def paired_test(paired: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """The p and adjusted p of the test the verdict uses (Wilcoxon or exact McNemar)."""
    if "p_adjusted" in paired:
        return paired.get("p"), paired.get("p_adjusted")
    wilcoxon = paired.get("wilcoxon") or {}
    return wilcoxon.get("p"), wilcoxon.get("p_adjusted")


def paired_sentence(paired: Mapping[str, Any], *, min_group: int = 5) -> str:
    """"Sur 40 personnes suivies, 21 progressent, 15 restent stables, 4 reculent ; p ajusté =
    0,004": the same people at both waves, and the adjusted p their verdict rests on."""
    n = paired.get("n")
    if n is None:
        return _("The individual evolution is not published: it would rest on too few people "
                 "to keep them unrecognisable.")
    if not n:
        return _("Nobody gave a scored answer to this question at both waves.")
    if n < min_group:
        return _(
            "Fewer than %(min)s people answered this question at both waves: "
            "the individual evolution is not published."
        ) % {"min": min_group}
    parts = []
    for key, one, many in (("improved", "%(count)s improves", "%(count)s improve"),
                           ("stable", "%(count)s stays stable", "%(count)s stay stable"),
                           ("worsened", "%(count)s declines", "%(count)s decline")):
        if paired.get(key) is not None:
            parts.append(ngettext(one, many, paired[key]) % {
                "count": count_format(paired[key])})
    if len(parts) == 3:
        sentence = ngettext(
            "Of %(n)s person followed, %(improved)s, %(stable)s, %(worsened)s",
            "Of %(n)s people followed, %(improved)s, %(stable)s, %(worsened)s",
            n,
        ) % {"n": count_format(n), "improved": parts[0], "stable": parts[1],
             "worsened": parts[2]}
    else:
        # The board's version hides counts below 5 (and one more so none can be deduced).
        sentence = ngettext(
            "Of %(n)s person followed, %(known)s (the other counts are not published, so "
            "that no count below 5 can be worked out)",
            "Of %(n)s people followed, %(known)s (the other counts are not published, so "
            "that no count below 5 can be worked out)",
            n,
        ) % {"n": count_format(n), "known": ", ".join(parts) or "—"}
    _p, p_adjusted = paired_test(paired)
    if p_adjusted is None:
        wilcoxon = paired.get("wilcoxon") or {}
        reason = warning_text(paired.get("warnings")) or warning_text(wilcoxon.get("warnings"))
        if reason:
            return _("%(sentence)s (%(reason)s)") % {"sentence": sentence, "reason": reason}
        return sentence
    return _("%(sentence)s; %(test)s") % {
        "sentence": sentence, "test": adjusted_p_note(p_adjusted, precise=True)}


def verdict_label(verdict: str | None) -> str:
    """"Progrès", "Recul", "Pas de changement détecté" or "Trop peu de personnes"."""
    return str(VERDICT_LABELS.get(verdict or "", "")) or str(VERDICT_LABELS["too_few"])


def disagreement_sentence(code: str | None) -> str:
    """Why the survey-tool table and the verdict disagree, or "" where they do not."""
    return str(DISAGREEMENT_SENTENCES.get(code or "", ""))


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
    min_group: int = 20,
) -> str:
    """Did the people due at the later wave who answered it differ, at the first wave, from
    those who did not? Never "no bias": what the check could have seen is said with it."""
    values = {"first": first_label, "later": later_label}
    if not bias or bias.get("verdict") in (None, "too_few") \
            or bias.get("n_answered") is None or bias.get("n_missing") is None:
        return _(
            "Fewer than %(min)s people answered %(later)s, or fewer than %(min)s did not, "
            "among those due for it: too few to check whether departures bias the results."
        ) % {**values, "min": min_group}
    values.update(answered=count_format(bias["n_answered"]),
                  missing=count_format(bias["n_missing"]))
    if bias["verdict"] == "differs":
        differing = []
        for entry in bias.get("differing", []):
            name = entry.get("name", "")
            if entry.get("kind") == "segment":
                differing.append(str(SEGMENT_LABELS.get(name, name)))
            elif entry.get("kind") == "dimension":
                differing.append(name)
            else:
                text = item_texts.get(name, "")
                differing.append(_("%(code)s “%(text)s”") % {"code": name, "text": text}
                                 if text else name)
        values["differing"] = ", ".join(differing) or "—"
        return _(
            "Caution: at %(first)s, the %(answered)s people who then answered %(later)s "
            "differed from the %(missing)s due for it who did not (%(differing)s). The "
            "evolution describes those who answered rather than everyone who started."
        ) % values
    detectable = bias.get("detectable_effect")
    if detectable is None:
        return _(
            "At %(first)s, the %(answered)s people who then answered %(later)s did not differ "
            "detectably from the %(missing)s due for it who did not."
        ) % values
    values.update(effect=decimal_format(detectable, 2), size=effect_size_words(detectable))
    return _(
        "At %(first)s, the %(answered)s people who then answered %(later)s did not differ "
        "detectably from the %(missing)s due for it who did not; a difference of size "
        "%(effect)s or more (%(size)s) would have been seen (8 times out of 10). Smaller "
        "differences may remain."
    ) % values


def sensitivity_sentence(sensitivity: Mapping[str, Any] | None) -> str:
    """The evolution re-weighted for who answered the later wave (inverse probability)."""
    if not sensitivity:
        return ""
    difference = sensitivity.get("mean_difference_0_100")
    if difference is None:
        reason = warning_text(sensitivity.get("warnings")) or sensitivity.get("warning")
        return _("Re-weighted for who answered: not computable%(reason)s.") % {
            "reason": _(" (%(reason)s)") % {"reason": reason} if reason else ""}
    return _("Re-weighted for who answered the later wave: %(change)s points.") % {
        "change": signed_format(difference, 1)}


def at_work_sentence(at_work: Mapping[str, Any] | None, *,
                     not_recorded: int | None = 0, hide_below: int = 0) -> str:
    """"40 % en emploi 6 mois après la sortie (n = 20)", and how many of the n have no
    situation recorded (they count as not at work, so the share is never flattered).
    ``hide_below``: the board's threshold; a smaller count is not written."""
    sentence = _at_work_share(at_work)
    n = (at_work or {}).get("n")
    if not n or not_recorded == 0 or (at_work or {}).get("value") is None:
        return sentence
    # None: the board's report hid a count below 5 (never a zero).
    if not_recorded is None or not_recorded < hide_below:
        return _("%(sentence)s; situation not recorded for some of them, counted as not at "
                 "work.") % {"sentence": sentence}
    return _("%(sentence)s; situation not recorded for %(missing)s of them, counted as not "
             "at work.") % {"sentence": sentence, "missing": count_format(not_recorded)}


def _at_work_share(at_work: Mapping[str, Any] | None) -> str:
    if not at_work or at_work.get("n") is None:
        return _("At work 6 months after leaving: not published (too few people).")
    if not at_work["n"]:
        return _("Nobody left at least 6 months ago yet: the situation 6 months after leaving "
                 "cannot be shown.")
    if at_work.get("value") is None:
        return _("At work 6 months after leaving: not published (too few people).")
    share = share_format({"value": at_work["value"], "ci": at_work.get("ci")})
    return _("%(share)s at work 6 months after leaving (n = %(n)s)") % {
        "share": share, "n": count_format(at_work["n"])}
