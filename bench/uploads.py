"""Benchmark: checking and writing a 10,000-row responses upload, CSV and XLSX, both databases.

    python -m bench.uploads [--backends sqlite postgresql] [--rows 10000] [--formats CSV]
                            [--database vises_bench_uploads]

Prints a markdown table. Times are measured inside one process per database (Python and
Django start-up excluded): reading the file, checking it (the preview), writing it (the
confirmation), importing it again with ``--update`` (the same file, then every answer
changed), and the two browser requests end to end through Django's test client (upload →
preview page; confirm → import and redirect).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fresh_database, markdown_table

ROOT = Path(__file__).resolve().parent.parent


def workbook_from_csv(text: str) -> bytes:
    """The same table as an .xlsx: waves as numbers, everything else as text."""
    import xlsxwriter

    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("Réponses")
    for row, line in enumerate(text.splitlines()):
        for column, cell in enumerate(line.split(";")):
            if row and column == 1:
                sheet.write_number(row, column, int(cell))
            elif cell:
                sheet.write_string(row, column, cell)
    book.close()
    return stream.getvalue()


def every_answer_changed(table, questionnaire):
    """The same people and waves, another date, and every answer another choice (an empty
    cell answered, an answer emptied now and then): the most a replacing file can change."""
    from questionnaires.tables import Table

    codes = {item.code: [c.code for c in item.scale.choices.all()]
             for item in questionnaire.items.select_related("scale")}
    columns = [codes.get(name) for name in table.header]
    rows = []
    for line, cells in table.rows:
        new = list(cells)
        new[2] = "2024-02-01" if cells[1] == "1" else "2024-05-02"
        for index, choices in enumerate(columns):
            if choices is None:
                continue
            if not cells[index]:
                new[index] = choices[0]
            elif (line + index) % 50 == 0:
                new[index] = ""
            else:
                new[index] = choices[(choices.index(cells[index]) + 1) % len(choices)]
        rows.append((line, new))
    return Table(header=table.header, rows=rows)


def measure(rows: int, formats: list[str]) -> list[dict]:
    """Runs inside a process whose DATABASE_URL names an empty database."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from bench.__main__ import DEFINITION, import_csv
    from organisations.models import Membership, Organisation, Role
    from questionnaires.definitions import definition_parse
    from questionnaires.imports import responses_check, responses_import
    from questionnaires.services import questionnaire_load
    from questionnaires.tables import table_read_upload
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    definition = definition_parse(json.loads(DEFINITION.read_text(encoding="utf-8")))
    with tempfile.TemporaryDirectory(prefix="vises-bench-uploads-") as tmp:
        path = Path(tmp) / "import.csv"
        import bench.__main__ as main_bench

        main_bench.IMPORT_ROWS = rows
        import_csv(path)
        csv_data = path.read_bytes()
    files = {"CSV": csv_data}
    if "XLSX" in formats:
        files["XLSX"] = workbook_from_csv(csv_data.decode())
    if "CSV" not in formats:
        del files["CSV"]
    user = UserFactory(username="bench-manager")
    results = []
    for name, data in files.items():
        row: dict = {"format": name, "rows": rows, "size_mb": len(data) / 1e6}
        organisation = Organisation.objects.create(slug=f"direct-{name.lower()}", name=name)
        questionnaire, _ = questionnaire_load(organisation=organisation, definition=definition)
        started = time.perf_counter()
        table = table_read_upload(data)
        row["read_s"] = time.perf_counter() - started
        started = time.perf_counter()
        plan = responses_check(questionnaire=questionnaire, table=table, update=False)
        row["check_s"] = time.perf_counter() - started
        started = time.perf_counter()
        result = responses_import(questionnaire=questionnaire, table=table)
        row["import_s"] = time.perf_counter() - started
        row["answers"] = result.answers_written
        assert result.responses_created == plan.created == rows
        started = time.perf_counter()
        result = responses_import(questionnaire=questionnaire, table=table, update=True)
        row["replace_same_s"] = time.perf_counter() - started
        assert result.responses_unchanged == rows
        changed = every_answer_changed(table, questionnaire)
        started = time.perf_counter()
        result = responses_import(questionnaire=questionnaire, table=changed, update=True)
        row["replace_s"] = time.perf_counter() - started
        assert result.responses_updated == rows

        organisation = Organisation.objects.create(slug=f"browser-{name.lower()}", name=name)
        questionnaire, _ = questionnaire_load(organisation=organisation, definition=definition)
        Membership.objects.create(user=user, organisation=organisation, role=Role.MANAGER)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        upload_url = reverse("questionnaires:upload",
                             args=[organisation.slug, questionnaire.public_id])
        upload = io.BytesIO(data)
        upload.name = f"reponses.{name.lower()}"
        started = time.perf_counter()
        response = client.post(upload_url, {"file": upload})
        row["preview_request_s"] = time.perf_counter() - started
        found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
        assert found, response.content.decode()[:2000]
        token = found.group(1)
        started = time.perf_counter()
        response = client.post(upload_url + "confirmer/", {"token": token, "action": "confirm"})
        row["confirm_request_s"] = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        assert questionnaire.responses.count() == rows
        results.append(row)
    return results


COLUMNS = [
    ("backend", "database", "{}"), ("format", "file", "{}"), ("rows", "rows", "{:,}"),
    ("answers", "answers", "{:,}"), ("size_mb", "file MB", "{:.1f}"),
    ("read_s", "read s", "{:.2f}"), ("check_s", "check s", "{:.2f}"),
    ("import_s", "check + write s", "{:.2f}"),
    ("replace_same_s", "--update, same file s", "{:.2f}"),
    ("replace_s", "--update, every answer changed s", "{:.2f}"),
    ("preview_request_s", "upload → preview page s", "{:.2f}"),
    ("confirm_request_s", "confirm → written s", "{:.2f}"),
]


def table(rows: list[dict]) -> str:
    return markdown_table(rows, COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--formats", nargs="+", default=["CSV", "XLSX"], choices=["CSV", "XLSX"])
    parser.add_argument("--database", default="vises_bench_uploads",
                        help="Name of the scratch database (dropped and created again).")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.rows, args.formats)))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="vises-bench-uploads-") as tmp:
        for backend in args.backends:
            print(f"… {backend}", file=sys.stderr, flush=True)
            database = fresh_database(backend=backend, workdir=Path(tmp),
                                      name=args.database)
            env = {**os.environ, "DATABASE_URL": database,
                   "DEBUG": "on", "DJANGO_SETTINGS_MODULE": "vises.settings",
                   "UPLOAD_PENDING_DIR": str(Path(tmp) / "pending")}
            output = subprocess.run(
                [sys.executable, "-m", "bench.uploads", "--child", "--rows", str(args.rows),
                 "--formats", *args.formats],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
            for row in json.loads(output.strip().splitlines()[-1]):
                rows.append({"backend": backend, **row})
    print(table(rows))
    print("\nread: the file into a table (python-calamine for .xlsx); check: every row, as the "
          "preview does; check + write: responses_import, as the confirmation does (it checks "
          "the file again); --update: the same file imported again with update=True (nothing "
          "changes), then a file with every response's date and answers changed. The last "
          "two columns are the browser's two requests through Django's test client, file "
          "upload and session included. One run each, in one "
          "process per database.")


if __name__ == "__main__":
    main()
