"""Charts of the impact report as inline SVG, drawn with matplotlib's object API.

Never ``pyplot`` (global state, not safe in a server): each chart is its own ``Figure``.
Readable in black and white and by colour-blind readers: the Okabe–Ito palette, and every
series also told apart by a marker or a hatch. Each SVG carries a <title> and a <desc>
(the figures in words) referenced by aria-labelledby, and its text stays text.
The functions take values already prepared by reports/presentation.py and translated.
"""

from __future__ import annotations

import functools
import io
import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import matplotlib
from django.utils.safestring import SafeString, mark_safe
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from reports.formatting import count_format, decimal_format, percent_format

# Set once at import and never changed: text stays text (smaller, selectable, searchable in
# the PDF), ids are stable from one rendering to the next.
matplotlib.rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "vises-impact",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "hatch.linewidth": 0.6,
    # Item texts and dimension names are data: "10$ / h^$2" must print as typed, not be
    # parsed as mathtext (which raises on it and would fail the whole dashboard).
    "text.parse_math": False,
})


def _plain_text(build: Callable[..., str]) -> Callable[..., str]:
    """Build the chart with mathtext off, whatever the process-wide settings became since."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context({"text.parse_math": False}):
            return build(*args, **kwargs)

    return wrapper

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
WAVE_COLOURS = (OKABE_ITO["orange"], OKABE_ITO["sky_blue"], OKABE_ITO["green"],
                OKABE_ITO["purple"], OKABE_ITO["yellow"])
WAVE_MARKERS = ("o", "s", "^", "D", "v")
FUNNEL_HATCHES = ("", "//", "xx", "..", "\\\\")
INK = "#222222"


def _margins(figure: Figure, *, left: float, right: float, top: float, bottom: float,
             **spacing: float) -> None:
    """Fixed margins in inches: cheaper than a tight bounding box, which draws twice."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                           bottom=bottom / height, **spacing)


def _decimal_axis(places: int):
    return FuncFormatter(lambda value, _position: decimal_format(value, places))


def _percent_axis():
    return FuncFormatter(lambda value, _position: percent_format(abs(value), 0))


def svg_from_figure(figure: Figure, *, chart_id: str, title: str,
                    description: str) -> SafeString:
    """The figure as an <svg> element to inline, with its accessible title and description.

    Marked safe here, once, so that templates never need ``|safe``: matplotlib's SVG writer
    escapes every text it draws (item texts and dimension names are data), and the title
    and description are escaped below; ``chart_id`` is ours (a fixed name or a public id).
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg",
                   metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    # matplotlib numbers its ids per figure (axes_1, text_1...): prefix them so that several
    # charts can live in one page.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{chart_id}-\1"', svg)
    opening_end = svg.index(">") + 1
    opening = svg[:opening_end]
    opening = opening.replace(
        "<svg ",
        f'<svg class="vises-chart" role="img" id="{chart_id}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" ',
        1,
    )
    return mark_safe(
        f"{opening}<title id=\"{chart_id}-title\">{escape(title)}</title>"
        f"<desc id=\"{chart_id}-desc\">{escape(description)}</desc>{svg[opening_end:]}"
    )


# ---------------------------------------------------------------------------
# Funnel
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int
    percent: float  # of the first step


@_plain_text
def funnel_chart(steps: Sequence[FunnelStep], *, chart_id: str, title: str,
                 description: str, count_label: str) -> str:
    """Horizontal bars, one per step of the funnel, hatched differently, counts at their end."""
    figure = Figure(figsize=(6.0, 0.6 * len(steps) + 0.8))
    _margins(figure, left=1.75, right=0.15, top=0.1, bottom=0.5)
    axes = figure.add_subplot()
    positions = list(range(len(steps)))[::-1]
    widest = max((s.count for s in steps), default=0) or 1
    for position, step, k in zip(positions, steps, range(len(steps)), strict=True):
        axes.barh(position, step.count, height=0.62, color=WAVE_COLOURS[k % len(WAVE_COLOURS)],
                  edgecolor=INK, linewidth=0.8, hatch=FUNNEL_HATCHES[k % len(FUNNEL_HATCHES)])
        axes.text(step.count + widest * 0.015, position,
                  f"{count_format(step.count)} ({percent_format(step.percent, 0)})",
                  va="center", ha="left", color=INK)
    axes.set_yticks(positions, [textwrap.fill(s.label, 24) for s in steps])
    axes.set_xlim(0, widest * 1.25)
    axes.set_xlabel(count_label)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _p: count_format(int(value))))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return svg_from_figure(figure, chart_id=chart_id, title=title, description=description)


# ---------------------------------------------------------------------------
# Dimensions: mean per wave with its 95 % confidence interval
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionPoint:
    wave_label: str
    mean: float | None
    low: float | None
    high: float | None
    n: int


@dataclass(frozen=True)
class DimensionSeries:
    name: str
    points: Sequence[DimensionPoint]
    score_min: float
    score_max: float


@_plain_text
def dimensions_chart(series: Sequence[DimensionSeries], *, chart_id: str, title: str,
                     description: str, y_label: str, columns: int = 4) -> str:
    """Small multiples: per dimension, the mean score at each wave with its 95 % interval."""
    count = max(len(series), 1)
    columns = min(columns, count)
    rows = -(-count // columns)
    figure = Figure(figsize=(2.6 * columns + 0.4, 2.2 * rows + 0.2))
    _margins(figure, left=0.65, right=0.1, top=0.35, bottom=0.45, hspace=0.75, wspace=0.35)
    for index, dimension in enumerate(series):
        axes = figure.add_subplot(rows, columns, index + 1)
        positions = list(range(len(dimension.points)))
        shown = [(x, p) for x, p in zip(positions, dimension.points, strict=True)
                 if p.mean is not None]
        if len(shown) > 1:
            axes.plot([x for x, _ in shown], [p.mean for _, p in shown], color=INK,
                      linewidth=1, linestyle="--", zorder=1)
        for x, point in shown:
            k = x % len(WAVE_COLOURS)
            if point.low is not None and point.high is not None:
                axes.errorbar(x, point.mean, yerr=[[point.mean - point.low],
                                                   [point.high - point.mean]],
                              color=INK, capsize=4, linewidth=1, zorder=2)
            axes.plot(x, point.mean, marker=WAVE_MARKERS[x % len(WAVE_MARKERS)],
                      markersize=8, color=WAVE_COLOURS[k], markeredgecolor=INK, zorder=3,
                      linestyle="none")
        axes.set_xticks(positions, [textwrap.fill(p.wave_label, 10)
                                    for p in dimension.points], fontsize=7.5)
        axes.set_xlim(-0.5, len(positions) - 0.5)
        margin = (dimension.score_max - dimension.score_min) * 0.05
        axes.set_ylim(dimension.score_min - margin, dimension.score_max + margin)
        low, high = math.ceil(dimension.score_min), math.floor(dimension.score_max)
        # Whole scores on a short scale; quarters on the 0–100 scale of the dashboard.
        step = 1 if high - low <= 10 else max(1, (high - low) // 4)
        axes.set_yticks([float(v) for v in range(low, high + 1, step)] or [dimension.score_min])
        axes.yaxis.set_major_formatter(_decimal_axis(1 if step == 1 else 0))
        axes.set_title(textwrap.fill(dimension.name, 30), fontsize=9, color=INK)
        axes.grid(axis="y", color="#bbbbbb", linewidth=0.5)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        if index % columns == 0:
            axes.set_ylabel(y_label, fontsize=8)
    return svg_from_figure(figure, chart_id=chart_id, title=title, description=description)


# ---------------------------------------------------------------------------
# Ranking of items by paired improvement
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingBar:
    label: str
    improved_percent: float
    worsened_percent: float
    mark: str  # the verdict's words ("Progrès") or ""


@_plain_text
def ranking_chart(bars: Sequence[RankingBar], *, chart_id: str, title: str,
                  description: str, improved_label: str, worsened_label: str,
                  axis_label: str) -> str:
    """Diverging bars: share of people who decline (left) and who improve (right) per item.

    Declines are drawn left of the axis and improvements right of it, so that the series
    read apart without colour."""
    figure = Figure(figsize=(7.2, 0.28 * len(bars) + 1.2))
    _margins(figure, left=3.25, right=0.1, top=0.45, bottom=0.5)
    axes = figure.add_subplot()
    positions = list(range(len(bars)))[::-1]
    improved = [b.improved_percent for b in bars]
    worsened = [-b.worsened_percent for b in bars]
    # No hatches here: the side of the axis already tells the two series apart in black
    # and white (and 60 hatch patterns would cost seconds in the PDF).
    axes.barh(positions, improved, height=0.7, color=OKABE_ITO["blue"], edgecolor=INK,
              linewidth=0.5, label=improved_label)
    axes.barh(positions, worsened, height=0.7, color=OKABE_ITO["vermillion"], edgecolor=INK,
              linewidth=0.5, label=worsened_label)
    for position, bar in zip(positions, bars, strict=True):
        if bar.mark:
            axes.text(bar.improved_percent + 1.5, position, bar.mark, va="center",
                      ha="left", fontsize=7.5, color=INK, fontweight="bold")
    axes.axvline(0, color=INK, linewidth=0.8)
    axes.set_yticks(positions, [textwrap.shorten(b.label, 48, placeholder="…") for b in bars],
                    fontsize=7.5)
    highest = max([*improved, *(-w for w in worsened), 10.0])
    axes.set_xlim(-highest * 1.1, highest * 1.22)
    axes.xaxis.set_major_formatter(_percent_axis())
    axes.set_xlabel(axis_label, fontsize=8)
    axes.set_ylim(-0.7, len(bars) - 0.3)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False,
                fontsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return svg_from_figure(figure, chart_id=chart_id, title=title, description=description)
