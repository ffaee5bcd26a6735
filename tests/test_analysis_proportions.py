"""Wilson intervals, checked against statsmodels."""

import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.proportions import proportion_wilson


@pytest.mark.parametrize(("count", "n"), [(0, 1), (3, 4), (0, 12), (12, 12), (37, 120), (1, 5)])
def test_the_wilson_interval_matches_statsmodels(count, n):
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    result = proportion_wilson(count, n)
    assert result.value == pytest.approx(count / n)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-12)


def test_a_share_of_all_or_nothing_still_has_a_width():
    assert proportion_wilson(4, 4).ci_low < 1.0
    assert proportion_wilson(0, 4).ci_high > 0.0


def test_a_share_of_nobody_has_no_value():
    result = proportion_wilson(0, 0)
    assert (result.value, result.ci_low, result.ci_high) == (None, None, None)


def test_a_count_above_its_total_is_refused():
    with pytest.raises(ValueError, match="count must be within"):
        proportion_wilson(5, 4)
