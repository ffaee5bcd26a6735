"""The objects the dashboard and the PDF render: typed rows and tables, filled in by
reports/sections.py from the report dict, gathered in one ``ReportView``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

ALPHA = 0.05
# Significance labels under which the table's over/under marks mean something.
MARKED = ("TS", "S")


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
