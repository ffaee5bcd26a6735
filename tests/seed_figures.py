"""The seed table's reference figures, as the survey tool printed them (no Django here: the
statistics tests import it too)."""

import pytest


def assert_is_the_seed_chi_square(independent: dict) -> None:
    """Waves 1 → 2 of the seed table: "p < 0,01 ; Khi2 = 18,55 ; ddl = 2 (TS)", with the
    counts it was computed from and the cells above or below what independence expects."""
    assert independent["counts"] == {"A": [7, 29], "B": [39, 24], "C": [7, 3]}
    assert independent["n"] == [53, 56]
    assert round(independent["chi2"], 4) == 18.5474
    assert independent["dof"] == 2
    assert independent["p"] == pytest.approx(9.386e-05, rel=1e-3)
    assert independent["significance"] == "TS"
    assert independent["cells"] == {"A": ["under", "over"], "B": ["over", "under"],
                                    "C": [None, None]}
