"""What the board may see of an impact report: no count from 1 to 4, nothing that reveals one.

Two things are decided here, both pure (no Django):

* ``report_for_board`` turns the operator's report (formats.md §3) into the board's: every
  count below ``min_count`` is ``None``; where a total is published, more cells are hidden
  (complementary suppression) until the hidden cells of a table are at least two and sum to at
  least ``min_count``, so no hidden cell follows from the total; statistics that would give a
  hidden count back (a mean over the choices, a share, a chi-square computed from the exact
  table) are withheld with it, and a group below ``min_count`` publishes no statistic at all.
* ``board_cuts_allowed`` chooses the fixed cuts the board may ask for (whole history, calendar
  years and semesters of the entry cohort, programmes over the whole history) so that no two
  of them, and no cut minus the published cuts inside it, differ by 1 to 4 people at any wave
  or pair of waves: differencing two board outputs then never isolates a small group.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_COUNT = 5

SUPPRESSED_WARNING = {
    "code": "counts_suppressed",
    "message": "Counts below 5, and the counts from which one could be worked out, are not "
               "published; statistics computed from them are withheld.",
}

WITHHELD_MESSAGE = ("Withheld: with the counts shown it would reveal a hidden count below 5.")

# Statistics withheld when a cell of the table they come from is hidden: each of them,
# with the published cells, could give a hidden count back.
_INDEPENDENT_EXACT = ("chi2", "p", "p_adjusted", "exact_p", "cramers_v", "min_expected",
                      "fisher_p")
_INDEPENDENT_ALL = (*_INDEPENDENT_EXACT, "dof", "significance", "significance_shown",
                    "exact_method")
# Warnings that tell something of the exact table (an expected count below 5).
_TABLE_WARNINGS = ("expected_below_5",)


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------


def _small(value: Any, min_count: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < min_count


def cells_suppress(
    values: Sequence[int | None],
    *,
    total_shown: bool = True,
    min_count: int = MIN_COUNT,
    force: Iterable[int] = (),
) -> list[int | None]:
    """``values`` with every count from 1 to ``min_count`` - 1 (and those at ``force``) hidden.

    When their total is published (``total_shown``), the next smallest non-zero counts are
    hidden too until at least two are hidden and the hidden ones sum to ``min_count`` or
    more: a lone hidden cell, or two hidden cells of 1 whose sum is 2, would follow from the
    total. ``None`` in ``values`` means already unknown (it counts as hidden, of unknown size).
    """
    shown: list[int | None] = [
        None if v is None or _small(v, min_count) else v for v in values]
    for index in force:
        shown[index] = None
    hidden = [i for i, v in enumerate(shown) if v is None]
    if not hidden or not total_shown:
        return shown

    def exposed() -> bool:
        hidden_now = [i for i, v in enumerate(shown) if v is None]
        if any(values[i] is None for i in hidden_now):
            return len(hidden_now) < 2
        return len(hidden_now) < 2 or sum(int(values[i]) for i in hidden_now) < min_count

    while exposed():
        candidates = [(int(v), i) for i, v in enumerate(shown) if v is not None and v > 0]
        if not candidates:
            break
        shown[min(candidates)[1]] = None
    return shown


# ---------------------------------------------------------------------------
# The board's report
# ---------------------------------------------------------------------------


def report_for_board(report: Mapping[str, Any], *, min_count: int = MIN_COUNT) -> dict:
    """A copy of ``report`` the board may see (module docstring); ``report`` is unchanged.

    Tolerant of missing keys: a section the report does not have is left out.
    """
    board = copy.deepcopy(dict(report))
    hidden_before = _count_hidden(board)
    funnel_hidden = _respondents_suppress(board, min_count)
    for item in board.get("items") or []:
        _item_suppress(item, min_count)
    for dimension in board.get("dimensions") or []:
        _dimension_suppress(dimension, min_count)
    _attrition_suppress(board, funnel_hidden, min_count)
    _outcomes_suppress(board, min_count)
    board["disclosure"] = {"audience": "board", "min_count": min_count,
                           "suppressed": _count_hidden(board) - hidden_before}
    if board["disclosure"]["suppressed"]:
        warnings = list(board.get("warnings") or [])
        warnings.append(dict(SUPPRESSED_WARNING))
        board["warnings"] = warnings
        board["warning"] = SUPPRESSED_WARNING["message"]
    return board


def _count_hidden(value: Any) -> int:
    if isinstance(value, Mapping):
        return sum(_count_hidden(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_hidden(v) for v in value)
    return int(value is None)


def _funnel_mask(funnel: Mapping[str, Any], min_count: int) -> dict[str, bool]:
    """Which values of a funnel ({"1": n1, "1-2": n12, ...}) may be shown: those of 0 or
    ``min_count`` and more.

    Its values are nested totals, not cells of one sum: a hidden one does not follow from the
    others. (How many left between two waves, a difference of two totals, is a count of
    departures, not of answers; it is also what every wave's number of responses tells.)
    """
    return {k: isinstance(funnel[k], int) and not _small(funnel[k], min_count)
            for k in funnel}


def _respondents_suppress(board: dict, min_count: int) -> set[str]:
    """The funnel (``respondents``, and ``funnel`` where present); returns the keys hidden."""
    hidden: set[str] = set()
    respondents = board.get("respondents")
    if isinstance(respondents, dict):
        mask = _funnel_mask(respondents, min_count)
        hidden = {k for k, ok in mask.items() if not ok}
        for key in respondents:
            if key in hidden:
                respondents[key] = None
    for holder in (board, board.get("attrition") if isinstance(board.get("attrition"), dict)
                   else None):
        if holder is not None and isinstance(holder.get("funnel"), dict):
            funnel = holder["funnel"]
            mask = _funnel_mask(funnel, min_count)
            for key in funnel:
                if not mask[key] or key in hidden:
                    funnel[key] = None
    first = next(iter(respondents.values()), None) if isinstance(respondents, dict) else None
    n = board.get("n_beneficiaries")
    if isinstance(n, int) and (
            _small(n, min_count) or first is None or _small(n - first, min_count)):
        board["n_beneficiaries"] = None
    return hidden


def _item_suppress(item: dict, min_count: int) -> None:
    # (wave, code) -> shown; the same answers appear in the frequencies and the comparisons.
    cell_shown: dict[tuple[Any, str], bool] = {}
    answered_shown: dict[Any, bool] = {}
    for block in item.get("frequencies") or []:
        wave = block.get("wave")
        choices = list(block.get("choices") or []) + list(block.get("unscored") or [])
        total = block.get("n_responses")
        total_shown = isinstance(total, int) and total >= min_count
        cells = [c.get("count") for c in choices] + [block.get("unanswered")]
        if not total_shown:
            shown = [0 if v == 0 and total == 0 else None for v in cells]
            if total is not None and total != 0:
                block["n_responses"] = None
        else:
            shown = cells_suppress(cells, min_count=min_count)
        for choice, value in zip(choices, shown[:-1], strict=True):
            choice["count"] = value
            cell_shown[(wave, choice.get("code"))] = value is not None
        block["unanswered"] = shown[-1]
        answered_ok = total_shown and shown[-1] is not None
        if not answered_ok:
            block["n_answered"] = None if block.get("n_answered") else block.get("n_answered")
        answered_shown[wave] = answered_ok and block.get("n_answered") is not None
        for choice in choices:
            if choice["count"] is None or not answered_shown[wave]:
                choice["percent"] = None
        if any(v is None for v in shown[:-1]):
            block["mean_score"] = None
    for comparison in item.get("comparisons") or []:
        _independent_suppress(comparison, cell_shown, answered_shown, min_count)
        _paired_suppress(comparison, min_count)


def _independent_suppress(comparison: dict, cell_shown: Mapping, answered_shown: Mapping,
                          min_count: int) -> None:
    block = comparison.get("independent")
    if not isinstance(block, dict):
        return
    waves = comparison.get("waves") or [None, None]
    n = block.get("n")
    small_group = isinstance(n, list) and any(
        v is None or (isinstance(v, int) and v < min_count) for v in n)
    counts = block.get("counts")
    any_hidden = False
    if isinstance(counts, dict):
        for code, pair in counts.items():
            if not isinstance(pair, list):
                continue
            for side, wave in enumerate(waves[:2]):
                known = cell_shown.get((wave, code))
                hide = (pair[side] is None or _small(pair[side], min_count)
                        or known is False or small_group)
                if hide:
                    pair[side] = None
                    any_hidden = True
                    if isinstance(block.get("cells"), dict) and code in block["cells"]:
                        block["cells"][code][side] = None
    if isinstance(n, list):
        block["n"] = [v if isinstance(v, int) and not small_group and answered_shown.get(
            waves[side], not _small(v, min_count)) else None for side, v in enumerate(n)]
    # Not only the chi-square: its label (TS, S, PS, NS), its degrees of freedom and the
    # over/under marks are functions of the exact table too, and with the published cells
    # and totals they narrow the hidden cells down, often to one table (20 tables of the demo
    # were recovered that way from the label and the marks alone).
    withheld = _INDEPENDENT_ALL if small_group or any_hidden else ()
    for key in withheld:
        if key in block:
            block[key] = None
    if withheld:
        _withheld_say(block, drop=_TABLE_WARNINGS)
        if "disagreement" in comparison:
            # It says how the table's (withheld) label compares with the verdict.
            comparison["disagreement"] = None
    if small_group:
        block["cells"] = None
    elif any_hidden and isinstance(block.get("cells"), dict):
        block["cells"] = {code: [None, None] for code in block["cells"]}


def _paired_suppress(comparison: dict, min_count: int) -> None:
    block = comparison.get("paired")
    if not isinstance(block, dict):
        return
    n = block.get("n")
    keys = ("improved", "stable", "worsened")
    if not isinstance(n, int) or n < min_count:
        small = n is not None and n != 0
        for key in ("n", *keys):
            if small:
                block[key] = None
        _paired_statistics_withhold(block, everything=small)
        return
    shown = cells_suppress([block.get(k) for k in keys], min_count=min_count)
    for key, value in zip(keys, shown, strict=True):
        block[key] = value
    mcnemar = block.get("mcnemar")
    mcnemar_hidden = False
    if isinstance(mcnemar, dict):
        for key in ("b", "c"):
            if _small(mcnemar.get(key), min_count):
                mcnemar[key] = None
                mcnemar_hidden = True
        if mcnemar_hidden:
            mcnemar["b"] = mcnemar["c"] = mcnemar["p"] = None
    if any(v is None for v in shown) or mcnemar_hidden:
        _paired_statistics_withhold(block, everything=False)


def _withheld_say(block: dict, *, drop: tuple[str, ...] = ()) -> None:
    """Say why a statistic is missing: it was withheld, not impossible to compute.

    Warnings whose code is in ``drop`` go too: they describe the withheld table."""
    entry = {"code": "withheld_for_privacy", "message": WITHHELD_MESSAGE}
    block["warning"] = WITHHELD_MESSAGE
    block["warnings"] = [entry, *(w for w in block.get("warnings") or []
                                  if w.get("code") not in (entry["code"], *drop))]


def _paired_statistics_withhold(block: dict, *, everything: bool) -> None:
    """The numbers of the paired tests: each could give hidden changes back. The verdict (a
    word) and the test's name stay unless the group itself is too small."""
    for name in ("wilcoxon", "marginal_homogeneity"):
        if isinstance(block.get(name), dict):
            _withheld_say(block[name])
    for key in ("mean_difference", "p", "p_adjusted"):
        if key in block:
            block[key] = None
    for name, fields in (
        ("marginal_homogeneity", ("statistic", "dof", "p")),
        ("wilcoxon", ("statistic", "p", "p_adjusted", "n_nonzero", "rank_biserial")),
        ("mcnemar", ("b", "c", "p")),
    ):
        if isinstance(block.get(name), dict):
            for key in fields:
                block[name][key] = None
    if everything:
        for key in ("test",):
            if key in block:
                block[key] = None


def _share_withhold(share: Any) -> Any:
    if isinstance(share, dict):
        return dict.fromkeys(share)
    return None


def _dimension_suppress(dimension: dict, min_count: int) -> None:
    for wave in dimension.get("waves") or []:
        n = wave.get("n")
        if isinstance(n, int) and 0 < n < min_count:
            for key in list(wave):
                if key not in ("wave", "warning", "warnings"):
                    wave[key] = None
    for comparison in dimension.get("comparisons") or []:
        n = comparison.get("n")
        if isinstance(n, int) and 0 < n < min_count:
            for key in list(comparison):
                if key not in ("waves", "verdict", "warning", "warnings", "scale"):
                    comparison[key] = None
            continue
        keys = [k for k in ("improved", "stable", "worsened") if k in comparison]
        if keys:
            shown = cells_suppress([comparison.get(k) for k in keys], min_count=min_count)
            for key, value in zip(keys, shown, strict=True):
                comparison[key] = value
            for key, share in (("improved", "improved_share"), ("worsened", "worsened_share")):
                if share in comparison and comparison.get(key) is None:
                    comparison[share] = _share_withhold(comparison[share])
        sensitivity = comparison.get("sensitivity")
        if isinstance(sensitivity, dict) and _small(sensitivity.get("n"), min_count):
            for key in list(sensitivity):
                if key not in ("method", "warning"):
                    sensitivity[key] = None


_LEFT_KEYS = ("still_followed", "employment", "training", "other_support", "dropped_out",
              "moved", "other", "unknown")


def _attrition_suppress(board: dict, funnel_hidden: set[str], min_count: int) -> None:
    attrition = board.get("attrition")
    if isinstance(attrition, dict):  # the first series' shape
        bias = attrition.get("bias")
        if isinstance(bias, dict):
            _bias_suppress(bias, ("stayed", "left"), min_count)
        for power in attrition.get("power") or []:
            _power_suppress(power, min_count)
        return
    if not isinstance(attrition, list):
        return
    for entry in attrition:
        if not isinstance(entry, dict):
            continue
        waves = entry.get("waves") or []
        first = entry.get("answered_first")
        first_shown = isinstance(first, int) and not _small(first, min_count)
        if not first_shown:
            entry["answered_first"] = None
        pair_key = "-".join(str(w) for w in waves)
        split = cells_suppress([entry.get("due"), entry.get("not_yet_due")],
                               total_shown=first_shown, min_count=min_count)
        entry["due"], entry["not_yet_due"] = split
        due = entry["due"]
        left = entry.get("left") if isinstance(entry.get("left"), dict) else {}
        left_keys = [k for k in _LEFT_KEYS if k in left] + [
            k for k in left if k not in _LEFT_KEYS]
        cells = [entry.get("answered")] + [left.get(k) for k in left_keys]
        force = [0] if pair_key in funnel_hidden else []
        shown = cells_suppress(cells, total_shown=due is not None, min_count=min_count,
                               force=force)
        if due is None:
            shown = [None if _small(v, min_count) else v for v in shown]
            # Without the total the cells are safe one by one, but only if the total of
            # "answered first" does not give ``due`` back through ``not_yet_due``.
        entry["answered"] = shown[0]
        for key, value in zip(left_keys, shown[1:], strict=True):
            left[key] = value
        if "positive_exits" in entry:
            both = left.get("employment") is not None and left.get("training") is not None
            if not both or _small(entry["positive_exits"], min_count):
                entry["positive_exits"] = None
        if isinstance(entry.get("bias"), dict):
            _bias_suppress(entry["bias"], ("n_answered", "n_missing"), min_count)
        if isinstance(entry.get("power"), dict):
            _power_suppress(entry["power"], min_count)
        elif isinstance(entry.get("power"), list):
            for power in entry["power"]:
                _power_suppress(power, min_count)


def _bias_suppress(bias: dict, keys: tuple[str, str], min_count: int) -> None:
    if any(_small(bias.get(k), min_count) for k in keys):
        for key in keys:
            bias[key] = None
        for key in ("p_adjusted", "detectable_effect"):
            if key in bias:
                bias[key] = None
        bias["tests"] = []
        bias["differing"] = []
        return
    groups = [bias.get(k) for k in keys]
    for name in ("tests", "differing"):
        for test in bias.get(name) or []:
            _bias_test_suppress(test, groups, min_count)


def _bias_test_suppress(test: dict, groups: Sequence[Any], min_count: int) -> None:
    """One measure's test: the people of a group who answered it at the earlier wave.

    Fewer than ``min_count`` of them: their mean would publish the answers of 1 to 4 people,
    so the test shows nothing. A group's size minus its ``n`` (those who did not answer the
    measure) is a count too: when it is below ``min_count`` the ``n`` are withheld.
    """
    n = test.get("n")
    if not isinstance(n, list):
        return
    if any(_small(v, min_count) for v in n):
        for key in ("n", "mean"):
            test[key] = [None] * len(test.get(key) or n)
        for key in ("statistic", "p", "p_adjusted", "rank_biserial"):
            if key in test:
                test[key] = None
        _withheld_say(test)
        return
    if any(isinstance(g, int) and isinstance(v, int) and _small(g - v, min_count)
           for g, v in zip(groups, n, strict=False)):
        test["n"] = [None] * len(n)


def _power_suppress(power: dict, min_count: int) -> None:
    if _small(power.get("n_pairs"), min_count):
        for key in ("n_pairs", "power", "min_detectable_dz", "pairs_missing"):
            if key in power:
                power[key] = None


def _outcomes_suppress(board: dict, min_count: int) -> None:
    outcomes = board.get("outcomes")
    if not isinstance(outcomes, dict):
        return
    followed = outcomes.get("followed")
    followed_shown = isinstance(followed, int) and not _small(followed, min_count)
    if not followed_shown:
        outcomes["followed"] = None
    exits = outcomes.get("exits")
    if isinstance(exits, dict):
        _exits_suppress(outcomes, exits, followed if followed_shown else None, min_count)
        shares = outcomes.get("exits_share")
        if isinstance(shares, dict):
            for key in shares:
                if exits.get(key) is None:
                    shares[key] = _share_withhold(shares[key])
    situation = outcomes.get("situation_6_months")
    due = outcomes.get("situation_due")
    due_shown = isinstance(due, int) and not _small(due, min_count)
    if not due_shown and due is not None and due != 0:
        outcomes["situation_due"] = None
    if isinstance(situation, dict):
        keys = list(situation)
        shown = cells_suppress([situation[k] for k in keys], total_shown=due_shown,
                               min_count=min_count)
        if not due_shown and due:
            shown = [None if v else v for v in shown]
        for key, value in zip(keys, shown, strict=True):
            situation[key] = value
        _not_recorded_suppress(outcomes, situation, min_count)
    elif _small(outcomes.get("situation_not_recorded"), min_count):
        outcomes["situation_not_recorded"] = None
    at_work = outcomes.get("at_work_6_months")
    if isinstance(at_work, dict):
        employed = situation.get("employment") if isinstance(situation, dict) else None
        hide = (_small(at_work.get("count"), min_count) or _small(at_work.get("n"), min_count)
                or (isinstance(situation, dict) and employed is None
                    and situation.get("employment", 0) != 0)
                or not due_shown)
        if hide and (at_work.get("n") or at_work.get("count")):
            for key in at_work:
                at_work[key] = None


def _exits_suppress(outcomes: dict, exits: dict, followed: int | None,
                    min_count: int) -> None:
    """Exits by reason, those of unknown reason and the people still followed are the cells
    of one table whose total is ``followed``; ``exited`` (the exits' total) is a subtotal: a
    hidden cell must follow neither from ``followed`` nor from ``exited``."""
    keys = list(exits)
    exited = outcomes.get("exited")
    unknown = outcomes.get("exit_reason_unknown")
    known_sum = sum(v for v in exits.values() if isinstance(v, int))
    if not isinstance(exited, int):
        exited = known_sum + (unknown if isinstance(unknown, int) else 0)
    if not isinstance(unknown, int):
        unknown = exited - known_sum
    still = followed - exited if followed is not None else None
    cells = [*(exits[k] for k in keys), unknown, still]
    shown = cells_suppress(cells, total_shown=followed is not None, min_count=min_count)
    # Whenever ``exited`` is published (or follows from ``followed`` minus the people still
    # followed), the exits' own cells must be safe under it too.
    inner = cells_suppress(cells[:-1], total_shown=True, min_count=min_count,
                           force=[i for i, v in enumerate(shown[:-1]) if v is None])
    exited_shown = not _small(exited, min_count) and shown[-1] is not None
    if not exited_shown:
        inner = shown[:-1]
    for key, value in zip(keys, inner[:-1], strict=True):
        exits[key] = value
    if "exit_reason_unknown" in outcomes:
        outcomes["exit_reason_unknown"] = inner[-1]
    if "exited" in outcomes and not exited_shown:
        outcomes["exited"] = None


def _not_recorded_suppress(outcomes: dict, situation: dict, min_count: int) -> None:
    """``situation_not_recorded`` is part of the ``unknown`` situation: shown only with it,
    and only when it and the rest of ``unknown`` are 0 or ``min_count`` or more."""
    if "situation_not_recorded" not in outcomes:
        return
    not_recorded = outcomes["situation_not_recorded"]
    unknown = situation.get("unknown")
    if not isinstance(not_recorded, int) or not isinstance(unknown, int):
        outcomes["situation_not_recorded"] = None if not_recorded else not_recorded
        return
    if _small(not_recorded, min_count) or _small(unknown - not_recorded, min_count):
        outcomes["situation_not_recorded"] = None


# ---------------------------------------------------------------------------
# The board's cuts
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardCut:
    """A cut the board may ask for: ``key`` is what the URL and the command carry."""

    key: str  # "" (whole history), "2024", "2024-S1", "programme:<name>"
    kind: str  # "all", "year", "semester", "programme"
    start: dt.date | None = None  # first day of the entry cohort's period
    end: dt.date | None = None  # last day
    programme: str | None = None


WHOLE_HISTORY = BoardCut(key="", kind="all")


def _year_cut(year: int) -> BoardCut:
    return BoardCut(key=str(year), kind="year", start=dt.date(year, 1, 1),
                    end=dt.date(year, 12, 31))


def _semester_cut(year: int, half: int) -> BoardCut:
    start = dt.date(year, 1 if half == 1 else 7, 1)
    end = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    return BoardCut(key=f"{year}-S{half}", kind="semester", start=start, end=end)


def board_cut_parse(key: str) -> BoardCut | None:
    """The cut a key names (whether the board may have it is ``board_cuts_allowed``'s say)."""
    key = (key or "").strip()
    if not key:
        return WHOLE_HISTORY
    if key.startswith("programme:") and len(key) > len("programme:"):
        return BoardCut(key=key, kind="programme", programme=key[len("programme:"):])
    year, _, half = key.partition("-S")
    if year.isdigit() and len(year) == 4:
        if not half:
            return _year_cut(int(year))
        if half in ("1", "2"):
            return _semester_cut(int(year), int(half))
    return None


def _cut_members(cut: BoardCut, cohort_dates: np.ndarray, programmes: np.ndarray) -> np.ndarray:
    if cut.kind == "all":
        return np.ones(cohort_dates.shape, dtype=bool)
    if cut.kind == "programme":
        return programmes == cut.programme
    known = ~np.isnat(cohort_dates)
    inside = np.zeros(cohort_dates.shape, dtype=bool)
    inside[known] = ((cohort_dates[known] >= np.datetime64(cut.start, "D"))
                     & (cohort_dates[known] <= np.datetime64(cut.end, "D")))
    return inside


def _populations(present: np.ndarray, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """(people, populations): present at each wave, then at both waves of each pair."""
    columns = [present[:, w] for w in range(present.shape[1])]
    columns += [present[:, a] & present[:, b] for a, b in pairs]
    return np.column_stack(columns) if columns else np.zeros((present.shape[0], 0), bool)


def _safe(counts: np.ndarray, min_count: int) -> bool:
    return bool(np.all((counts == 0) | (counts >= min_count)))


def board_cuts_allowed(
    *,
    cohort_dates: np.ndarray,
    programmes: np.ndarray,
    present: np.ndarray,
    pairs: Sequence[tuple[int, int]] = (),
    min_count: int = MIN_COUNT,
) -> list[BoardCut]:
    """The cuts the board may ask for, over people described by three aligned arrays.

    ``cohort_dates``: each person's wave-1 answer date (NaT when none); ``programmes``: their
    programme ("" none); ``present``: (people, waves) whether they answered each wave;
    ``pairs``: the wave positions the report compares. Candidates are the whole history, each
    calendar year and semester with entrants, and each programme over the whole history. A cut
    is dropped (finest and smallest first) until, at every wave and pair of waves:

    * every cut but the whole history holds ``min_count`` people or more at wave 1, and
      0 or ``min_count`` or more elsewhere;
    * every two cuts differ by 0 or ``min_count`` people or more, both ways;
    * the people of a cut in none of the cuts published inside it (the rest of a year without
      its published semesters, the people of no published programme) are 0 or
      ``min_count`` or more.
    """
    cohort_dates = np.asarray(cohort_dates, dtype="datetime64[D]")
    programmes = np.asarray(programmes).astype(str)
    present = np.asarray(present, dtype=bool)
    population = _populations(present, pairs)
    candidates = [WHOLE_HISTORY]
    known = cohort_dates[~np.isnat(cohort_dates)]
    years = sorted({int(str(d)[:4]) for d in known})
    for year in years:
        candidates.append(_year_cut(year))
    for year in years:
        candidates += [_semester_cut(year, 1), _semester_cut(year, 2)]
    candidates += [BoardCut(key=f"programme:{p}", kind="programme", programme=p)
                   for p in sorted(set(programmes.tolist()) - {""})]
    members = {c.key: _cut_members(c, cohort_dates, programmes) for c in candidates}
    finest = {"semester": 0, "programme": 1, "year": 2, "all": 3}

    def counts(mask: np.ndarray) -> np.ndarray:
        return population[mask].sum(axis=0)

    def size(cut: BoardCut) -> int:
        return int(members[cut.key].sum())

    def order(cut: BoardCut) -> tuple[int, int]:
        return finest[cut.kind], size(cut)

    published = [c for c in candidates
                 if c.kind == "all" or (members[c.key].any() and counts(members[c.key])[0]
                                        >= min_count and _safe(counts(members[c.key]),
                                                               min_count))]
    while True:
        culprit = _first_violation(published, members, counts, min_count, order)
        if culprit is None:
            return published
        published.remove(culprit)


def _first_violation(published, members, counts, min_count, order) -> BoardCut | None:
    """The cut to drop for the first rule broken, or None when every rule holds."""
    for i, a in enumerate(published):
        for b in published[i + 1:]:
            ma, mb = members[a.key], members[b.key]
            if not (_safe(counts(ma & ~mb), min_count) and _safe(counts(mb & ~ma), min_count)):
                return min((x for x in (a, b) if x.kind != "all"), key=order)
    for parent in published:
        for family in (("year", "semester"), ("programme",)):
            inside = [c for c in published if c is not parent and c.kind in family
                      and not np.any(members[c.key] & ~members[parent.key])]
            if not inside:
                continue
            covered = np.zeros_like(members[parent.key])
            for c in inside:
                covered |= members[c.key]
            rest = members[parent.key] & ~covered
            if not _safe(counts(rest), min_count):
                return min(inside, key=order)
    return None
