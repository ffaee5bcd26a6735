"""Reading uploaded files: CSV or .xlsx recognised by content, clear refusals otherwise."""

import datetime as dt
import io

import pytest
import xlsxwriter
from django.utils import translation

from questionnaires.tables import ImportRefused, table_read_upload, table_read_xlsx


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are checked by their English msgids (French is tested on the pages)."""
    with translation.override("en"):
        yield


def workbook(rows, *, sheets=("Données",)) -> bytes:
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"in_memory": True})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet(sheets[0])
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            elif value is not None:
                sheet.write(r, c, value)
    for name in sheets[1:]:
        book.add_worksheet(name).write(0, 0, "ignored")
    book.close()
    return stream.getvalue()


def refusal(data: bytes, **options) -> str:
    with pytest.raises(ImportRefused) as error:
        table_read_upload(data, **options)
    return str(error.value)


def test_it_reads_numbers_as_text_and_dates_as_iso():
    table = table_read_xlsx(workbook([
        ["beneficiary", "wave", "answered_on", "Q01"],
        ["B-0001", 1, dt.date(2024, 1, 15), "A"],
    ]))
    assert table.header == ["beneficiary", "wave", "answered_on", "Q01"]
    assert table.rows == [(2, ["B-0001", "1", "2024-01-15", "A"])]


def test_it_reads_the_first_sheet_only():
    table = table_read_xlsx(workbook([["beneficiary"], ["B-1"]], sheets=("A", "B")))
    assert table.rows == [(2, ["B-1"])]


def test_it_skips_empty_rows_and_keeps_line_numbers():
    table = table_read_xlsx(workbook([["beneficiary", "wave"], [None, None], ["B-1", 2]]))
    assert table.rows == [(3, ["B-1", "2"])]


def test_it_pads_short_rows_to_the_header():
    table = table_read_xlsx(workbook([["beneficiary", "wave", "Q01"], ["B-1", 2]]))
    assert table.rows == [(2, ["B-1", "2", ""])]


def test_an_upload_is_recognised_as_xlsx_by_its_content():
    table = table_read_upload(workbook([["beneficiary", "wave"], ["B-1", 1]]))
    assert table.rows == [(2, ["B-1", "1"])]


def test_an_upload_is_recognised_as_csv_otherwise():
    table = table_read_upload(b"beneficiary;wave\nB-1;1\n")
    assert table.rows == [(2, ["B-1", "1"])]


def test_a_pdf_is_not_a_spreadsheet():
    assert "not a spreadsheet" in refusal(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")


def test_a_damaged_workbook_cannot_be_read():
    assert "cannot be read as a spreadsheet" in refusal(b"PK\x03\x04" + b"\x00" * 200)


def test_a_latin_1_file_is_refused_for_its_encoding():
    assert "UTF-8" in refusal("beneficiary;wave\nBénédicte;1\n".encode("latin-1"))


def test_a_utf_16_file_is_refused_for_its_encoding():
    assert "UTF-16" in refusal("beneficiary;wave\nB-1;1\n".encode("utf-16"))


def test_a_file_above_the_size_limit_is_refused():
    assert "too large" in refusal(b"beneficiary;wave\n" + b"B-1;1\n" * 100, max_bytes=200)


def test_an_empty_file_is_refused():
    assert "empty" in refusal(b"  \n")
