"""Benchmark of the impact dashboard and the board's PDF, as the server sees them.

    python -m bench.reports [--sizes 10000] [--backends sqlite postgresql] [--no-redis]

For each database a fresh one is filled with ``seed_demo``; then one process serves requests
in-process through Django's test Client, logged in as the demo director (and board member):
- dashboard cold: the organisation's report version is bumped first (what any change to its
  data does), so the report is computed and the charts drawn again;
- dashboard warm: the same page again, report and charts read from the cache;
- PDF: the download, cold as above.
Times are the server's (from the request to the full response, no network), median of runs,
after one request that pays Python's imports. The cache is local memory, and Redis when it
answers on 127.0.0.1:6379 (database 15; BENCH_REDIS overrides it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from bench.common import PYTHON, command_run, fresh_database

REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")

MEASURE = """
import json, statistics, time, django
django.setup()
from django.core.cache import cache
from django.test import Client
from django.test.utils import setup_test_environment
from organisations.models import Membership
from questionnaires.models import Questionnaire
from reports.cache import report_version_bump

setup_test_environment()
q = Questionnaire.objects.get(organisation__slug="demo", code="demo")
dashboard = f"/o/demo/rapports/{q.public_id}/"
pdf = f"/o/demo/rapports/{q.public_id}/rapport.pdf"


def client_for(role):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(Membership.objects.get(organisation__slug="demo", role=role).user)
    return client


def timed(client, url, cold):
    if cold:
        report_version_bump(organisation_id=q.organisation_id)
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, len(response.content)


result = {}
for role in ("director", "board"):
    client = client_for(role)
    timed(client, dashboard, cold=True)  # imports, first connection
    cold = [timed(client, dashboard, cold=True)[0] for _ in range(3)]
    warm = [timed(client, dashboard, cold=False)[0] for _ in range(10)]
    result[role] = {"cold": statistics.median(cold), "warm": statistics.median(warm)}
client = client_for("board")
runs = [timed(client, pdf, cold=True) for _ in range(3)]
result["pdf"] = statistics.median(r[0] for r in runs)
result["pdf_kb"] = runs[0][1] / 1024
result["responses"] = q.responses.count()
print(json.dumps(result))
"""


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except Exception:
        return False


def measure(backend: str, n: int, workdir: Path, caches: list[str]) -> list[dict]:
    database = fresh_database(backend=backend, workdir=workdir, name="vises_bench_reports")
    env = {**os.environ, "DATABASE_URL": database, "DEBUG": "on",
           "DJANGO_SETTINGS_MODULE": "vises.settings"}
    env.pop("REDIS_URL", None)
    command_run([PYTHON, "manage.py", "migrate", "-v0"], env)
    command_run([PYTHON, "manage.py", "seed_demo", "--beneficiaries", str(n)], env)
    rows = []
    for cache_name in caches:
        cache_env = {**env, "REDIS_URL": REDIS} if cache_name == "redis" else env
        output = command_run([PYTHON, "-c", MEASURE], cache_env)
        measured = json.loads(output.strip().splitlines()[-1])
        rows.append({"backend": backend, "n": n, "cache": cache_name, **measured})
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| database | N | responses | cache | dashboard cold s (director / board) "
        "| dashboard warm ms (director / board) | PDF s | PDF KB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['backend']} | {r['n']:,} | {r['responses']:,} | {r['cache']} "
            f"| {r['director']['cold']:.2f} / {r['board']['cold']:.2f} "
            f"| {1000 * r['director']['warm']:.0f} / {1000 * r['board']['warm']:.0f} "
            f"| {r['pdf']:.2f} | {r['pdf_kb']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--no-redis", action="store_true", help="Local memory cache only.")
    args = parser.parse_args()
    caches = ["local memory"]
    if not args.no_redis and redis_answers():
        caches.append("redis")
    rows = []
    with tempfile.TemporaryDirectory(prefix="vises-bench-reports-") as tmp:
        for backend in args.backends:
            for n in args.sizes:
                print(f"… {backend}, N = {n:,}", file=sys.stderr, flush=True)
                rows.extend(measure(backend, n, Path(tmp), caches))
    print(table(rows))
    print("\nServer time in one process through Django's test Client, median (cold: 3 runs "
          "after bumping the organisation's report version, warm: 10 runs, PDF: 3 cold runs, "
          "as the board member). Targets at N = 10,000: cold < 1 s, warm < 100 ms, PDF < 10 s.")


if __name__ == "__main__":
    main()
