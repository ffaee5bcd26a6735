"""Reading a responses file into a ``Table`` (header + numbered rows), whatever its format.

CSV (UTF-8, ``;`` or ``,``) and spreadsheets (.xlsx) read the same way; every problem is a
``Problem`` (line, column, message) and a refused file raises ``ImportRefused``. Cells a
spreadsheet would run as formulas are neutralised on export and restored on reading.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from questionnaires.spreadsheets import SpreadsheetRefused, workbook_size_check

FIXED_COLUMNS = ("beneficiary", "wave", "answered_on")


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_neutralise(value: str) -> str:
    """Make a cell inert in Excel/LibreOffice by prefixing a quote when it could be a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def cell_restore(value: str) -> str:
    """Undo ``cell_neutralise`` on a cell read back, so that an export re-imports as it was."""
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, where it is and what was expected."""

    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.line is not None and self.column:
            return _("Line %(line)d, column “%(column)s”: %(message)s") % {
                "line": self.line, "column": self.column, "message": self.message}
        if self.line is not None:
            return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


class ImportRefused(Exception):
    """Nothing was written; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    def command_error(self) -> CommandError:
        """What a command prints when it refuses a file: the count, then every problem."""
        return CommandError(
            _("Nothing was imported: %(count)d problem(s) found.") % {"count": len(self.problems)}
            + "\n" + "\n".join(str(problem) for problem in self.problems))


@dataclass
class Table:
    """A file's header and its non-empty rows, each with the line it starts on."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def too_many_columns(count: int, *, line: int) -> Problem:
    return Problem(
        _("the file has %(count)s columns; at most %(max)s are read (3 columns and one per "
          "item). Delete the columns beyond the last item.")
        % {"count": count, "max": settings.IMPORT_MAX_COLUMNS}, line=line)


def table_read_csv(data: bytes) -> Table:
    """Decode a CSV file: UTF-8 with or without BOM, ``;`` or ``,`` detected from the header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRefused([Problem(
            _("the file is not encoded in UTF-8. Save it as “CSV UTF-8” and try again."),
            line=line,
        )]) from None
    if "\x00" in text:
        raise ImportRefused([Problem(_("This is not a CSV file (it holds binary data)."))])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    max_columns = settings.IMPORT_MAX_COLUMNS
    if first_line.count(delimiter) >= max_columns:
        # Refused before parsing: a 20 MB line of ";" is 20 million columns (half a GB).
        raise ImportRefused([too_many_columns(first_line.count(delimiter) + 1, line=1)])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1
    max_rows = settings.IMPORT_MAX_ROWS
    try:
        for cells in reader:
            if len(cells) > max_columns:
                raise ImportRefused([too_many_columns(len(cells), line=reader.line_num)])
            if header is None:
                header = [cell.strip() for cell in cells]
            elif any(cell.strip() for cell in cells):
                rows.append((start, cells))
                if len(rows) > max_rows:
                    raise ImportRefused([Problem(
                        _("the file has more than %(max)d rows; split it into smaller files.")
                        % {"max": max_rows}
                    )])
            start = reader.line_num + 1
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportRefused([Problem(
                _("a cell holds more than %(max)d characters.") % {"max": csv.field_size_limit()},
                line=reader.line_num,
            )]) from None
        raise ImportRefused([Problem(
            _("the file cannot be read as CSV (%(error)s).") % {"error": error},
            line=reader.line_num,
        )]) from None
    if not header or not any(header):
        raise ImportRefused([Problem(_("The file is empty."))])
    return Table(header=header, rows=rows)


def date_parse(value: str) -> dt.date | None:
    """A cell's date, ISO or day/month/year as typed in Belgium and France; None if neither."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None



def table_write_csv(rows: Iterable[list[str]], stream: io.TextIOBase) -> int:
    """Write a header and rows to a text stream as the files are read back: ``;``, a BOM so
    that Excel reads UTF-8, CRLF. Returns the number of rows after the header."""
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    count = -1
    for row in rows:
        writer.writerow(row)
        count += 1
    return count

# Spreadsheets uploaded in the browser (formats.md §2 also accepts .xlsx with the same columns).

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx and .ods are zip archives
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)
# Files that are surely not spreadsheets, recognised by their first bytes.
OTHER_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def _xlsx_cell(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold: 2 rather than 2.0, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta | dt.time):
        return str(value)
    return str(value)


def table_read_xlsx(data: bytes) -> Table:
    """Read the first sheet of an .xlsx workbook with python-calamine, once measured."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook_size_check(data)  # before calamine builds its grid of every cell
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = next(
            (workbook.get_sheet_by_name(meta.name) for meta in workbook.sheets_metadata
             if meta.visible == SheetVisibleEnum.Visible
             and meta.typ == SheetTypeEnum.WorkSheet),
            None,
        )
        rows_iter = iter(sheet.iter_rows()) if sheet is not None else iter(())
    except SpreadsheetRefused as refusal:
        raise ImportRefused([Problem(refusal.message)]) from None
    except Exception:  # calamine raises several kinds of errors for a damaged or foreign file
        raise ImportRefused([Problem(_(
            "This file cannot be read as a spreadsheet. Upload a CSV file (UTF-8, “;” or “,” "
            "separated) or an Excel .xlsx file."))]) from None
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    max_rows = settings.IMPORT_MAX_ROWS
    for line, raw in enumerate(rows_iter, start=1):
        cells = [_xlsx_cell(value) for value in raw]
        if header is None:
            if not any(cell.strip() for cell in cells):
                continue
            header = [cell.strip() for cell in cells]
            width = len(header)
            while width and not header[width - 1]:
                width -= 1  # trailing empty columns of the sheet's used range
            header = header[:width]
            continue
        if any(cell.strip() for cell in cells[width:]):
            rows.append((line, cells))  # a value beyond the header: reported by the check
        elif any(cell.strip() for cell in cells):
            rows.append((line, (cells + [""] * width)[:width]))
        if len(rows) > max_rows:
            raise ImportRefused([Problem(
                _("the file has more than %(max)d rows; split it into smaller files.")
                % {"max": max_rows}
            )])
    if not header:
        raise ImportRefused([Problem(_("The file is empty."))])
    return Table(header=header, rows=rows)


def table_read_upload(data: bytes, *, max_bytes: int | None = None) -> Table:
    """Read an uploaded responses file, CSV or spreadsheet, recognised by its content.

    Refuses, with a message saying what to do, a file that is too large, that is not a
    spreadsheet (a PDF, an image…), or a CSV that is not UTF-8.
    """
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if len(data) > max_bytes:
        raise ImportRefused([Problem(
            _("The file is too large (%(size)s; at most %(max)s). Split it into smaller files.")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(max_bytes)}
        )])
    if not data.strip():
        raise ImportRefused([Problem(_("The file is empty."))])
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return table_read_xlsx(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused([Problem(_(
            "The file is encoded in UTF-16 (“Unicode text”), not UTF-8. Save it as "
            "“CSV UTF-8” and try again."))])
    if data.startswith(OTHER_MAGICS) or b"\x00" in data[:4096]:
        raise ImportRefused([Problem(_(
            "This file is not a spreadsheet. Upload a CSV file (UTF-8, “;” or “,” "
            "separated) or an Excel .xlsx file."))])
    return table_read_csv(data)
