"""Proportions with their Wilson score interval."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Proportion:
    """``count`` out of ``n``; ``value`` and the interval are ``None`` when n = 0."""

    count: int
    n: int
    value: float | None
    ci_low: float | None
    ci_high: float | None


def proportion_wilson(count: int, n: int, *, confidence: float = 0.95) -> Proportion:
    """The share ``count / n`` with its Wilson score interval.

    Wilson's interval stays inside [0, 1] and never has zero width, even at 0 % or 100 %
    of a small group, unlike the textbook (Wald) interval. Same figures as statsmodels'
    ``proportion_confint(count, n, method="wilson")``.
    """
    from scipy import special

    if n <= 0:
        return Proportion(count=0, n=0, value=None, ci_low=None, ci_high=None)
    if not 0 <= count <= n:
        raise ValueError(f"count must be within 0..{n}; got {count}")
    z = float(special.ndtri(0.5 + confidence / 2.0))
    share = count / n
    denominator = 1.0 + z * z / n
    centre = (share + z * z / (2.0 * n)) / denominator
    half = z * math.sqrt(share * (1.0 - share) / n + z * z / (4.0 * n * n)) / denominator
    return Proportion(
        count=count,
        n=n,
        value=share,
        ci_low=max(0.0, centre - half),
        ci_high=min(1.0, centre + half),
    )
