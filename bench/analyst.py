"""The analyst's route: the wide CSV export read with pandas, the same tables with scipy.

Run as a script on an export file and the questionnaire definition; prints the seconds spent
reading and computing (imports excluded) as JSON on the last line.
"""

import itertools
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats


def main(csv_path: str, definition_path: str) -> None:
    with open(definition_path, encoding="utf-8") as stream:
        definition = json.load(stream)
    scores = {
        item["code"]: {c["code"]: c["score"] for c in definition["scales"][item["scale"]]}
        for item in definition["items"]
    }
    started = time.perf_counter()
    frame = pd.read_csv(csv_path, sep=";", encoding="utf-8-sig", dtype=str)
    read = time.perf_counter() - started
    started = time.perf_counter()
    waves = sorted(int(w) for w in frame["wave"].unique())
    pairs = [*itertools.pairwise(waves), (waves[0], waves[-1])]
    by_wave = {w: frame[frame["wave"] == str(w)].set_index("beneficiary") for w in waves}
    results = 0
    for item in scores:
        for a, b in pairs:
            left, right = by_wave[a][item].dropna(), by_wave[b][item].dropna()
            table = pd.concat([left.value_counts(), right.value_counts()], axis=1).fillna(0)
            if table.shape[0] > 1 and (table.sum(axis=0) > 0).all():
                stats.chi2_contingency(table.to_numpy(), correction=False)
            joined = pd.concat([left.map(scores[item]), right.map(scores[item])],
                               axis=1, join="inner").dropna()
            diff = (joined.iloc[:, 1] - joined.iloc[:, 0]).to_numpy(dtype=float)
            if np.count_nonzero(diff):
                stats.wilcoxon(diff, zero_method="wilcox")
            results += 1
    compute = time.perf_counter() - started
    print(json.dumps({"read": read, "compute": compute, "tables": results}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
