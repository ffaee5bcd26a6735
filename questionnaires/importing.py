"""Responses in the "wide" table of formats.md §2: reading, checking, writing, exporting.

Reading turns a file into a ``Table`` (header + numbered rows) whatever its format; checking
turns a table into an ``ImportPlan`` or lists every problem; writing applies a plan in one
transaction. The browser upload shows the plan before it writes; the command writes at once.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import re
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from beneficiaries.models import Beneficiary
from questionnaires.audit import history_bulk_record
from questionnaires.bulk import rows_delete, rows_insert
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response
from questionnaires.signals import responses_changed
from questionnaires.spreadsheets import SpreadsheetRefused, workbook_size_check

logger = logging.getLogger(__name__)

FIXED_COLUMNS = ("beneficiary", "wave", "answered_on")
CODE_MAX_LENGTH = Beneficiary._meta.get_field("code").max_length


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


def _date_parse(value: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class RowPlan:
    line: int
    code: str
    wave_id: int
    answered_on: dt.date
    answers: list[tuple[int, int]]  # (item_id, choice_id)
    response_id: int | None = None  # set when the row replaces an existing response


@dataclass
class ImportPlan:
    """What an import would do, checked and ready to write."""

    new_codes: list[str] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.response_id is None)

    @property
    def updated(self) -> int:
        return sum(1 for row in self.rows if row.response_id is not None)

    @property
    def answers(self) -> int:
        return sum(len(row.answers) for row in self.rows)


@dataclass(frozen=True)
class ImportResult:
    beneficiaries_created: int
    responses_created: int
    responses_updated: int  # replaced responses that changed (date or answers)
    answers_written: int  # answers inserted or changed
    responses_unchanged: int = 0  # replaced responses identical to the file's rows


def _header_check(
    header: list[str], items: dict[str, Item]
) -> tuple[list[Problem], dict[int, Item]]:
    problems = []
    lowered = [name.lower() for name in header]
    for name in FIXED_COLUMNS:
        if name not in lowered:
            problems.append(Problem(
                _("the column “%(name)s” is missing (expected: beneficiary, wave, answered_on, "
                  "then item codes).") % {"name": name}, line=1))
    item_columns = {}
    for position, name in enumerate(header):
        if lowered[position] in FIXED_COLUMNS:
            continue
        if name in items:
            item_columns[position] = items[name]
        else:
            problems.append(Problem(
                _("unknown column: it is neither beneficiary, wave, answered_on nor an item "
                  "code of this questionnaire."), line=1, column=name or f"#{position + 1}"))
    for name, count in Counter(lowered).items():
        if count > 1 and name:
            problems.append(Problem(_("this column appears %(count)d times.") % {"count": count},
                                    line=1, column=name))
    return problems, item_columns


def responses_check(*, questionnaire: Questionnaire, table: Table, update: bool) -> ImportPlan:
    """Check every row of ``table``; return the plan, or raise ImportRefused listing them all."""
    items = {item.code: item for item in questionnaire.items.all()}
    waves = {wave.number: wave for wave in questionnaire.waves.all()}
    choices_by_scale: dict[int, dict[str, int]] = defaultdict(dict)
    for choice in Choice.objects.filter(scale__questionnaire=questionnaire):
        choices_by_scale[choice.scale_id][choice.code] = choice.id

    # Cells are compared stripped, and as they were before an export neutralised them.
    table = Table(
        header=[cell_restore(name) for name in table.header],
        rows=[(line, [cell_restore(cell) for cell in cells]) for line, cells in table.rows],
    )
    problems, item_columns = _header_check(table.header, items)
    if problems:
        raise ImportRefused(problems)
    position = {name.lower(): i for i, name in enumerate(table.header)}
    code_at, wave_at, date_at = (position[name] for name in FIXED_COLUMNS)
    today = timezone.localdate()
    width = len(table.header)

    plan = ImportPlan()
    seen: dict[tuple[str, int], int] = {}
    for line, cells in table.rows:
        if len(cells) != width:
            problems.append(Problem(
                _("%(found)d cells where the header has %(expected)d columns.")
                % {"found": len(cells), "expected": width}, line=line))
            continue
        code = cells[code_at].strip()
        if not code:
            problems.append(Problem(_("the beneficiary code is empty."), line=line,
                                    column=table.header[code_at]))
        elif len(code) > CODE_MAX_LENGTH:
            problems.append(Problem(
                _("the beneficiary code is longer than %(max)d characters.")
                % {"max": CODE_MAX_LENGTH}, line=line, column=table.header[code_at]))
        raw_wave = cells[wave_at].strip()
        wave = waves.get(int(raw_wave)) if raw_wave.isdigit() else None
        if wave is None:
            problems.append(Problem(
                _("“%(value)s” is not a wave of this questionnaire (expected: %(waves)s).")
                % {"value": raw_wave, "waves": ", ".join(str(n) for n in waves)},
                line=line, column=table.header[wave_at]))
        raw_date = cells[date_at].strip()
        answered_on = _date_parse(raw_date)
        if answered_on is None:
            problems.append(Problem(
                _("“%(value)s” is not a date (expected YYYY-MM-DD or DD/MM/YYYY).")
                % {"value": raw_date}, line=line, column=table.header[date_at]))
        elif answered_on > today:
            problems.append(Problem(
                _("the date %(value)s is in the future.") % {"value": raw_date},
                line=line, column=table.header[date_at]))
        answers = []
        for column, item in item_columns.items():
            value = cells[column].strip()
            if not value:
                continue
            choice_id = choices_by_scale[item.scale_id].get(value)
            if choice_id is None:
                problems.append(Problem(
                    _("“%(value)s” is not a choice of this item (expected: %(codes)s, or empty).")
                    % {"value": value, "codes": ", ".join(choices_by_scale[item.scale_id])},
                    line=line, column=item.code))
            else:
                answers.append((item.id, choice_id))
        if code and wave is not None:
            first = seen.setdefault((code, wave.number), line)
            if first != line:
                problems.append(Problem(
                    _("beneficiary %(code)s already has a row for wave %(wave)d at line %(first)d.")
                    % {"code": code, "wave": wave.number, "first": first}, line=line))
        if wave is not None and answered_on is not None and code:
            plan.rows.append(RowPlan(line=line, code=code, wave_id=wave.id,
                                     answered_on=answered_on, answers=answers))

    existing_codes = dict(
        Beneficiary.objects.filter(
            organisation_id=questionnaire.organisation_id
        ).values_list("code", "id")
    )
    existing_responses = {
        (beneficiary_id, wave_id): response_id
        for response_id, beneficiary_id, wave_id in Response.objects.filter(
            questionnaire=questionnaire
        ).values_list("id", "beneficiary_id", "wave_id")
    }
    wave_numbers = {wave.id: number for number, wave in waves.items()}
    new_codes = {}
    for row in plan.rows:
        beneficiary_id = existing_codes.get(row.code)
        if beneficiary_id is None:
            new_codes.setdefault(row.code, None)
            continue
        response_id = existing_responses.get((beneficiary_id, row.wave_id))
        if response_id is None:
            continue
        if update:
            row.response_id = response_id
        else:
            problems.append(Problem(
                _("beneficiary %(code)s already has a response for wave %(wave)d "
                  "(import with --update to replace it).")
                % {"code": row.code, "wave": wave_numbers[row.wave_id]}, line=row.line))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.line or 0)))
    plan.new_codes = list(new_codes)
    return plan


def _chunks(values: list, size: int = 5000) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


# Every database error of the write (a duplicate saved meanwhile, a deadlock, a lock waited
# for too long, a lost connection) ends the same way: the transaction is rolled back.
WRITE_INTERRUPTED = _noop(
    "The import was interrupted: other users were saving responses for the same people, or "
    "the connection to the database was lost. Nothing was written; import the file again.")

# How long the import waits for a response a counsellor is saving before it gives up
# (PostgreSQL; SQLite serialises writers anyway).
LOCK_TIMEOUT = "20s"


def responses_import(
    *,
    questionnaire: Questionnaire,
    table: Table,
    update: bool = False,
    entered_by: AbstractBaseUser | None = None,
) -> ImportResult:
    """Write every row of ``table`` or none; raises ImportRefused listing each problem."""
    try:
        with transaction.atomic():
            plan = responses_check(questionnaire=questionnaire, table=table, update=update)
            return _plan_write(questionnaire=questionnaire, plan=plan, entered_by=entered_by)
    except DatabaseError as error:
        logger.warning("Import into questionnaire %s rolled back: %s: %s", questionnaire.pk,
                       type(error).__name__, error)
        raise ImportRefused([Problem(_(WRITE_INTERRUPTED))]) from None


def _responses_lock(response_ids: list[int]) -> dict[int, dt.date]:
    """Lock the responses an import replaces, in the order of their ids; their dates.

    A counsellor's save locks its response before its answers (questionnaires/responses.py),
    and two imports lock in the same order: each waits for the other, none deadlocks.
    Refuses the import when one of them was deleted since the check.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    answered_on: dict[int, dt.date] = {}
    for chunk in _chunks(sorted(response_ids)):
        answered_on.update(Response.objects.filter(id__in=chunk).order_by("pk")
                           .select_for_update().values_list("pk", "answered_on"))
    if len(answered_on) != len(response_ids):
        raise ImportRefused([Problem(_(WRITE_INTERRUPTED))])
    return answered_on


def _plan_write(
    *, questionnaire: Questionnaire, plan: ImportPlan, entered_by: AbstractBaseUser | None
) -> ImportResult:
    # Lock before writing anything, so that the import holds no row a saving counsellor
    # needs while it waits for one.
    replaced = [row for row in plan.rows if row.response_id is not None]
    replaced_ids = [row.response_id for row in replaced]
    replaced_dates = _responses_lock(replaced_ids)
    first_dates: dict[str, dt.date] = {}
    for row in plan.rows:
        if row.code in first_dates:
            first_dates[row.code] = min(first_dates[row.code], row.answered_on)
        else:
            first_dates[row.code] = row.answered_on
    new_people = Beneficiary.objects.bulk_create(
        [
            Beneficiary(organisation_id=questionnaire.organisation_id, code=code,
                        entry_date=first_dates[code])
            for code in plan.new_codes
        ],
        batch_size=2000,
    )
    beneficiary_ids = dict(
        Beneficiary.objects.filter(
            organisation_id=questionnaire.organisation_id
        ).values_list("code", "id")
    )
    entered_by_id = entered_by.pk if entered_by is not None else None
    audit = {"user_id": entered_by_id, "reason": "import"}
    changes = _replacement_write(rows=replaced, answered_on=replaced_dates,
                                 entered_by_id=entered_by_id, audit=audit)
    fresh = [row for row in plan.rows if row.response_id is None]
    created = Response.objects.bulk_create(
        [
            Response(beneficiary_id=beneficiary_ids[row.code], questionnaire=questionnaire,
                     wave_id=row.wave_id, answered_on=row.answered_on,
                     entered_by_id=entered_by_id)
            for row in fresh
        ],
        batch_size=2000,
    )
    for row, response in zip(fresh, created, strict=True):
        row.response_id = response.id
    written = rows_insert(
        model=Answer,
        fields=("response", "item", "choice"),
        rows=(
            (row.response_id, item_id, choice_id)
            for row in fresh
            for item_id, choice_id in row.answers
        ),
    )
    # bulk_create and COPY send no signals: write the audit trail, and say the
    # organisation's reports are stale.
    history_bulk_record(model=Beneficiary, column="id", values=[b.pk for b in new_people],
                        history_type="+", **audit)
    history_bulk_record(model=Response, column="id", values=[r.pk for r in created],
                        history_type="+", **audit)
    history_bulk_record(model=Answer, column="response_id",
                        values=[row.response_id for row in fresh], history_type="+", **audit)
    responses_changed.send(sender=Response, organisation_id=questionnaire.organisation_id)
    return ImportResult(
        beneficiaries_created=len(plan.new_codes),
        responses_created=len(fresh),
        responses_updated=changes.responses,
        answers_written=written + changes.answers,
        responses_unchanged=len(replaced) - changes.responses,
    )


@dataclass(frozen=True)
class _Changes:
    responses: int  # responses changed
    answers: int  # answers inserted or changed


def _replacement_write(
    *, rows: list[RowPlan], answered_on: dict[int, dt.date], entered_by_id: int | None,
    audit: dict,
) -> _Changes:
    """Make the replaced responses say what the file says, writing only what differs.

    Each answer removed, changed or added is recorded in its history as simple-history
    would (``-``, ``~``, ``+``), and each response changed (``~``), all in bulk: deleting
    the answers one by one for simple-history's signals took 90 % of a replacing import.
    """
    existing: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for chunk in _chunks(sorted(answered_on)):
        for answer_id, response_id, item_id, choice_id in Answer.objects.filter(
                response_id__in=chunk).order_by().values_list(
                "id", "response_id", "item_id", "choice_id"):
            existing[response_id][item_id] = (answer_id, choice_id)
    removed: list[int] = []
    changed: dict[int, list[int]] = defaultdict(list)  # new choice → answers
    added: list[tuple[int, int, int]] = []
    touched: dict[dt.date, list[int]] = defaultdict(list)  # answered on → responses
    for row in rows:
        old = existing.get(row.response_id, {})
        new = dict(row.answers)
        before = len(removed) + len(added) + sum(map(len, changed.values()))
        for item_id, (answer_id, choice_id) in old.items():
            if item_id not in new:
                removed.append(answer_id)
            elif new[item_id] != choice_id:
                changed[new[item_id]].append(answer_id)
        added.extend((row.response_id, item_id, choice_id)
                     for item_id, choice_id in row.answers if item_id not in old)
        after = len(removed) + len(added) + sum(map(len, changed.values()))
        if after > before or row.answered_on != answered_on[row.response_id]:
            touched[row.answered_on].append(row.response_id)

    history_bulk_record(model=Answer, column="id", values=removed, history_type="-", **audit)
    rows_delete(model=Answer, column="id", values=removed)
    for choice_id, answer_ids in changed.items():
        for chunk in _chunks(answer_ids):
            Answer.objects.filter(id__in=chunk).update(choice_id=choice_id)
    history_bulk_record(model=Answer, column="id",
                        values=[a for ids in changed.values() for a in ids],
                        history_type="~", **audit)
    last_id = Answer.objects.aggregate(last=Max("id"))["last"] or 0
    rows_insert(model=Answer, fields=("response", "item", "choice"), rows=added)
    history_bulk_record(model=Answer, column="response_id",
                        values=sorted({response_id for response_id, _i, _c in added}),
                        history_type="+", above_id=last_id, **audit)
    # One UPDATE per answer date (a file holds few), not bulk_update's CASE per row.
    now = timezone.now()
    for day, response_ids in touched.items():
        for chunk in _chunks(response_ids):
            # A page opened before the import is now stale (optimistic concurrency).
            Response.objects.filter(id__in=chunk).update(
                answered_on=day, entered_by_id=entered_by_id, updated_at=now,
                version=F("version") + 1)
    history_bulk_record(model=Response, column="id",
                        values=[r for ids in touched.values() for r in ids],
                        history_type="~", **audit)
    return _Changes(responses=sum(map(len, touched.values())),
                    answers=len(added) + sum(map(len, changed.values())))


def responses_export_rows(*, questionnaire: Questionnaire) -> Iterator[list[str]]:
    """The wide table of formats.md §2, header first, rows by beneficiary code then wave."""
    items = list(questionnaire.items.values_list("id", "code"))
    column = {item_id: index for index, (item_id, _code) in enumerate(items)}
    choice_codes = {
        pk: cell_neutralise(code)
        for pk, code in Choice.objects.filter(scale__questionnaire=questionnaire).values_list(
            "id", "code")
    }
    yield [*FIXED_COLUMNS, *(cell_neutralise(code) for _id, code in items)]
    responses = list(
        Response.objects.filter(questionnaire=questionnaire)
        .order_by("beneficiary__code", "wave__number")
        .values_list("id", "beneficiary__code", "wave__number", "answered_on")
    )
    cells: dict[int, list[str]] = {}
    for response_id, _code, _wave, _date in responses:
        cells[response_id] = [""] * len(items)
    answers = (
        Answer.objects.filter(response__questionnaire=questionnaire)
        .values_list("response_id", "item_id", "choice_id")
        .iterator(chunk_size=20_000)
    )
    for response_id, item_id, choice_id in answers:
        cells[response_id][column[item_id]] = choice_codes[choice_id]
    for response_id, code, wave, answered_on in responses:
        yield [cell_neutralise(code), str(wave), answered_on.isoformat(),
               *cells.pop(response_id)]


def responses_export_csv(*, questionnaire: Questionnaire, stream: io.TextIOBase) -> int:
    """Write the export to a text stream: ``;``, a BOM so that Excel reads UTF-8. Returns rows."""
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    count = -1
    for row in responses_export_rows(questionnaire=questionnaire):
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


# An upload waits between its preview and the user's confirmation as a file named by a random
# token, its organisation and its owner (so that a user's pile can be capped and an erasure can
# discard what might name the person); taking it renames it first, so that a second
# confirmation finds nothing to import. Nothing else keeps uploaded files.

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
_PENDING_NAME = re.compile(r"^([A-Za-z0-9_-]{43})\.(\d+)\.(\d+)\.upload$")


def _pending_dir() -> Path:
    folder = Path(str(settings.UPLOAD_PENDING_DIR))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _pending_files(folder: Path) -> list[tuple[Path, int, int, float]]:
    """(path, organisation id, user id, modification time) of every pending upload."""
    files = []
    for path in folder.iterdir():
        match = _PENDING_NAME.match(path.name)
        if match is not None:
            with contextlib.suppress(OSError):
                files.append((path, int(match[2]), int(match[3]), path.stat().st_mtime))
    return files


def pending_upload_save(data: bytes, *, organisation_id: int, user_id: int) -> str:
    """Keep an uploaded file until it is confirmed; return its token.

    The user's older pending uploads beyond UPLOAD_MAX_PENDING_PER_USER are deleted, and so
    is every upload older than UPLOAD_KEEP_HOURS.
    """
    folder = _pending_dir()
    pending_uploads_purge()
    token = secrets.token_urlsafe(32)
    path = folder / f"{token}.{int(organisation_id)}.{int(user_id)}.upload"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as stream:
        stream.write(data)
    own = sorted((f for f in _pending_files(folder) if f[2] == user_id and f[0] != path),
                 key=lambda f: f[3])
    for stale, *_rest in own[:max(0, len(own) + 1 - settings.UPLOAD_MAX_PENDING_PER_USER)]:
        stale.unlink(missing_ok=True)
    return token


def pending_upload_take(token: str) -> bytes | None:
    """The file kept under ``token``, removed so that it is imported once; None if gone."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    folder = _pending_dir()
    claimed = folder / f"{token}.{secrets.token_hex(8)}.taken"
    for path in folder.glob(f"{token}.*.upload"):
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            continue
        try:
            return claimed.read_bytes()
        finally:
            claimed.unlink(missing_ok=True)
    return None


def pending_upload_discard(token: str) -> None:
    """Delete the file kept under ``token`` (the upload was cancelled or forgotten)."""
    if isinstance(token, str) and _TOKEN.match(token):
        for path in _pending_dir().glob(f"{token}.*.upload"):
            path.unlink(missing_ok=True)


def pending_uploads_purge(*, organisation_id: int | None = None,
                          older_than_hours: float | None = None) -> int:
    """Delete pending uploads: those older than ``older_than_hours`` (UPLOAD_KEEP_HOURS by
    default), or, given ``organisation_id``, every one of that organisation. Returns how
    many files were deleted (half-taken files of a killed worker included)."""
    folder = _pending_dir()
    hours = settings.UPLOAD_KEEP_HOURS if older_than_hours is None else older_than_hours
    cutoff = time.time() - hours * 3600
    deleted = 0
    for path, organisation, _user, modified in _pending_files(folder):
        if (organisation == organisation_id) if organisation_id is not None else (
                modified < cutoff):
            path.unlink(missing_ok=True)
            deleted += 1
    for path in folder.glob("*.taken"):
        with contextlib.suppress(OSError):
            if organisation_id is not None or path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
    for path in folder.glob("*.upload"):  # named before uploads carried their owner
        with contextlib.suppress(OSError):
            if not _PENDING_NAME.match(path.name) and (
                    organisation_id is not None or path.stat().st_mtime < cutoff):
                path.unlink()
                deleted += 1
    return deleted
