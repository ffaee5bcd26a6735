"""Fault script: saves and imports while workers die, database connections are cut and Redis
is down; prints what was attempted, written, lost, duplicated and how many 500s were seen.

    .venv/bin/python load/faults.py [--saves 30] [--port 8766] [--database vises_faults_load]

It starts its own stack, as load/run.sh does: a fresh PostgreSQL database, the demo data,
gunicorn (3 workers, 2 threads) with Redis as the cache (database 7 of the local server).
Redis "down" is a second gunicorn whose REDIS_URL names a closed port: the Redis server is
shared with other programs and is never stopped. Traffic goes to this machine only.

Phases (each prints one row):
- saves while a gunicorn worker is killed (SIGKILL) every second or so;
- saves while every connection to the database is terminated (pg_terminate_backend) now
  and then;
- saves, dashboards and the PDF with Redis down;
- `import_responses --update` killed (SIGKILL) at a random moment, several times, then run
  to the end; the same with its database connection terminated; the same with Redis down.

A save is a counsellor's entry form posted through the site: on a dropped connection or an
error page the client posts the same form again (same token, as a browser resubmission
would), up to 10 times. At the end every save is looked up in the database: written (the
response holds exactly the answers sent), lost (the site said "saved" and there is no
response), not saved (the person gave up after error pages that said so), duplicated (more
than one response for the person and wave) or half-written (a response with other answers). An
import is checked cell by cell after every attempt: all old, all new, or partial.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import http.cookiejar
import io
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "vises-demo"
ORG = "demo"

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM = re.compile(r'<form[^>]*method="post"[^>]*>(.*?)</form>', re.S | re.I)
INPUT = re.compile(r"<input\b[^>]*>", re.I)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
# A person facing an error page sends the form again, up to this many times.
RETRIES = 10


# -- The stack --------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    pg: str
    database: str
    redis: str
    workdir: Path
    conn_max_age: int = 60
    servers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def database_url(self) -> str:
        return f"{self.pg}/{self.database}"

    def env(self, *, redis: str | None = None) -> dict:
        return {**os.environ, "DEBUG": "off", "SECRET_KEY": "fault-script-only-" + "x" * 40,
                "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "off",
                "SECURE_COOKIES": "off", "DATABASE_URL": self.database_url,
                "REDIS_URL": redis or self.redis, "AXES_FAILURE_LIMIT": "1000",
                "UPLOAD_PENDING_DIR": str(self.workdir / "uploads"), "LOG_LEVEL": "ERROR",
                "CONN_MAX_AGE": str(self.conn_max_age),
                "DJANGO_SETTINGS_MODULE": "vises.settings"}

    def prepare(self, people: int) -> None:
        import psycopg2

        admin = psycopg2.connect(f"{self.pg}/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {self.database}")
        admin.close()
        for args in (["migrate", "-v0"],
                     ["seed_demo", "--beneficiaries", str(people), "--demo-password", PASSWORD],
                     ["collectstatic", "--noinput", "-v0"]):
            subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(), check=True,
                           stdout=subprocess.DEVNULL)

    def serve(self, port: int, *, redis: str | None = None) -> subprocess.Popen:
        server = subprocess.Popen(
            [GUNICORN, "vises.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3",
             "--threads", "2", "--timeout", "60", "--graceful-timeout", "5",
             "--log-level", "critical"],
            cwd=ROOT, env=self.env(redis=redis), stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / f"gunicorn-{port}.log", "w"))  # noqa: SIM115
        self.servers.append(server)
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion/", timeout=5)
                return server
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not start on port {port}")

    def stop(self) -> None:
        for server in self.servers:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(15)
                except subprocess.TimeoutExpired:
                    server.kill()

    @contextlib.contextmanager
    def connect(self):
        """An autocommit connection: each query its own transaction, so that every look at
        pg_stat_activity is a fresh one (psycopg2's ``with connection`` would open one
        transaction, and PostgreSQL keeps one statistics snapshot per transaction)."""
        import psycopg2

        connection = psycopg2.connect(self.database_url)
        connection.autocommit = True
        try:
            yield connection
        finally:
            connection.close()


# -- A browser, without a browser -------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, no redirects followed: each request's own status is what counts."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def request(self, path: str, data: list[tuple[str, str]] | None = None
                ) -> tuple[int, str]:
        """(status, body); status 0 when the connection dropped (a worker died)."""
        body = None if data is None else urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=90) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except (OSError, http.client.HTTPException):
            return 0, ""

    def login(self, username: str) -> None:
        for _ in range(10):
            status, page = self.request("/connexion/")
            found = CSRF.search(page)
            if status == 200 and found:
                status, _ = self.request("/connexion/", [
                    ("username", username), ("password", PASSWORD),
                    ("csrfmiddlewaretoken", found.group(1))])
                if status == 302:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"{username} cannot log in")


def entry_form(page: str) -> tuple[list[tuple[str, str]], dict[str, list[str]]] | None:
    """The entry form's hidden and text fields, and each radio group's values."""
    for form in FORM.findall(page):
        fields, radios = [], {}
        for tag in INPUT.findall(form):
            attrs = dict(ATTR.findall(tag))
            kind, name = attrs.get("type", "text"), attrs.get("name")
            if not name:
                continue
            if kind == "radio":
                radios.setdefault(name, []).append(attrs.get("value", ""))
            elif kind in ("hidden", "date", "text"):
                fields.append((name, attrs.get("value", "")))
        if radios:
            return fields, radios
    return None


# -- Counting -------------------------------------------------------------------------------


@dataclass
class Tally:
    attempted: int = 0
    acknowledged: int = 0  # the site said "saved" (a redirect after the POST)
    http_500: int = 0
    dropped: int = 0  # connection cut before an answer (worker killed)
    retry_pages: int = 0  # 503: "the connection to the database was interrupted, send again"
    other_errors: int = 0  # 4xx/502… answered pages
    expected: dict = field(default_factory=dict)  # (person, wave) → {item code: choice code}
    acknowledged_keys: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, status: int) -> None:
        with self.lock:
            if status == 500:
                self.http_500 += 1
            elif status == 0:
                self.dropped += 1
            elif status == 503:
                self.retry_pages += 1
            elif status >= 400:
                self.other_errors += 1


def save_one(browser: Browser, target: tuple, tally: Tally, rng: random.Random) -> None:
    """Open the entry page, answer every item, post; post again after any failure."""
    person, questionnaire, wave = target
    path = f"/o/{ORG}/beneficiaires/{person}/questionnaires/{questionnaire}/vagues/{wave}/"
    form = None
    for _ in range(RETRIES):
        status, page = browser.request(path)
        tally.seen(status)
        if status == 200 and (form := entry_form(page)):
            break
        time.sleep(0.3)
    if form is None:
        return
    fields, radios = form
    choices = {name: rng.choice(values) for name, values in radios.items()}
    data = fields + list(choices.items())
    with tally.lock:
        tally.attempted += 1
        tally.expected[(person, wave)] = {name.removeprefix("item_"): value
                                          for name, value in choices.items()}
    for _ in range(RETRIES):
        status, _page = browser.request(path, data)
        tally.seen(status)
        if status == 302:
            with tally.lock:
                tally.acknowledged += 1
                tally.acknowledged_keys.add((person, wave))
            return
        time.sleep(0.5)


def targets_free(stack: Stack, count: int, rng: random.Random) -> list[tuple]:
    """(person, questionnaire, wave) triples with no response yet, one wave per person."""
    with stack.connect() as connection, connection.cursor() as cursor:
        cursor.execute("""
            SELECT DISTINCT ON (b.id) b.public_id, q.public_id, w.number
            FROM beneficiaries_beneficiary b
            JOIN organisations_organisation o ON o.id = b.organisation_id AND o.slug = %s
            JOIN questionnaires_questionnaire q ON q.organisation_id = o.id
            JOIN questionnaires_wave w ON w.questionnaire_id = q.id
            WHERE q.status = 'published' AND NOT EXISTS (
                SELECT 1 FROM questionnaires_response r
                WHERE r.beneficiary_id = b.id AND r.wave_id = w.id)
            ORDER BY b.id, w.number""", [ORG])
        rows = [(str(p), str(q), w) for p, q, w in cursor.fetchall()]
    rng.shuffle(rows)
    return rows[:count]


def saves_verify(stack: Stack, tally: Tally) -> dict:
    written = lost = not_saved = duplicated = half = 0
    with stack.connect() as connection, connection.cursor() as cursor:
        for (person, wave), sent in tally.expected.items():
            cursor.execute("""
                SELECT r.id FROM questionnaires_response r
                JOIN beneficiaries_beneficiary b ON b.id = r.beneficiary_id
                JOIN questionnaires_wave w ON w.id = r.wave_id
                WHERE b.public_id = %s AND w.number = %s""", [person, wave])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                if (person, wave) in tally.acknowledged_keys:
                    lost += 1
                else:
                    not_saved += 1
                continue
            if len(ids) > 1:
                duplicated += 1
            cursor.execute("""
                SELECT i.code, c.code FROM questionnaires_answer a
                JOIN questionnaires_item i ON i.id = a.item_id
                JOIN questionnaires_choice c ON c.id = a.choice_id
                WHERE a.response_id = %s""", [ids[0]])
            stored = dict(cursor.fetchall())
            if stored == sent:
                written += 1
            else:
                half += 1
    return {"written": written, "lost": lost, "not_saved": not_saved,
            "duplicated": duplicated, "half": half}


# -- Chaos ----------------------------------------------------------------------------------


def workers_of(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def kill_workers(master: int, stop: threading.Event, every: float, log: list) -> None:
    rng = random.Random(11)
    while not stop.wait(every * rng.uniform(0.5, 1.5)):
        workers = workers_of(master)
        if workers:
            victim = rng.choice(workers)
            try:
                os.kill(victim, signal.SIGKILL)
                log.append(1)
            except ProcessLookupError:
                pass


def terminate_connections(stack: Stack, stop: threading.Event, every: float,
                          log: list) -> None:
    rng = random.Random(13)
    with stack.connect() as connection, connection.cursor() as cursor:
        while not stop.wait(every * rng.uniform(0.5, 1.5)):
            # One connection of the site at a time, busy or idle (CONN_MAX_AGE keeps them).
            cursor.execute("""
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM (
                    SELECT pid FROM pg_stat_activity
                    WHERE datname = %s AND pid <> pg_backend_pid()
                      AND backend_type = 'client backend'
                    ORDER BY random() LIMIT 1) AS chosen""", [stack.database])
            log.append(cursor.fetchone()[0])


def with_chaos(chaos, run) -> list:
    stop, log = threading.Event(), []
    thread = threading.Thread(target=chaos, args=(stop, log), daemon=True)
    thread.start()
    try:
        run()
    finally:
        stop.set()
        thread.join(10)
    return log


def saves_phase(stack: Stack, port: int, count: int, seed: int, chaos=None) -> dict:
    rng = random.Random(seed)
    targets = targets_free(stack, count, rng)
    tally = Tally()

    # Logged in before the faults start, as people already at work.
    browsers = []
    for _ in range(3):
        browsers.append(Browser(f"http://127.0.0.1:{port}"))
        browsers[-1].login(f"{ORG}-direction")

    def run() -> None:
        def counsellor(browser: Browser, share: list) -> None:
            for target in share:
                save_one(browser, target, tally, random.Random(hash(target)))

        threads = [threading.Thread(target=counsellor, args=(browsers[i], targets[i::3]))
                   for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    if chaos is None:
        run()
        faults = 0
    else:
        faults = sum(with_chaos(chaos, run))
    return {"attempted": tally.attempted, "acknowledged": tally.acknowledged,
            **saves_verify(stack, tally), "500s": tally.http_500, "dropped": tally.dropped,
            "503": tally.retry_pages, "other": tally.other_errors, "faults": faults}


def pages_phase(port: int) -> dict:
    """Dashboards and the PDF as a director: their statuses."""
    browser = Browser(f"http://127.0.0.1:{port}")
    browser.login(f"{ORG}-direction")
    statuses = []
    status, page = browser.request(f"/o/{ORG}/rapports/")
    statuses.append(status)
    for link in sorted(set(re.findall(r'href="(/o/[^"]+/rapports/[0-9a-f-]{36}/)"', page))):
        for suffix in ("", "rapport.pdf"):
            statuses.append(browser.request(link + suffix)[0])
    return {"pages": len(statuses), "ok": statuses.count(200),
            "500s": statuses.count(500), "statuses": sorted(set(statuses))}


# -- Imports --------------------------------------------------------------------------------


def export_current(stack: Stack, path: Path, *, env: dict) -> list[list[str]]:
    subprocess.run([PYTHON, "manage.py", "export_responses", "--organisation", ORG,
                    "--questionnaire", "demo", "-o", str(path)], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))


def import_file_changed(rows: list[list[str]], path: Path, rng: random.Random) -> dict:
    """Every answer of every response changed to another code of its column; the cells."""
    header, body = rows[0], rows[1:]
    codes: dict[int, list[str]] = {}
    for row in body:
        for index in range(3, len(header)):
            if row[index]:
                codes.setdefault(index, [])
                if row[index] not in codes[index]:
                    codes[index].append(row[index])
    new_cells = {}
    for row in body:
        for index in range(3, len(header)):
            if row[index] and len(codes[index]) > 1:
                row[index] = rng.choice([c for c in codes[index] if c != row[index]])
            new_cells[(row[0], row[1], header[index])] = row[index]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(header)
        writer.writerows(body)
    return new_cells


def import_state(stack: Stack, old: dict, new: dict) -> str:
    """"old", "new" or "partial": what the database holds for the file's cells."""
    with stack.connect() as connection, connection.cursor() as cursor:
        cursor.execute("""
            SELECT b.code, w.number::text, i.code, c.code
            FROM questionnaires_answer a
            JOIN questionnaires_response r ON r.id = a.response_id
            JOIN beneficiaries_beneficiary b ON b.id = r.beneficiary_id
            JOIN questionnaires_wave w ON w.id = r.wave_id
            JOIN questionnaires_item i ON i.id = a.item_id
            JOIN questionnaires_choice c ON c.id = a.choice_id
            JOIN questionnaires_questionnaire q ON q.id = r.questionnaire_id
            WHERE q.code = 'demo'""")
        stored = {(code, wave, item): choice for code, wave, item, choice in cursor.fetchall()}
    current = {key: stored.get(key, "") for key in new}
    if current == new:
        return "new"
    if current == {key: old.get(key, "") for key in new}:
        return "old"
    return "partial"


# A backend inside the import's transaction once it has started writing: a write running, or
# its transaction waiting between two writes.
WRITING = """
    SELECT pid FROM pg_stat_activity
    WHERE datname = %s AND pid <> pg_backend_pid()
      AND state IN ('active', 'idle in transaction')
      AND (query ILIKE 'COPY %%' OR query ILIKE 'UPDATE %%' OR query ILIKE 'DELETE %%'
           OR query ILIKE 'INSERT %%' OR query ILIKE 'SELECT MAX(%%')
    LIMIT 1"""


def import_run(stack: Stack, path: Path, env: dict, *, fault: str | None,
               delay: float = 0.0) -> tuple[str, str]:
    """Run import_responses --update; with ``fault``, strike once it is writing (``delay``
    seconds after its first write is seen): "kill" the process (SIGKILL) or "terminate" its
    database connection. Returns (outcome, output)."""
    process = subprocess.Popen(
        [PYTHON, "manage.py", "import_responses", str(path), "--organisation", ORG,
         "--questionnaire", "demo", "--update"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    struck = False
    if fault is not None:
        with stack.connect() as connection, connection.cursor() as cursor:
            while process.poll() is None and not struck:
                cursor.execute(WRITING, [stack.database])
                found = cursor.fetchone()
                if found is None:
                    time.sleep(0.005)
                    continue
                time.sleep(delay)
                if fault == "kill":
                    process.send_signal(signal.SIGKILL)
                else:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [found[0]])
                struck = True
    output = process.communicate()[0]
    if struck and fault == "kill":
        return "killed", ""
    outcome = "written" if process.returncode == 0 else "refused"
    return (f"{outcome} (connection terminated)" if struck else outcome), output


def imports_phase(stack: Stack, workdir: Path, seed: int, *, env: dict, mode: str) -> dict:
    rng = random.Random(seed)
    rows = export_current(stack, workdir / f"export-{seed}.csv", env=env)
    header = rows[0]
    old = {(row[0], row[1], header[i]): row[i] for row in rows[1:]
           for i in range(3, len(header))}
    path = workdir / f"update-{seed}.csv"
    new = import_file_changed(rows, path, rng)
    outcomes, states, messages = [], [], []
    faults = ["kill", "kill", "kill"] if mode == "kill" else (
        ["terminate", "terminate", "terminate"] if mode == "terminate" else [])
    for fault in [*faults, None]:
        outcome, output = import_run(stack, path, env, fault=fault,
                                     delay=rng.uniform(0.0, 0.5))
        outcomes.append(outcome)
        states.append(import_state(stack, old, new))
        if outcome.startswith("refused") and output.strip():
            messages.append(output.strip().splitlines()[-1])
        if states[-1] == "new":
            break
    return {"attempts": len(outcomes), "outcomes": outcomes, "states": states,
            "partial": states.count("partial"), "final": states[-1],
            "messages": sorted(set(messages)), "rows": len(rows) - 1}


# -- Main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=30, help="Saves per phase.")
    parser.add_argument("--people", type=int, default=1500,
                        help="Demo people seeded (their responses are what the imports replace).")
    parser.add_argument("--conn-max-age", type=int, default=60,
                        help="CONN_MAX_AGE of the web workers (60: persistent connections, as in "
                             "production).")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--pg", default=os.environ.get("FAULTS_PG",
                                                       "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="vises_faults_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vises-faults-") as tmp:
        stack = Stack(pg=args.pg, database=args.database, redis=args.redis, workdir=Path(tmp),
                      conn_max_age=args.conn_max_age)
        print("… preparing the database and the demo data", file=sys.stderr, flush=True)
        stack.prepare(args.people)
        redis_down = f"redis://127.0.0.1:{closed_port()}/7"
        results = {}
        try:
            server = stack.serve(args.port)
            print("… saves while workers are killed", file=sys.stderr, flush=True)
            results["saves, workers killed"] = saves_phase(
                stack, args.port, args.saves, 1,
                chaos=lambda stop, log: kill_workers(server.pid, stop, 1.0, log))
            print("… saves while connections are terminated", file=sys.stderr, flush=True)
            results["saves, connections terminated"] = saves_phase(
                stack, args.port, args.saves, 2,
                chaos=lambda stop, log: terminate_connections(stack, stop, 0.5, log))
            down_port = args.port + 1
            stack.serve(down_port, redis=redis_down)
            print("… saves with Redis down", file=sys.stderr, flush=True)
            results["saves, Redis down"] = saves_phase(stack, down_port, args.saves, 3)
            pages = pages_phase(down_port)
            print("… imports killed, terminated, with Redis down", file=sys.stderr, flush=True)
            imports = {
                "import --update, killed": imports_phase(
                    stack, Path(tmp), 4, env=stack.env(), mode="kill"),
                "import --update, connection terminated": imports_phase(
                    stack, Path(tmp), 5, env=stack.env(), mode="terminate"),
                "import --update, Redis down": imports_phase(
                    stack, Path(tmp), 6, env=stack.env(redis=redis_down), mode="none"),
            }
        finally:
            stack.stop()

    print("| phase | faults | saves attempted | acknowledged | written | lost | not saved, told "
          "so | duplicated | half-written | 500s | dropped connections | 503 “send again” "
          "| other errors |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, row in results.items():
        print(f"| {name} | {row['faults']} | {row['attempted']} | {row['acknowledged']} "
              f"| {row['written']} | {row['lost']} | {row['not_saved']} | {row['duplicated']} "
              f"| {row['half']} | {row['500s']} | {row['dropped']} | {row['503']} "
              f"| {row['other']} |")
    total = {key: sum(row[key] for row in results.values())
             for key in ("attempted", "acknowledged", "written", "lost", "not_saved",
                         "duplicated", "half", "500s")}
    print(f"| **total** | | {total['attempted']} | {total['acknowledged']} | {total['written']} "
          f"| {total['lost']} | {total['not_saved']} | {total['duplicated']} | {total['half']} "
          f"| {total['500s']} | | | |")
    print(f"\nRedis down: {pages['pages']} dashboard and PDF requests, {pages['ok']} answered "
          f"200, {pages['500s']} answered 500 (statuses {pages['statuses']}).")
    print("\n| import | rows | attempts | outcomes | database after each | partial | final |")
    print("|---|---|---|---|---|---|---|")
    for name, row in imports.items():
        print(f"| {name} | {row['rows']} | {row['attempts']} | {', '.join(row['outcomes'])} "
              f"| {', '.join(row['states'])} | {row['partial']} | {row['final']} |")
    for name, row in imports.items():
        for message in row["messages"]:
            print(f"\n{name}, refusal shown: {message}")


if __name__ == "__main__":
    main()
