"""A person's "distance travelled": their dimension scores wave by wave, as inline SVG.

One row per dimension, the score on the horizontal axis: each wave is a marker of its own
shape (open circle, grey square, black triangle…) and an arrow goes from the first wave to
the last, so that the chart reads in black and white and in print. matplotlib's ``Figure``
only (never pyplot, which keeps global state between requests).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# (marker, face colour) per wave position: shapes differ, and so do fills.
WAVE_MARKERS = (("o", "white"), ("s", "#8a8a8a"), ("^", "black"), ("D", "white"),
                ("v", "#8a8a8a"), ("P", "black"))


def dimension_chart_svg(
    *, dimensions: Sequence[str], wave_labels: Sequence[str],
    scores: Sequence[Sequence[float | None]], score_range: tuple[float, float], chart_id: str,
) -> SafeString:
    """The SVG markup (no XML prologue) of the person's dimension scores over the waves.

    Marked safe here, once, so that the template needs no ``|safe``: matplotlib's SVG writer
    escapes every text it draws (dimension names and wave labels are data).
    """
    import matplotlib
    from matplotlib.figure import Figure

    height = 1.0 + 0.55 * max(len(dimensions), 1)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id,
                                "font.size": 10, "font.family": "sans-serif",
                                # Dimension names are data: a "$" in one is not mathtext.
                                "text.parse_math": False}):
        figure = Figure(figsize=(7.2, height), layout="constrained")
        axes = figure.add_subplot()
        rows = list(range(len(dimensions)))[::-1]
        low, high = score_range
        # Each wave a little lower than the one before, so that equal scores stay visible.
        step = 0.25 if len(wave_labels) <= 3 else 0.75 / len(wave_labels)

        def height(row: int, w: int) -> float:
            return row - step * (w - (len(wave_labels) - 1) / 2)

        for row, values in zip(rows, scores, strict=True):
            known = [(w, v) for w, v in enumerate(values) if v is not None]
            axes.axhline(row, color="#e3e3e3", linewidth=0.8, zorder=0)
            if len(known) >= 2:
                (w0, first), (w1, last) = known[0], known[-1]
                if abs(last - first) > 1e-9:
                    axes.annotate("", xy=(last, height(row, w1)), xytext=(first, height(row, w0)),
                                  zorder=1, arrowprops={"arrowstyle": "-|>", "color": "#444444",
                                                        "linewidth": 1.4, "shrinkA": 5,
                                                        "shrinkB": 5})
            for w, value in known:
                marker, face = WAVE_MARKERS[w % len(WAVE_MARKERS)]
                axes.plot([value], [height(row, w)], marker=marker, markersize=8,
                          markerfacecolor=face, markeredgecolor="black", linestyle="none",
                          zorder=2)
        for w, label in enumerate(wave_labels):
            marker, face = WAVE_MARKERS[w % len(WAVE_MARKERS)]
            axes.plot([], [], marker=marker, markersize=8, markerfacecolor=face,
                      markeredgecolor="black", linestyle="none", label=label)
        axes.set_yticks(rows, labels=list(dimensions))
        axes.set_ylim(-0.7, len(dimensions) - 0.3)
        margin = (high - low) * 0.06 or 0.5
        axes.set_xlim(low - margin, high + margin)
        axes.set_xlabel(_("Mean score on the dimension (higher is better)"))
        axes.spines[["top", "right", "left"]].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(wave_labels),
                    frameon=False, handletextpad=0.3, columnspacing=1.2)
        stream = io.StringIO()
        figure.savefig(stream, format="svg", metadata={"Date": None})
    svg = stream.getvalue()
    svg = svg[svg.index("<svg"):]
    # Scale with its container instead of a fixed size in points.
    return mark_safe(re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
        r'<svg\1 class="dimension-chart" focusable="false" aria-hidden="true"', svg, count=1))
