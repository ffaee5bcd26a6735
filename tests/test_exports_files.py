"""Exports read back as an analyst would: SPSS labels, Excel values, CSV round trips."""

import csv
import io
import random
import zipfile

import pandas as pd
import pyreadstat
import pytest
from python_calamine import CalamineWorkbook

from beneficiaries.models import Beneficiary
from questionnaires import exports
from questionnaires.definitions import definition_parse
from questionnaires.imports import responses_import
from questionnaires.services import questionnaire_load
from questionnaires.tables import table_read_csv
from reports.selectors import impact_report
from tests.test_builder_views import url
from tests.test_upload_views import confirm, token_of, upload

pytestmark = pytest.mark.django_db

CHOICES = ["A", "B", "C", "NSP", ""]


def fill(questionnaire, people=24, seed=3, codes=None):
    """Responses at waves 1 and 2 (most) and 3 (some), answers drawn at random."""
    rng = random.Random(seed)
    lines = ["beneficiary;wave;answered_on;Q01;Q02"]
    for n in range(people):
        code = codes[n] if codes else f"B-{n:04d}"
        for wave, date in ((1, "2024-01-15"), (2, "2024-04-20"), (3, "2024-07-20")):
            if wave == 1 or rng.random() < (0.8 if wave == 2 else 0.4):
                lines.append(f"{code};{wave};{date};{rng.choice(CHOICES)};{rng.choice(CHOICES)}")
    responses_import(questionnaire=questionnaire,
                     table=table_read_csv(("\n".join(lines) + "\n").encode()))


def wide_rows(questionnaire) -> list[list[str]]:
    text = "".join(exports.wide_csv_lines(questionnaire=questionnaire))
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def sav(questionnaire):
    path = io.BytesIO(exports.sav_build(questionnaire=questionnaire))
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(path.getvalue())
        handle.flush()
        return pyreadstat.read_sav(handle.name, user_missing=True)


def sheets(data: bytes) -> list[list[list]]:
    """The workbook's sheets in order (their names are translated)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [book.get_sheet_by_index(index).to_python() for index in range(len(book.sheet_names))]


def test_the_sav_has_variable_labels(questionnaire):
    fill(questionnaire)
    _frame, meta = sav(questionnaire)
    labels = meta.column_names_to_labels
    assert labels["Q01"] == ("Q01: Vous sentez-vous capable d'avancer sur votre projet "
                             "professionnel ?")
    assert labels["beneficiary"]


def test_the_sav_has_value_labels_keyed_by_score(questionnaire):
    fill(questionnaire)
    _frame, meta = sav(questionnaire)
    assert meta.variable_value_labels["Q02"] == {
        3.0: "A: Oui je m'en sens capable par moi-même",
        2.0: "B: Oui je m'en sens capable mais j'ai besoin d'aide",
        1.0: "C: Non je ne sais pas comment m'y prendre",
        99.0: "NSP: Ne se prononce pas",
    }
    assert meta.variable_value_labels["wave"] == {1.0: "Entrée", 2.0: "Mi-parcours",
                                                  3.0: "Sortie"}


def test_the_sav_declares_no_opinion_as_user_missing(questionnaire):
    fill(questionnaire)
    _frame, meta = sav(questionnaire)
    assert meta.missing_ranges["Q01"] == [{"lo": 99.0, "hi": 99.0}]


def test_the_sav_holds_the_same_answers_as_the_csv(questionnaire):
    fill(questionnaire)
    frame, _meta = sav(questionnaire)
    score = {"A": 3.0, "B": 2.0, "C": 1.0, "NSP": 99.0}
    rows = wide_rows(questionnaire)[1:]
    assert frame["beneficiary"].tolist() == [row[0] for row in rows]
    assert frame["wave"].tolist() == [float(row[1]) for row in rows]
    assert [str(d)[:10] for d in frame["answered_on"]] == [row[2] for row in rows]
    for column, name in ((3, "Q01"), (4, "Q02")):
        expected = [score.get(row[column]) for row in rows]
        got = [None if pd.isna(v) else v for v in frame[name]]
        assert got == expected


def test_spss_names_are_valid_and_distinct():
    assert exports.spss_names(["Q01", "1a", "q 1", "q_1", "AND"], {"wave"}) == [
        "Q01", "Q_1a", "q_1", "q_1_2", "AND_2"]


def test_spss_codes_by_position_when_scores_repeat():
    choices = [exports._ChoiceInfo("A", "a", 1.0), exports._ChoiceInfo("B", "b", 1.0),
               exports._ChoiceInfo("X", "x", None)]
    assert exports.spss_values(choices) == {"A": 1.0, "B": 2.0, "X": 99.0}


def test_the_xlsx_holds_the_same_values_as_the_csv(questionnaire):
    fill(questionnaire)
    data = sheets(exports.xlsx_build(questionnaire=questionnaire))[0]
    as_text = [[exports_cell(value) for value in row] for row in data]
    assert as_text == wide_rows(questionnaire)


def exports_cell(value) -> str:
    if isinstance(value, float):
        return str(int(value))
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_the_xlsx_has_a_codebook_of_item_texts_and_choice_labels(questionnaire):
    fill(questionnaire)
    codebook = sheets(exports.xlsx_build(questionnaire=questionnaire))[1]
    rows = [row for row in codebook if row[0] == "Q02"]
    assert [(row[4], row[5], row[6]) for row in rows] == [
        ("A", "Oui je m'en sens capable par moi-même", 3.0),
        ("B", "Oui je m'en sens capable mais j'ai besoin d'aide", 2.0),
        ("C", "Non je ne sais pas comment m'y prendre", 1.0),
        ("NSP", "Ne se prononce pas", ""),
    ]
    assert rows[0][2] == "Vous sentez-vous capable de remplir seul un formulaire ?"
    assert [(row[4], row[5]) for row in codebook if row[0] == "wave"] == [
        ("1", "Entrée"), ("2", "Mi-parcours"), ("3", "Sortie")]


def test_the_long_csv_has_one_row_per_answer_with_its_score(questionnaire):
    fill(questionnaire)
    frame = pd.read_csv(io.StringIO("".join(exports.long_csv_lines(questionnaire=questionnaire))),
                        dtype=str, keep_default_na=False)
    wide = wide_rows(questionnaire)[1:]
    assert len(frame) == sum(1 for row in wide for cell in row[3:] if cell)
    assert list(frame.columns) == list(exports.LONG_COLUMNS)
    nsp = frame[frame["choice"] == "NSP"]
    assert set(nsp["score"]) == {""}
    assert set(frame[frame["choice"] == "A"]["score"]) == {"3"}
    assert set(frame["dimension"]) == {"Projet personnel", "Autonomie administrative"}


def test_the_csv_export_re_imported_elsewhere_gives_the_same_report(
        client, questionnaire, manager, other_organisation, spec_definition, settings,
        tmp_path):
    settings.UPLOAD_PENDING_DIR = str(tmp_path)
    fill(questionnaire, people=40)
    client.force_login(manager.user)
    exported = b"".join(client.get(url("export_csv", questionnaire)).streaming_content)
    copy, _ = questionnaire_load(organisation=other_organisation,
                                 definition=definition_parse(spec_definition))
    other_manager = _manager_of(other_organisation)
    client.force_login(other_manager.user)
    confirm(client, copy, token_of(upload(client, copy, exported)))
    before, after = impact_report(questionnaire=questionnaire), impact_report(questionnaire=copy)
    assert after["respondents"] == before["respondents"]
    assert after["items"] == before["items"]


def test_the_xlsx_export_re_imports_as_it_is(
        client, questionnaire, manager, other_organisation, spec_definition, settings,
        tmp_path):
    settings.UPLOAD_PENDING_DIR = str(tmp_path)
    fill(questionnaire)
    client.force_login(manager.user)
    exported = client.get(url("export_xlsx", questionnaire)).content
    copy, _ = questionnaire_load(organisation=other_organisation,
                                 definition=definition_parse(spec_definition))
    client.force_login(_manager_of(other_organisation).user)
    confirm(client, copy, token_of(upload(client, copy, exported, name="export.xlsx")))
    assert wide_rows(copy) == wide_rows(questionnaire)


def _manager_of(organisation):
    from tests.factories import MembershipFactory

    return MembershipFactory(organisation=organisation, role="manager")


DANGEROUS = ["=HYPERLINK(\"http://x\")", "+33-1", "-B7", "@SUM(A1)"]


def test_csv_cells_that_could_be_formulas_are_neutralised(questionnaire):
    fill(questionnaire, people=4, codes=DANGEROUS)
    codes = [row[0] for row in wide_rows(questionnaire)[1:]]
    assert all(code.startswith("'") for code in codes)
    long_codes = {row.split(",")[0].strip('"')
                  for row in list(exports.long_csv_lines(questionnaire=questionnaire))[1:]}
    assert all(code.startswith("'") for code in long_codes)


def test_xlsx_cells_that_could_be_formulas_are_kept_as_text(questionnaire):
    fill(questionnaire, people=4, codes=DANGEROUS)
    data = exports.xlsx_build(questionnaire=questionnaire)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    assert 'quotePrefix="1"' in xml
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml").decode()
    assert {row[0] for row in sheets(data)[0][1:]} == set(DANGEROUS)


def test_neutralised_codes_come_back_as_they_were_on_re_import(
        client, questionnaire, manager, other_organisation, spec_definition, settings,
        tmp_path):
    settings.UPLOAD_PENDING_DIR = str(tmp_path)
    fill(questionnaire, people=4, codes=DANGEROUS)
    client.force_login(manager.user)
    exported = b"".join(client.get(url("export_csv", questionnaire)).streaming_content)
    copy, _ = questionnaire_load(organisation=other_organisation,
                                 definition=definition_parse(spec_definition))
    client.force_login(_manager_of(other_organisation).user)
    confirm(client, copy, token_of(upload(client, copy, exported)))
    assert set(Beneficiary.objects.filter(organisation=other_organisation)
               .values_list("code", flat=True)) == set(DANGEROUS)


def test_the_aggregate_table_hides_groups_below_five(questionnaire):
    fill(questionnaire, people=30)
    rows = exports.aggregate_rows(questionnaire=questionnaire)
    assert rows
    for row in rows:
        assert row.count is None or row.count == 0 or row.count >= 5
        assert row.answers is None or row.answers == 0 or row.answers >= 5


def test_the_aggregate_counts_add_up_to_the_answers(questionnaire):
    fill(questionnaire, people=60, seed=9)
    rows = [r for r in exports.aggregate_rows(questionnaire=questionnaire)
            if r.item == "Q01" and r.wave == 1]
    wide = wide_rows(questionnaire)[1:]
    expected = {code: sum(1 for row in wide if row[1] == "1" and row[3] == code)
                for code in ("A", "B", "C", "NSP")}
    assert {r.choice: r.count for r in rows if r.count is not None} == {
        code: n for code, n in expected.items()
        if code in {r.choice for r in rows if r.count is not None}}
    assert rows[0].answers == sum(expected.values())


def test_no_export_holds_a_name(questionnaire):
    fill(questionnaire, people=6)
    Beneficiary.objects.update(first_name="Zéphyrine", last_name="Tartempion")
    texts = [
        "".join(exports.wide_csv_lines(questionnaire=questionnaire)),
        "".join(exports.long_csv_lines(questionnaire=questionnaire)),
        "".join(exports.aggregate_csv_lines(questionnaire=questionnaire)),
        str(sheets(exports.xlsx_build(questionnaire=questionnaire))),
        str(sav(questionnaire)[0].to_dict()),
    ]
    assert not any("Tartempion" in text or "Zéphyrine" in text for text in texts)
