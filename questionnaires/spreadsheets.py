"""Checks on an uploaded spreadsheet made before any spreadsheet library opens it.

python-calamine loads a whole sheet into a dense grid (about 100 bytes per cell): a 650 KB
.xlsx holding 20,000 × 1,000 cells took 15 to 23 s and 2 GB of memory, and one cell at
column XFD of row 100,000 asks for 1.6 billion. What the archive unpacks to, and the extent
of its sheets' cells, are therefore measured first from the zip's central directory and a
streamed pass over the sheets' XML (bounded by the sizes the directory declares, which
Python's zipfile enforces).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CHUNK = 1 << 20
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
# Literal prefixes first (what every common writer produces, searched fast), then the general
# forms (other attribute orders, namespace prefixes), used only when the first miss cells.
_WIDE_COLUMN_FAST = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')
_WIDE_COLUMN = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{2,3})[0-9]')
_ROW_NUMBER_FAST = re.compile(rb'<row r="([0-9]{1,9})"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]{1,9})"')
_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s[^>]*?\bref="[A-Z]{1,3}[0-9]+:([A-Z]{1,3})([0-9]{1,9})"')
MAX_ROW_BYTES = 8 << 20  # one row's XML; a real row of 200 answers is a few KB


class SpreadsheetRefused(Exception):
    """The workbook is not read; ``message`` says why and what to do, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SpreadsheetTooLarge(SpreadsheetRefused):
    """The workbook would take too much time or memory to open."""


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)


def _other_format() -> str:
    return _("Only Excel .xlsx workbooks and CSV files are read, not older Excel (.xls) or "
             "OpenDocument (.ods) files. Save the file as .xlsx or as CSV and upload it again.")


@dataclass
class SheetExtent:
    cells: int = 0  # cell elements written in the sheet
    highest_row: int = 0  # highest row number written (or in <dimension>)
    rows_seen: int = 0  # rows written, numbered or not
    columns: int = 0  # highest column referenced, or most cells in one row

    @property
    def grid(self) -> int:
        """Cells of the rectangle a reader allocates, empty ones included."""
        return max(self.cells, max(self.highest_row, self.rows_seen) * self.columns)


def column_number(letters: bytes | str) -> int:
    """A1-style column letters as a number: A → 1, Z → 26, AA → 27, XFD → 16384."""
    number = 0
    for letter in letters if isinstance(letters, str) else letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def _rows_add(body: bytes, extent: SheetExtent) -> None:
    """Add whole rows of sheet XML to ``extent``.

    Fast path for what Excel, LibreOffice and the usual libraries write (``<row r="7"``,
    ``<c r="B7"``): byte counts, and searches for literal prefixes that match only row numbers
    and columns beyond Z. Other spellings take the general expressions; cells without a
    reference are placed one after the other, so only then is the widest row counted.
    """
    # "<c" also counts <cols> and <conditionalFormatting> around the rows: those few chunks
    # then take the general path, which is exact.
    plain = body.count(b"<c")
    rows = body.count(b'<row r="')
    regular = plain and body.count(b'<c r="') == plain and body.count(b"<row") == rows
    cells = plain if regular else len(_CELL.findall(body))
    if not cells:
        return
    extent.cells += cells
    extent.rows_seen += rows if regular else len(_ROW_END.findall(body))
    numbers = set((_ROW_NUMBER_FAST if regular else _ROW_NUMBER).findall(body))
    if numbers:
        extent.highest_row = max(extent.highest_row, *(int(n) for n in numbers))
    letters = set((_WIDE_COLUMN_FAST if regular else _WIDE_COLUMN).findall(body))
    # Single-letter columns are at most Z: 26 bounds them without reading each reference.
    extent.columns = max(extent.columns, 26, *(column_number(x) for x in letters))
    if not regular:
        widest = max(len(_CELL.findall(row)) for row in _ROW_END.split(body))
        extent.columns = max(extent.columns, widest)


def _last_row_end(text: bytes) -> int | None:
    """Where the last complete row of ``text`` ends, None when no row ends in it."""
    position = text.rfind(b"row>")
    while position > 0:
        start = text.rfind(b"<", 0, position)
        if start != -1 and _ROW_END.fullmatch(text, start, position + 4):
            return position + 4
        position = text.rfind(b"row>", 0, position)
    return None


def _sheet_extent(archive: zipfile.ZipFile, name: str, *, max_columns: int,
                  max_cells: int) -> SheetExtent:
    """The extent of one sheet, read as a stream; stops as soon as a limit is passed."""
    extent = SheetExtent()
    pending = b""
    first = True
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            text = pending + chunk
            if first:
                first = False
                dimension = _DIMENSION.search(text)
                if dimension is not None:
                    extent.highest_row = int(dimension.group(2))
                    extent.columns = column_number(dimension.group(1))
            cut = _last_row_end(text)
            if cut is None:
                if len(text) > MAX_ROW_BYTES:
                    raise SpreadsheetTooLarge(_row_too_long())
                pending = text
                continue
            _rows_add(text[:cut], extent)
            pending = text[cut:]
            if extent.columns > max_columns or extent.grid > max_cells:
                return extent
    _rows_add(pending, extent)
    return extent


def _row_too_long() -> str:
    return _("A row of this spreadsheet is too long to be a row of responses. Save the "
             "responses sheet as CSV and upload that file.")


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def workbook_size_check(data: bytes) -> None:
    """Refuse, before it is opened, a workbook that is not .xlsx or is too large to read.

    Raises SpreadsheetRefused (SpreadsheetTooLarge) with a message saying the limit and what
    to do; raises
    zipfile.BadZipFile for a damaged archive or one whose content does not match its
    directory.
    """
    # .xls and .ods cannot be measured as cheaply, and a few hundred bytes of either can
    # ask a reader for gigabytes (an .ods cell "repeated" 1,000 × 20,000 times took 1.2 GB):
    # only .xlsx is accepted, as formats.md §2 says.
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetRefused(_other_format())
    max_unpacked = settings.XLSX_MAX_UNPACKED_BYTES
    max_cells = settings.XLSX_MAX_CELLS
    max_columns = settings.IMPORT_MAX_COLUMNS
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if "xl/workbook.xml" not in {m.filename for m in members}:
            raise SpreadsheetRefused(_other_format())
        unpacked = sum(member.file_size for member in members)
        if unpacked > max_unpacked:
            raise SpreadsheetTooLarge(
                _("This spreadsheet unpacks to %(size)s (at most %(max)s are read). Keep only "
                  "the responses sheet, without formatting, or save it as CSV.")
                % {"size": filesizeformat(unpacked), "max": filesizeformat(max_unpacked)})
        sheets = [m.filename for m in members
                  if re.fullmatch(r"xl/worksheets/[^/]+\.xml", m.filename)]
        for name in sheets:
            extent = _sheet_extent(archive, name, max_columns=max_columns,
                                   max_cells=max_cells)
            if extent.columns > max_columns:
                raise SpreadsheetTooLarge(
                    _("A sheet of this spreadsheet uses %(columns)s columns; at most "
                      "%(max)s are read (the responses file has one column per item). Delete "
                      "the columns beyond the last item, or save the sheet as CSV.")
                    % {"columns": _number(extent.columns), "max": _number(max_columns)})
            size = extent.grid
            if size > max_cells:
                raise SpreadsheetTooLarge(
                    _("A sheet of this spreadsheet spans %(cells)s cells; at most %(max)s are "
                      "read. Split it into smaller files, or save it as CSV.")
                    % {"cells": _number(size), "max": _number(max_cells)})
