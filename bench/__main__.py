"""Benchmark: seed, import, export and the impact report at several sizes, on both databases.

    python -m bench [--sizes 1000 10000 50000] [--backends sqlite postgresql]

Each step runs as its own process (as a user would run the command), so that its wall time
includes Python's start-up and its peak memory (max RSS) is its own. The report is also timed
inside one warm process (load from the database, then the statistics), beside the analyst's
route: the CSV export read with pandas and the same tables computed with scipy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import PYTHON, ROOT, fresh_database, markdown_table

DEFINITION = ROOT / "questionnaires" / "demo" / "demo.json"
IMPORT_ROWS = 10_000


def run(args: list[str], env: dict) -> tuple[float, float, str]:
    """Run a command; return its wall seconds, its peak memory in MB and its output."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output


def manage(*args: str, env: dict) -> tuple[float, float, str]:
    return run([PYTHON, "manage.py", *args], env)


def import_csv(path: Path) -> None:
    """A 10,000-row responses file for the demo questionnaire: 5,000 people at two waves."""
    definition = json.loads(DEFINITION.read_text(encoding="utf-8"))
    rng = random.Random(7)
    codes = {item["code"]: [c["code"] for c in definition["scales"][item["scale"]]]
             for item in definition["items"]}
    with path.open("w", encoding="utf-8") as stream:
        stream.write(";".join(["beneficiary", "wave", "answered_on", *codes]) + "\n")
        for row in range(IMPORT_ROWS):
            person, wave = divmod(row, 2)
            date = "2024-01-15" if wave == 0 else "20/04/2024"
            cells = [rng.choice(choices) if rng.random() > 0.02 else ""
                     for choices in codes.values()]
            stream.write(";".join([f"I-{person:05d}", str(wave + 1), date, *cells]) + "\n")


INPROCESS = """
import json, time, django
django.setup()
from analysis.report import report_build
from questionnaires.models import Questionnaire
from questionnaires.selectors import survey_data_load
q = Questionnaire.objects.get(organisation__slug="demo", code="demo")
best = None
for _ in range(3):
    t0 = time.perf_counter(); data = survey_data_load(questionnaire=q)
    t1 = time.perf_counter(); report_build(data); t2 = time.perf_counter()
    if best is None or t2 - t0 < best[0] + best[1]:
        best = (t1 - t0, t2 - t1)
print(json.dumps({"load": best[0], "build": best[1],
                  "responses": int(data.answers.shape[0]),
                  "answers": int((data.answers >= 0).sum())}))
"""


def measure(backend: str, n: int, workdir: Path, import_file: Path) -> dict:
    database = fresh_database(backend=backend, workdir=workdir, name="vises_bench")
    env = {**os.environ, "DATABASE_URL": database, "DEBUG": "on",
           "DJANGO_SETTINGS_MODULE": "vises.settings"}
    manage("migrate", "-v0", env=env)
    row: dict = {"backend": backend, "n": n}
    row["seed_s"], row["seed_mb"], _ = manage("seed_demo", "--beneficiaries", str(n), env=env)
    export = workdir / "export.csv"
    row["export_s"], row["export_mb"], _ = manage(
        "export_responses", "--organisation", "demo", "--questionnaire", "demo",
        "-o", str(export), env=env)
    manage("create_organisation", "import-target", "--name", "Import", env=env)
    manage("load_questionnaire", str(DEFINITION), "--organisation", "import-target", env=env)
    row["import_s"], row["import_mb"], _ = manage(
        "import_responses", str(import_file), "--organisation", "import-target",
        "--questionnaire", "demo", env=env)
    row["report_s"], row["report_mb"], _ = manage(
        "impact_report", "--organisation", "demo", "--questionnaire", "demo",
        "-o", str(workdir / "report.json"), env=env)
    _, _, output = run([PYTHON, "-c", INPROCESS], env)
    inprocess = json.loads(output.strip().splitlines()[-1])
    row.update(load_s=inprocess["load"], build_s=inprocess["build"],
               responses=inprocess["responses"], answers=inprocess["answers"])
    row["analyst_wall_s"], row["analyst_mb"], output = run(
        [PYTHON, str(ROOT / "bench" / "analyst.py"), str(export), str(DEFINITION)], env)
    analyst = json.loads(output.strip().splitlines()[-1])
    row["analyst_s"] = analyst["read"] + analyst["compute"]
    return row


COLUMNS = [
    ("backend", "database", "{}"), ("n", "N", "{:,}"), ("responses", "responses", "{:,}"),
    ("answers", "answers", "{:,}"), ("seed_s", "seed s", "{:.2f}"),
    ("seed_mb", "seed MB", "{:.0f}"),
    ("import_s", "import 10k rows s", "{:.2f}"), ("import_mb", "import MB", "{:.0f}"),
    ("export_s", "export s", "{:.2f}"), ("report_s", "report command s", "{:.2f}"),
    ("report_mb", "report MB", "{:.0f}"), ("load_s", "report load s", "{:.3f}"),
    ("build_s", "report stats s", "{:.3f}"), ("analyst_s", "analyst read+stats s", "{:.3f}"),
    ("analyst_wall_s", "analyst process s", "{:.2f}"), ("analyst_mb", "analyst MB", "{:.0f}"),
    ("ratio", "ratio in-process", "{:.2f}"), ("ratio_wall", "ratio process", "{:.2f}"),
]


def table(rows: list[dict]) -> str:
    for row in rows:
        row["ratio"] = (row["load_s"] + row["build_s"]) / row["analyst_s"]
        row["ratio_wall"] = row["report_s"] / row["analyst_wall_s"]
    return markdown_table(rows, COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="vises-bench-") as tmp:
        workdir = Path(tmp)
        import_file = workdir / "import.csv"
        import_csv(import_file)
        for backend in args.backends:
            for n in args.sizes:
                print(f"… {backend}, N = {n:,}", file=sys.stderr, flush=True)
                rows.append(measure(backend, n, workdir, import_file))
    print(table(rows))
    print("\nreport command: the whole `impact_report` process (Python and Django start-up "
          "included); report load/stats: one warm process, best of 3; analyst: pandas.read_csv "
          "of the export, then per item and wave pair a crosstab, chi2_contingency and "
          "wilcoxon; ratio in-process = (load + stats) / analyst read+stats; ratio process = "
          "report command / analyst process. MB = peak RSS of that process.")


if __name__ == "__main__":
    main()
