"""Benchmark: reading a hostile .xlsx (a small file that unpacks to millions of cells).

    python -m bench.hostile_xlsx [--rows 20000] [--columns 1000]

Builds a workbook of ROWS × COLUMNS numeric cells written straight as sheet XML (it deflates
to a few hundred KB), then times `table_read_upload` on it in a fresh process and prints
the file size, the wall time, the peak memory (max RSS) and the outcome (refused or read).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

from bench.common import PYTHON, ROOT

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def workbook_with_rows(rows: Iterable[bytes], *, dimension: str | None = None) -> bytes:
    """An .xlsx of one sheet whose <sheetData> holds ``rows`` (XML) as given."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main">')
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for row in rows:
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return stream.getvalue()


def hostile_workbook(*, rows: int, columns: int, dimension: bool = True) -> bytes:
    """ROWS × COLUMNS cells holding 1, with (or without) a <dimension> telling their extent."""
    row_cells = b"<c><v>1</v></c>" * columns
    return workbook_with_rows(
        (b'<row r="%d">' % row + row_cells + b"</row>" for row in range(1, rows + 1)),
        dimension=f"A1:{column_name(columns - 1)}{rows}" if dimension else None)


def measure(path: str) -> dict:
    """Runs in a fresh process: read the file as an upload, report time and outcome."""
    import django

    django.setup()
    from questionnaires.tables import ImportRefused, table_read_upload

    data = Path(path).read_bytes()
    started = time.perf_counter()
    try:
        table = table_read_upload(data)
        outcome = f"read: {len(table.rows)} rows × {len(table.header)} columns"
    except ImportRefused as refusal:
        outcome = "refused: " + refusal.problems[0].message[:90]
    return {"seconds": time.perf_counter() - started, "outcome": outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--columns", type=int, default=1_000)
    parser.add_argument("--no-dimension", action="store_true",
                        help="leave out the <dimension> element (a lying or missing extent)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure)))
        return
    data = hostile_workbook(rows=options.rows, columns=options.columns,
                            dimension=not options.no_dimension)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(data)
        file.flush()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vises.settings"}
        process = subprocess.Popen([PYTHON, "-m", "bench.hostile_xlsx", "--measure", file.name],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        output = process.stdout.read()
        _, _status, usage = os.wait4(process.pid, 0)
    result = json.loads(output.strip().splitlines()[-1])
    print(f"| file | cells | read in | peak memory (process) | outcome |\n|---|---|---|---|---|\n"
          f"| {len(data) / 1024:.0f} KB | {options.rows:,} × {options.columns:,} | "
          f"{result['seconds']:.2f} s | {usage.ru_maxrss / 1024:.0f} MB | {result['outcome']} |")


if __name__ == "__main__":
    sys.exit(main())
