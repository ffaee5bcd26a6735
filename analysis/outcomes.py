"""What funders count, beside the evolution: exits by outcome and the situation 6 months on.

Pure numpy (no Django). The people counted are those the report follows: everyone who
answered the questionnaire's first wave in the (filtered) data. Dates are compared with the
data's reference date ``as_of`` (the latest response when it is not given), so that a report
of a past period does not count exits or situations that came after it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.data import SurveyData
from analysis.proportions import proportion_wilson

# "Six months after the exit", in days: the same rule for the report, the worklist and the
# people file, so that a person is counted as due exactly when they are listed as due.
SITUATION_AFTER_DAYS = 182

EXIT_REASONS = ("employment", "training", "other_support", "dropped_out", "moved", "other")
SITUATIONS = ("employment", "training", "job_seeker", "other_support", "dropped_out", "moved",
              "other", "unknown")


def _per_person(values: np.ndarray, size: int, fill: Any, dtype: Any) -> np.ndarray:
    """``values`` padded (or cut) to one entry per beneficiary index, missing ones ``fill``."""
    result = np.full(size, fill, dtype=dtype)
    values = np.asarray(values)
    count = min(size, values.size)
    if count:
        result[:count] = values[:count]
    return result


def reference_date(data: SurveyData) -> np.datetime64:
    """``data.as_of``, else the date of the latest response (NaT when there is none)."""
    as_of = np.datetime64(data.as_of, "D")
    if not np.isnat(as_of):
        return as_of
    if data.response_answered_on.size == 0:
        return np.datetime64("NaT", "D")
    return np.datetime64(data.response_answered_on.max(), "D")


def followed_mask(data: SurveyData) -> np.ndarray:
    """Per beneficiary index: whether they answered the first wave (in ``data`` as given)."""
    size = int(max(data.n_beneficiaries, data.response_beneficiary.max(initial=-1) + 1))
    followed = np.zeros(size, dtype=bool)
    if data.waves:
        first = data.response_wave == data.waves[0]
        followed[data.response_beneficiary[first]] = True
    return followed


def _share(count: int, n: int) -> dict[str, Any]:
    if n < 1:
        return {"value": None, "ci": None}
    share = proportion_wilson(count, n)
    return {"value": count / n, "ci": [share.ci_low, share.ci_high]}


def outcomes_count(data: SurveyData) -> dict[str, Any]:
    """The ``outcomes`` section of the report (formats.md §3, CONTRACT "outcomes").

    - ``followed``: people who answered wave 1;
    - ``exits``: of them, exits recorded on or before the reference date, by reason (every
      code, 0 included); ``exited`` is their total and ``exit_reason_unknown`` those with no
      reason; ``exits_share``: each reason as a share of ``followed``, Wilson 95 %;
    - ``situation_6_months``: for the ``situation_due`` people whose exit is at least
      ``SITUATION_AFTER_DAYS`` before the reference date, their recorded situation, a
      situation not recorded counted as "unknown" (``situation_not_recorded`` says how many);
    - ``at_work_6_months``: those in employment among the people due, Wilson 95 %: the
      unknown stay in the denominator, so the rate is never flattered by who was not asked.
    """
    followed = followed_mask(data)
    size = followed.size
    as_of = reference_date(data)
    exit_date = _per_person(data.beneficiary_exit_date, size, np.datetime64("NaT"),
                            "datetime64[D]")
    # Codes are short: fixed-width text compares fast, without a Python object per person.
    reason = _per_person(data.beneficiary_exit_reason, size, "", "U16")
    situation = _per_person(data.beneficiary_situation_6_months, size, "", "U16")

    known_exit = ~np.isnat(exit_date)
    if np.isnat(as_of):
        exited = np.zeros(size, dtype=bool)
        due = np.zeros(size, dtype=bool)
    else:
        exited = followed & known_exit & (exit_date <= as_of)
        due = exited & (exit_date + np.timedelta64(SITUATION_AFTER_DAYS, "D") <= as_of)

    n_followed = int(followed.sum())
    exits = {code: int((exited & (reason == code)).sum()) for code in EXIT_REASONS}
    situations = {code: int((due & (situation == code)).sum()) for code in SITUATIONS}
    n_due = int(due.sum())
    # Not recorded (or a code this version does not know): counted as unknown.
    not_recorded = n_due - sum(situations.values())
    situations["unknown"] += not_recorded
    at_work = situations["employment"]
    return {
        "followed": n_followed,
        "as_of": None if np.isnat(as_of) else str(as_of),
        "exited": int(exited.sum()),
        "exits": exits,
        "exit_reason_unknown": int(exited.sum()) - sum(exits.values()),
        "exits_share": {code: _share(count, n_followed) for code, count in exits.items()},
        "situation_after_days": SITUATION_AFTER_DAYS,
        "situation_6_months": situations,
        "situation_due": n_due,
        "situation_not_recorded": not_recorded,
        "at_work_6_months": {"count": at_work, "n": n_due, **_share(at_work, n_due)},
    }
