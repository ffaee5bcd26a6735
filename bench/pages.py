"""Benchmark of the counsellor's workspace: server time and SQL queries per page.

    python -m bench.pages [--n 10000] [--backends sqlite postgresql] [--repeat 7]

For each database: a fresh database, ``migrate``, ``seed_demo --beneficiaries N``, then one
process that requests each page through Django's test Client (in-process, ``force_login``,
no network) and prints the median and best of ``--repeat`` requests after a warm-up, and the
number of SQL queries of one request. "Saving a response" posts the 30-item entry form for
a different person's due wave each time (the request, not the redirect that follows it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from bench.common import PYTHON, command_run, fresh_database

MEASURE = r"""
import json, statistics, sys, time, uuid
import django
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries.people import SCOPE_MINE, published_questionnaires
from beneficiaries.scope import people_in_scope
from beneficiaries.worklist import work_items
from organisations.access import questionnaires_for
from organisations.models import Membership
from questionnaires.models import Questionnaire, Response

REPEAT = int(sys.argv[1])
slug = "demo"
counsellor = Membership.objects.select_related("user").get(user__username="demo-conseiller")
director = Membership.objects.select_related("user").get(user__username="demo-direction")
questionnaire = Questionnaire.objects.get(organisation__slug=slug, code="demo")
someone = Response.objects.filter(questionnaire=questionnaire, wave__number=3,
                                  beneficiary__counsellor=counsellor.user).first().beneficiary
rows = []


def timed(label, role, membership, make_request, repeat=REPEAT):
    client = Client()
    client.force_login(membership.user)
    make_request(client, 0)  # warm-up
    # Each request empties the query log when it starts (request_started): start empty too.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        status = make_request(client, 1).status_code
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        make_request(client, i + 2)
        times.append((time.perf_counter() - started) * 1000)
    rows.append({"page": label, "role": role, "median_ms": statistics.median(times),
                 "best_ms": min(times), "queries": len(queries), "status": status})


def get(url, params=None):
    return lambda client, _i: client.get(url, params or {})


people_total = counsellor.organisation.beneficiaries.count()
mine = people_in_scope(membership=counsellor, scope=SCOPE_MINE).count()
listing = reverse("beneficiaries:list", kwargs={"org_slug": slug})
worklist = reverse("beneficiaries:worklist", kwargs={"org_slug": slug})
timed(f"list, page 1 ({mine:,} people)", "counsellor", counsellor, get(listing))
timed(f"list, page 1 ({people_total:,} people)", "director", director, get(listing))
timed("list, last page", "director", director, get(listing, {"page": "last"}))
timed("list, search by code", "director", director, get(listing, {"q": "D-0999"}))
timed("worklist", "counsellor", counsellor, get(worklist))
timed("worklist", "director", director, get(worklist))
timed("profile (3 waves)", "counsellor", counsellor, get(reverse(
    "beneficiaries:detail", kwargs={"org_slug": slug, "public_id": someone.public_id})))

today = timezone.localdate()
published = published_questionnaires(questionnaires=questionnaires_for(counsellor))
due = [(pk, state.wave.number) for pk, _q, state in work_items(
    people=people_in_scope(membership=counsellor, scope=SCOPE_MINE), questionnaires=published,
    today=today)]
people = dict(counsellor.organisation.beneficiaries.filter(
    pk__in=[pk for pk, _n in due]).values_list("pk", "public_id"))
items = list(questionnaire.items.select_related("scale").prefetch_related("scale__choices"))
answers = {f"item_{item.code}": item.scale.choices.all()[0].code for item in items}
first_entry = reverse("beneficiaries:entry", kwargs={
    "org_slug": slug, "public_id": people[due[0][0]], "questionnaire_id": questionnaire.public_id,
    "number": due[0][1]})
timed("entry page (30 items)", "counsellor", counsellor, get(first_entry))


def save(client, i):
    pk, number = due[i]
    url = reverse("beneficiaries:entry", kwargs={
        "org_slug": slug, "public_id": people[pk], "questionnaire_id": questionnaire.public_id,
        "number": number})
    response = client.post(url, {"answered_on": today.isoformat(), "token": uuid.uuid4().hex,
                                 "response": "", **answers})
    assert response.status_code == 302, response.status_code
    return response


timed("saving a response (30 answers)", "counsellor", counsellor, save)
print(json.dumps({"people": people_total, "rows": rows}))
"""


def measure(backend: str, n: int, repeat: int, workdir: Path) -> list[dict]:
    database = fresh_database(backend=backend, workdir=workdir, name="vises_bench_pages")
    env = {**os.environ, "DATABASE_URL": database, "DEBUG": "on",
           "DJANGO_SETTINGS_MODULE": "vises.settings"}
    command_run([PYTHON, "manage.py", "migrate", "-v0"], env)
    command_run([PYTHON, "manage.py", "seed_demo", "--beneficiaries", str(n)], env)
    if backend == "postgresql":
        # As autovacuum would after a bulk load: the planner needs the tables' statistics.
        import psycopg2

        connection = psycopg2.connect(env["DATABASE_URL"])
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()
    output = command_run([PYTHON, "-c", MEASURE, str(repeat)], env)
    result = json.loads(output.strip().splitlines()[-1])
    return [{"backend": backend, "n": result["people"], **row} for row in result["rows"]]


def table(rows: list[dict]) -> str:
    lines = ["| database | N | page | as | median ms | best ms | SQL queries |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {row['backend']} | {row['n']:,} | {row['page']} | {row['role']} | "
            f"{row['median_ms']:.0f} | {row['best_ms']:.0f} | {row['queries']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="vises-bench-pages-") as tmp:
        for backend in args.backends:
            print(f"… {backend}, N = {args.n:,}", file=sys.stderr, flush=True)
            rows.extend(measure(backend, args.n, args.repeat, Path(tmp)))
    print(table(rows))
    print(f"\nServer time of one request through Django's test Client (middleware, view, "
          f"template), median and best of {args.repeat} after a warm-up; SQL queries of one "
          "request. Counsellor: demo-conseiller (a third of the people); director: everyone.")


if __name__ == "__main__":
    main()
