"""Exports for analysts (Excel, SPSS, R/pandas) and aggregate tables for the board.

Every export holds pseudonymous codes only, never names. The wide table is the one of
formats.md §2 (``responses_export_rows``); the other forms are derived from it so that they
cannot disagree. Cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from questionnaires.models import Answer, Choice, Questionnaire, Response
from questionnaires.tables import (
    FIXED_COLUMNS,
    FORMULA_STARTS,
    cell_neutralise,
    cell_restore,
    table_write_csv,
)

# Groups smaller than this are never shown to the board (statistical disclosure control).
AGGREGATE_MIN_COUNT = 5
SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO",
                 "WITH"}


class _Echo:
    """A file-like object whose write returns the text, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class _ChoiceInfo:
    code: str
    label: str
    score: float | None


def _codebook(questionnaire: Questionnaire) -> tuple[list, list, dict[int, list[_ChoiceInfo]]]:
    """Waves, items (with their scale id) and each scale's choices in display order."""
    waves = list(questionnaire.waves.order_by("number"))
    items = list(questionnaire.items.order_by("order", "id"))
    choices: dict[int, list[_ChoiceInfo]] = {}
    for choice in Choice.objects.filter(scale__questionnaire=questionnaire).order_by(
            "scale_id", "order", "id"):
        choices.setdefault(choice.scale_id, []).append(
            _ChoiceInfo(code=choice.code, label=choice.label, score=choice.score))
    return waves, items, choices


def _number(score: float | None) -> str:
    if score is None:
        return ""
    return str(int(score)) if float(score).is_integer() else repr(score)


# -- Wide CSV (formats.md §2) -------------------------------------------------------------


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
    """Write the export to a text stream (``table_write_csv``). Returns the rows."""
    return table_write_csv(responses_export_rows(questionnaire=questionnaire), stream)


def wide_csv_lines(*, questionnaire: Questionnaire) -> Iterator[str]:
    """The export of formats.md §2 line by line: ``;``, a BOM for Excel, ISO dates."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    for row in responses_export_rows(questionnaire=questionnaire):
        yield writer.writerow(row)


# -- Long CSV (one answer per row, for R and pandas) ------------------------------------------

LONG_COLUMNS = ("beneficiary", "wave", "answered_on", "item", "dimension", "choice", "score")


def long_csv_lines(*, questionnaire: Questionnaire) -> Iterator[str]:
    """One answer per row, ``,``-separated, no BOM: what ``read.csv`` and ``pd.read_csv`` expect.

    Unanswered items have no row; ``score`` is empty for a choice without score.
    """
    _waves, items, choices = _codebook(questionnaire)
    dimension = {item.code: item.dimension for item in items}
    scores = {
        item.code: {c.code: _number(c.score) for c in choices.get(item.scale_id, [])}
        for item in items
    }
    writer = csv.writer(_Echo(), delimiter=",", lineterminator="\n")
    yield writer.writerow(LONG_COLUMNS)
    rows = responses_export_rows(questionnaire=questionnaire)
    header = [cell_restore(name) for name in next(rows)]
    codes = header[3:]
    for row in rows:
        code, wave, answered_on = row[:3]
        for item_code, cell in zip(codes, row[3:], strict=True):
            if cell:
                yield writer.writerow([
                    code, wave, answered_on, cell_neutralise(item_code),
                    cell_neutralise(dimension[item_code]), cell,
                    scores[item_code].get(cell_restore(cell), ""),
                ])


# -- Excel -------------------------------------------------------------------------------------


def _sheet_name(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


class _XlsxWriter:
    """xlsxwriter with strings kept as strings and formulas never created."""

    def __init__(self, stream: io.BytesIO):
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(stream, {
            "in_memory": True, "constant_memory": True, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False,
        })
        self.bold = self.workbook.add_format({"bold": True})
        # Excel's own "text starting with a quote": shown and kept as text, never run.
        self.quoted = self.workbook.add_format({"quote_prefix": True})
        self.date = self.workbook.add_format({"num_format": "yyyy-mm-dd"})

    def text(self, sheet, row: int, column: int, value: str) -> None:
        value = cell_restore(value) if value.startswith("'") else value
        if value.startswith(FORMULA_STARTS):
            sheet.write_string(row, column, value, self.quoted)
        elif value:
            sheet.write_string(row, column, value)

    def header(self, sheet, names: list[str]) -> None:
        for column, name in enumerate(names):
            self.text(sheet, 0, column, name)
        sheet.set_row(0, None, self.bold)
        sheet.freeze_panes(1, 0)

    def close(self) -> None:
        self.workbook.close()


def xlsx_build(*, questionnaire: Questionnaire) -> bytes:
    """A workbook: the wide table of formats.md §2, then a codebook of items and choices.

    The first sheet re-imports as it is (the upload reads the first sheet): codes as text,
    waves as numbers, dates as dates.
    """
    waves, items, choices = _codebook(questionnaire)
    stream = io.BytesIO()
    book = _XlsxWriter(stream)
    data = book.workbook.add_worksheet(_sheet_name(_("Responses")))
    rows = responses_export_rows(questionnaire=questionnaire)
    header = next(rows)
    book.header(data, header)
    data.set_column(0, 0, 14)
    data.set_column(2, 2, 12)
    for index, row in enumerate(rows, start=1):
        book.text(data, index, 0, row[0])
        data.write_number(index, 1, int(row[1]))
        data.write_datetime(index, 2, dt.datetime.fromisoformat(row[2]), book.date)
        for column, cell in enumerate(row[3:], start=3):
            book.text(data, index, column, cell)
    if len(header) > 3:
        data.autofilter(0, 0, 0, len(header) - 1)

    codebook = book.workbook.add_worksheet(_sheet_name(_("Codebook")))
    book.header(codebook, [_("column"), _("dimension"), _("text"), _("scale"), _("code"),
                           _("label"), _("score")])
    for column, width in enumerate((12, 24, 60, 12, 8, 50, 8)):
        codebook.set_column(column, column, width)
    line = 1
    for wave in waves:
        for column, value in enumerate(("wave", "", _("Wave"), "", str(wave.number),
                                        wave.label, "")):
            book.text(codebook, line, column, value)
        line += 1
    scale_keys = dict(questionnaire.scales.values_list("id", "key"))
    for item in items:
        for choice in choices.get(item.scale_id, []):
            values = (item.code, item.dimension, item.text, scale_keys[item.scale_id],
                      choice.code, choice.label)
            for column, value in enumerate(values):
                book.text(codebook, line, column, value)
            if choice.score is not None:
                codebook.write_number(line, 6, choice.score)
            line += 1
    book.close()
    return stream.getvalue()


# -- SPSS --------------------------------------------------------------------------------------


def spss_names(codes: list[str], taken: set[str]) -> list[str]:
    """Valid, distinct SPSS variable names for item codes (letters first, no spaces, ≤ 64)."""
    names, used = [], {name.upper() for name in taken}
    for code in codes:
        name = re.sub(r"[^A-Za-z0-9_.]", "_", code).rstrip(".") or "item"
        if not name[0].isalpha():
            name = "Q_" + name
        name = name[:60]
        candidate, suffix = name, 1
        while candidate.upper() in used or candidate.upper() in SPSS_RESERVED:
            suffix += 1
            candidate = f"{name}_{suffix}"
        used.add(candidate.upper())
        names.append(candidate)
    return names


def spss_values(choices: list[_ChoiceInfo]) -> dict[str, float]:
    """The number SPSS stores for each choice: its score, so that means are meaningful.

    Choices without a score ("no opinion") get 99, 98… declared as user-missing. When two
    choices share a score, the scale is coded by position (1, 2, …) instead.
    """
    scored = [c for c in choices if c.score is not None]
    if len({c.score for c in scored}) == len(scored):
        values = {c.code: float(c.score) for c in scored}
    else:
        values = {c.code: float(position) for position, c in enumerate(scored, start=1)}
    top = max([99.0, *(math.floor(v) + 10 for v in values.values())])
    for offset, choice in enumerate(c for c in choices if c.score is None):
        values[choice.code] = top - offset
    return values


def sav_build(*, questionnaire: Questionnaire) -> bytes:
    """An SPSS .sav with variable labels (item texts) and value labels (choice labels)."""
    import pandas as pd
    import pyreadstat

    waves, items, choices = _codebook(questionnaire)
    names = spss_names([item.code for item in items], {"beneficiary", "wave", "answered_on"})
    coding = {item.code: spss_values(choices.get(item.scale_id, [])) for item in items}
    rows = responses_export_rows(questionnaire=questionnaire)
    next(rows)
    columns: dict[str, list] = {"beneficiary": [], "wave": [], "answered_on": []}
    columns.update({name: [] for name in names})
    for row in rows:
        columns["beneficiary"].append(cell_restore(row[0]))
        columns["wave"].append(int(row[1]))
        columns["answered_on"].append(dt.date.fromisoformat(row[2]))
        for item, name, cell in zip(items, names, row[3:], strict=True):
            columns[name].append(coding[item.code][cell_restore(cell)] if cell else math.nan)
    frame = pd.DataFrame(columns)
    for name in names:
        frame[name] = frame[name].astype("float64")
    frame["wave"] = frame["wave"].astype("float64")

    labels = {"beneficiary": _("Pseudonymous code of the beneficiary"), "wave": _("Wave"),
              "answered_on": _("Date of the response")}
    value_labels = {"wave": {float(w.number): w.label[:120] for w in waves}}
    missing: dict[str, list] = {}
    measure = {"beneficiary": "nominal", "wave": "ordinal", "answered_on": "scale"}
    for item, name in zip(items, names, strict=True):
        labels[name] = f"{item.code}: {item.text}"[:255]
        value_labels[name] = {
            coding[item.code][c.code]: f"{c.code}: {c.label}"[:120]
            for c in choices.get(item.scale_id, [])
        }
        unscored = [coding[item.code][c.code] for c in choices.get(item.scale_id, [])
                    if c.score is None]
        if len(unscored) <= 3:
            missing[name] = unscored
        else:
            missing[name] = [{"lo": min(unscored), "hi": max(unscored)}]
        measure[name] = "ordinal"
    missing = {name: values for name, values in missing.items() if values}

    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        pyreadstat.write_sav(
            frame, path, file_label=questionnaire.title[:64], column_labels=labels,
            variable_value_labels=value_labels, missing_ranges=missing,
            variable_measure=measure,
        )
        with open(path, "rb") as stream:
            return stream.read()
    finally:
        os.unlink(path)


# -- Aggregates for the board ---------------------------------------------------------------


@dataclass(frozen=True)
class AggregateRow:
    item: str
    dimension: str
    text: str
    wave: int
    wave_label: str
    choice: str
    choice_label: str
    count: int | None  # None: hidden because the group is too small
    percent: float | None
    answers: int | None  # answers to the item at that wave, None when hidden


def aggregate_rows(*, questionnaire: Questionnaire) -> list[AggregateRow]:
    """Counts of each choice of each item at each wave, as the board's report has them.

    They are the frequencies of the board's report over the whole history
    (analysis/disclosure.py: counts below 5 hidden, with the complementary cells), so that
    the export and the board's dashboard hide the same cells: hiding different ones would
    let the two be subtracted from each other.
    """
    from reports.selectors import AUDIENCE_BOARD, ReportFilters, impact_report

    report = impact_report(questionnaire=questionnaire,
                           filters=ReportFilters(audience=AUDIENCE_BOARD))
    wave_labels = {w["number"]: w["label"] for w in report.get("waves", [])}
    result = []
    for item in report.get("items", []):
        for block in item.get("frequencies") or []:
            answers = block.get("n_answered")
            for choice in [*block.get("choices", []), *block.get("unscored", [])]:
                count = choice.get("count")
                percent = choice.get("percent")
                result.append(AggregateRow(
                    item=item["code"], dimension=item["dimension"], text=item["text"],
                    wave=block["wave"], wave_label=wave_labels.get(block["wave"], ""),
                    choice=choice["code"], choice_label=choice["label"], count=count,
                    percent=None if percent is None or count is None else round(percent, 1),
                    answers=answers,
                ))
    return result


def _aggregate_header() -> list[str]:
    return ["item", "dimension", "text", "wave", "wave_label", "choice", "choice_label",
            "count", "percent", "answers"]


def _hidden() -> str:
    return _("hidden (<%(min)d)") % {"min": AGGREGATE_MIN_COUNT}


def aggregate_csv_lines(*, questionnaire: Questionnaire) -> Iterator[str]:
    """The board's table as CSV for Excel (``;``, BOM, decimal comma for percentages)."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    yield writer.writerow(_aggregate_header())
    hidden = _hidden()
    for row in aggregate_rows(questionnaire=questionnaire):
        yield writer.writerow([
            cell_neutralise(row.item), cell_neutralise(row.dimension), cell_neutralise(row.text),
            row.wave, cell_neutralise(row.wave_label), cell_neutralise(row.choice),
            cell_neutralise(row.choice_label),
            hidden if row.count is None else row.count,
            "" if row.percent is None else f"{row.percent:.1f}".replace(".", ","),
            hidden if row.answers is None else row.answers,
        ])


def aggregate_xlsx_build(*, questionnaire: Questionnaire) -> bytes:
    """The board's table as a one-sheet workbook; hidden counts say so in words."""
    stream = io.BytesIO()
    book = _XlsxWriter(stream)
    sheet = book.workbook.add_worksheet(_sheet_name(_("Counts")))
    book.header(sheet, _aggregate_header())
    for column, width in enumerate((8, 24, 50, 6, 14, 8, 40, 10, 8, 10)):
        sheet.set_column(column, column, width)
    hidden = _hidden()
    rows = aggregate_rows(questionnaire=questionnaire)
    for line, row in enumerate(rows, start=1):
        for column, value in enumerate((row.item, row.dimension, row.text)):
            book.text(sheet, line, column, value)
        sheet.write_number(line, 3, row.wave)
        book.text(sheet, line, 4, row.wave_label)
        book.text(sheet, line, 5, row.choice)
        book.text(sheet, line, 6, row.choice_label)
        for column, value in ((7, row.count), (8, row.percent), (9, row.answers)):
            if value is None and column != 8:
                sheet.write_string(line, column, hidden)
            elif value is not None:
                sheet.write_number(line, column, value)
    note = _("Counts from 1 to %(max)d are hidden, with more where one could be worked out "
             "from the others, so that no one can be recognised.") % {
        "max": AGGREGATE_MIN_COUNT - 1}
    sheet.write_string(len(rows) + 2, 0, note)
    book.close()
    return stream.getvalue()
