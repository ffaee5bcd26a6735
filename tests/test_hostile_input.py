"""Hostile files and requests: a clear French message, nothing written, no 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from questionnaires.definitions import DefinitionInvalid, definition_json_load
from questionnaires.models import Questionnaire

NESTED = "[" * 100_000


def test_a_deeply_nested_json_is_refused_with_a_message_not_a_recursion_error():
    with translation.override("fr"), pytest.raises(DefinitionInvalid) as refusal:
        definition_json_load(NESTED)
    assert "niveaux" in refusal.value.problems[0]


def test_brackets_inside_texts_do_not_count_as_nesting():
    text = '{"title": "' + "[" * 1000 + '", "items": [[{"a": ["\\"]"]}]]}'
    assert definition_json_load(text)["title"] == "[" * 1000


def test_the_builder_import_refuses_a_deeply_nested_file_in_french(client, manager):
    client.force_login(manager.user)
    with translation.override("fr"):
        response = client.post(
            reverse("questionnaires:definition_import", args=[manager.organisation.slug]),
            {"file": SimpleUploadedFile("q.json", NESTED.encode())}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "niveaux" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_load_questionnaire_refuses_a_deeply_nested_file(write_file, organisation):
    path = write_file("definition.json", NESTED)
    with pytest.raises(CommandError, match="20"):
        call_command("load_questionnaire", str(path), organisation=organisation.slug)
    assert not Questionnaire.objects.exists()


# -- Login throttling behind a reverse proxy ---------------------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    """Settings as PROXY_COUNT=1 makes them (see test_proxy_count_configures_ipware)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False


def through_proxy(client, username, password, client_ip, forged=None):
    """A login POST as nginx forwards it: from 127.0.0.1, the client's address appended."""
    chain = f"{forged}, {client_ip}" if forged else client_ip
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=chain)


def test_five_failures_from_one_forwarded_address_do_not_lock_out_another(
        client, director, behind_one_proxy):
    for _ in range(5):
        through_proxy(client, director.user.username, "wrong", "203.0.113.9")
    locked = through_proxy(client, director.user.username, "correct-horse-battery",
                           "203.0.113.9")
    assert locked.status_code == 429
    welcome = through_proxy(client, director.user.username, "correct-horse-battery",
                            "198.51.100.7")
    assert welcome.status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_lock(client, director, behind_one_proxy):
    # The attacker writes a new address in each request; nginx appends the real one.
    for n in range(5):
        through_proxy(client, director.user.username, "wrong", "203.0.113.9",
                      forged=f"192.0.2.{n}")
    locked = through_proxy(client, director.user.username, "correct-horse-battery",
                           "203.0.113.9", forged="192.0.2.99")
    assert locked.status_code == 429


def _settings_with(env: dict) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'vises.settings');"
            "django.setup(); from django.conf import settings as s;"
            "print(s.AXES_IPWARE_META_PRECEDENCE_ORDER, getattr(s, 'AXES_IPWARE_PROXY_COUNT',"
            " None))")
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"PROXY_COUNT", "BEHIND_PROXY"}} | env
    return subprocess.run([sys.executable, "-c", code], env=environment, check=True,
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                          text=True).stdout.strip()


def test_proxy_count_configures_ipware():
    assert _settings_with({"PROXY_COUNT": "1"}) == "['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] 0"
    assert _settings_with({"PROXY_COUNT": "2"}) == "['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] 1"
    assert _settings_with({}).startswith("['REMOTE_ADDR']")


# -- Spreadsheets measured before they are opened ----------------------------------------------


def refusal_of(data: bytes) -> str:
    from questionnaires.tables import ImportRefused, table_read_upload

    with translation.override("fr"), pytest.raises(ImportRefused) as refusal:
        table_read_upload(data)
    return refusal.value.problems[0].message


def cells_row(number: int, columns: list[str]) -> bytes:
    return (f'<row r="{number}">' + "".join(f'<c r="{c}{number}"><v>1</v></c>'
                                             for c in columns) + "</row>").encode()


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused_unopened():
    from bench.hostile_xlsx import hostile_workbook

    data = hostile_workbook(rows=20_000, columns=1_000)
    assert len(data) < 1024 * 1024
    message = refusal_of(data)
    assert "décompresse" in message
    assert "CSV" in message


def test_a_sheet_wider_than_the_limit_is_refused_in_french(settings):
    from bench.hostile_xlsx import hostile_workbook

    settings.XLSX_MAX_UNPACKED_BYTES = 10**9
    message = refusal_of(hostile_workbook(rows=50, columns=1_000, dimension=False))
    assert "1\u202f000 colonnes" in message


def test_one_cell_far_away_is_refused_for_the_grid_it_would_need():
    from bench.hostile_xlsx import workbook_with_rows

    # Two cells, but a reader allocates every cell from A1 to Z1048576.
    data = workbook_with_rows([cells_row(1, ["A"]), cells_row(1_048_576, ["Z"])],
                              dimension="A1:A1")
    assert "cellules" in refusal_of(data)


def test_a_cell_at_the_last_excel_column_is_refused():
    from bench.hostile_xlsx import workbook_with_rows

    data = workbook_with_rows([cells_row(1, ["A", "XFD"])])
    assert "16\u202f384 colonnes" in refusal_of(data)


def test_a_lying_dimension_does_not_hide_the_cells(settings):
    from bench.hostile_xlsx import column_name, workbook_with_rows

    settings.XLSX_MAX_CELLS = 10_000
    columns = [column_name(c) for c in range(100)]
    rows = (cells_row(r, columns) for r in range(1, 201))  # 20,000 cells
    assert "cellules" in refusal_of(workbook_with_rows(rows, dimension="A1:B2"))


def test_an_ordinary_workbook_is_still_read():
    from questionnaires.tables import table_read_upload
    from tests.test_upload_reading import workbook

    rows = [["beneficiary", "wave", "answered_on", "Q01", "Q02"]]
    rows += [[f"B-{n:04d}", 1, "2024-01-15", "A", "B"] for n in range(300)]
    table = table_read_upload(workbook(rows))
    assert len(table.rows) == 300


def test_the_upload_page_refuses_a_spreadsheet_bomb_and_writes_nothing(client, manager,
                                                                        questionnaire):
    from bench.hostile_xlsx import hostile_workbook
    from questionnaires.models import Response

    client.force_login(manager.user)
    response = client.post(
        reverse("questionnaires:upload", args=[manager.organisation.slug,
                                               questionnaire.public_id]),
        {"file": SimpleUploadedFile("r.xlsx", hostile_workbook(rows=20_000, columns=1_000))},
        HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "CSV" in response.content.decode()
    assert not Response.objects.exists()


def ods_repeating_one_cell(columns: int, rows: int) -> bytes:
    import io
    import zipfile

    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="F1">'
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'table:number-columns-repeated="{columns}" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>")
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", content)
    return stream.getvalue()


def test_an_opendocument_file_is_refused_with_what_to_do():
    # 800 bytes that a reader would expand to 20 million cells (1.2 GB).
    data = ods_repeating_one_cell(1_000, 20_000)
    assert len(data) < 2_000
    assert ".xlsx" in refusal_of(data)


def test_an_old_excel_file_is_refused_with_what_to_do():
    from questionnaires.spreadsheets import OLE_MAGIC

    assert ".xlsx" in refusal_of(OLE_MAGIC + b"\x00" * 4096)


def test_a_csv_header_of_millions_of_columns_is_refused_before_it_is_split():
    data = b"beneficiary;wave;answered_on" + b";" * 5_000_000 + b"\n"
    assert "colonnes" in refusal_of(data)


def test_a_csv_row_wider_than_the_limit_is_refused_with_its_line():
    from questionnaires.tables import ImportRefused, table_read_upload

    data = b"beneficiary;wave;answered_on;Q01\nB-1;1;2024-01-15;A\nB-2;1" + b";" * 300 + b"\n"
    with pytest.raises(ImportRefused) as refusal:
        table_read_upload(data)
    assert refusal.value.problems[0].line == 3
