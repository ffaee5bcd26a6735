"""Time and peak memory of ``report_build`` on random data: ``python -m analysis.bench_report``.

Peak memory is what tracemalloc sees (numpy buffers included), for the report alone;
the data themselves are built before measuring.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Sequence

from analysis.report import report_build
from analysis.synthetic import random_survey_data

SIZES = (1_000, 10_000, 50_000)


def bench(n_beneficiaries: int, *, repeat: int = 3) -> tuple[int, float, float]:
    """(responses, best time in seconds, peak MiB) of report_build for one data size."""
    data = random_survey_data(n_beneficiaries, seed=n_beneficiaries)
    report_build(data)  # warm-up: lazy imports and first-call costs are not the report's
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        report_build(data)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    report_build(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return int(data.response_beneficiary.size), best, peak / 2**20


def main(argv: Sequence[str] | None = None) -> None:
    """Print a table of report_build timings; sizes may be given as arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    sizes = [int(a) for a in args] or list(SIZES)
    print(
        f"{'beneficiaries':>13} {'responses':>9} {'items':>5} {'best of 3 (s)':>13} "
        f"{'peak (MiB)':>10}"
    )
    for n in sizes:
        responses, seconds, peak = bench(n)
        print(f"{n:>13,} {responses:>9,} {30:>5} {seconds:>13.3f} {peak:>10.1f}")


if __name__ == "__main__":
    main()
