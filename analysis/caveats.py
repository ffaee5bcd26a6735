"""Stable codes (caveats) for the reasons a statistic is missing or fragile.

Results carry codes only; the report adds the English message, and the interface
translates from the code, so the code is the contract and the message is a courtesy.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "no_answers": "Nobody answered in either wave.",
    "empty_wave": "Nobody answered in one of the two waves.",
    "single_category": "All answers fall in a single choice; there is nothing to compare.",
    "expected_below_5": "Some expected counts are below 5; the chi-square p-value is approximate.",
    "no_pairs": "No beneficiary gave a scored answer in both waves.",
    "singular_covariance": "The changes between choices are too few to estimate the test.",
    "generalised_inverse": (
        "Some choices never changed; the test uses a generalised inverse and fewer degrees "
        "of freedom."
    ),
    "no_nonzero_differences": "Every pair gave the same score in both waves.",
    "too_few_pairs": "Fewer than five pairs; no confidence interval is given.",
    "no_variation": (
        "Every pair changed by the same amount; the t-test is undefined and the exact "
        "sign-flip test is used."
    ),
    "too_few_values": "Fewer than five values; no confidence interval is given.",
    "no_variation_values": "Every value is the same; no confidence interval is given.",
    "no_responses": "The questionnaire has no responses.",
    "group_too_small": "Too few beneficiaries to publish figures without identifying people.",
    "wave_not_reached": "Nobody has answered this wave yet.",
    "no_later_wave": "The questionnaire has a single wave; attrition cannot be assessed.",
    "too_few_in_group": "One of the groups compared is too small for a test.",
    "no_test": "No comparison could be computed between the two groups.",
    "too_few_for_weighting": (
        "Too few people answered, or did not answer, the later wave to estimate who answers."
    ),
    "separation": (
        "Who answered the later wave is almost fully predicted by the earlier answers; "
        "re-weighting would rest on a handful of people."
    ),
}


def warning_entries(codes: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """The JSON form of warning codes: ``[{"code": ..., "message": ...}]``, duplicates dropped."""
    seen: list[str] = []
    for code in codes:
        if code not in seen:
            seen.append(code)
    return [{"code": code, "message": MESSAGES.get(code, code)} for code in seen]
