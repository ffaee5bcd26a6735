"""The board's PDF: its figures are the JSON report's, and it names nobody."""

import json
import re
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from beneficiaries.models import Beneficiary
from reports.formatting import chi2_line, count_format
from reports.sections import headline_comparison, report_comparisons

pytestmark = pytest.mark.usefixtures("empty_cache")


def pdf_text(content: bytes, tmp_path) -> str:
    """The PDF's text as pdftotext (poppler-utils) reads it, whitespace collapsed."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return " ".join(text.split())


def json_report(questionnaire, tmp_path, *options: str) -> dict:
    path = tmp_path / "report.json"
    call_command("impact_report", "--organisation", questionnaire.organisation.slug,
                 "--questionnaire", questionnaire.code, "-o", str(path), *options)
    return json.loads(path.read_text(encoding="utf-8"))


def pdf_download(client, membership, questionnaire):
    client.force_login(membership.user)
    return client.get(reverse("reports:pdf", args=[membership.organisation.slug,
                                                   questionnaire.public_id]))


def test_the_pdf_is_a_download_named_after_the_organisation(client, board_member, demo):
    response = pdf_download(client, board_member, demo)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert re.match(r'attachment; filename="demo-rapport-\d{4}-\d{2}-\d{2}\.pdf"',
                    response["Content-Disposition"])


def test_the_pdf_figures_equal_the_boards_json_report(client, director, demo, tmp_path):
    # A PDF leaves the organisation: whoever prints it, it holds the board's figures.
    report = json_report(demo, tmp_path, "--audience", "board")
    text = pdf_text(pdf_download(client, director, demo).content, tmp_path)
    labels = {w["number"]: w["label"] for w in report["waves"]}
    k = headline_comparison(report, report_comparisons(report))
    checked = 0
    with translation.override("fr"):
        for key, count in report["respondents"].items():
            step = " + ".join(labels[int(w)] for w in key.split("-"))
            assert f"{step} {count_format(count)} " in text
        for item in report["items"]:
            assert " ".join(item["text"].split()) in text
            comparison = item["comparisons"][k]
            if comparison["independent"]["chi2"] is not None and all(
                    (f["n_answered"] or 0) >= 5 for f in item["frequencies"]
                    if f["wave"] in comparison["waves"]):
                assert chi2_line(comparison["independent"]) in text
                checked += 1
    # At N = 80 few tables against the exit wave have no hidden cell (their chi-square
    # is withheld with them); the first comparison has more.
    assert checked == sum(item["comparisons"][k]["independent"]["chi2"] is not None
                          for item in report["items"])


def test_a_board_members_pdf_holds_no_beneficiary_code_nor_counsellor(
        client, board_member, demo, tmp_path):
    text = pdf_text(pdf_download(client, board_member, demo).content, tmp_path)
    assert "Rapport d'impact social" in text
    codes = Beneficiary.objects.filter(organisation=demo.organisation).values_list("code",
                                                                                flat=True)
    assert not any(code in text for code in codes)
    assert not any(name in text for name in ("Dubois", "Benali", "Lambert"))


def test_the_pdf_has_a_methodology_page_and_page_numbers(client, director, demo, tmp_path):
    text = pdf_text(pdf_download(client, director, demo).content, tmp_path)
    assert "Comment lire ce rapport" in text
    assert "Ce que signifie p" in text
    assert "Contribution, pas attribution" in text
    assert "Sur combien de personnes repose chaque chiffre" in text
    assert re.search(r"\b2 / (\d+)\b", text)


def test_the_command_writes_the_pdf(demo, tmp_path):
    output = tmp_path / "rapport.pdf"
    call_command("impact_report", "--organisation", demo.organisation.slug,
                 "--questionnaire", "demo", "--format", "pdf", "-o", str(output))
    assert output.read_bytes().startswith(b"%PDF")
    assert demo.title in pdf_text(output.read_bytes(), tmp_path)


def test_the_command_refuses_a_pdf_without_a_file(demo):
    with pytest.raises(CommandError, match=r"-o FICHIER\.pdf") as error:
        call_command("impact_report", "--organisation", demo.organisation.slug,
                     "--questionnaire", "demo", "--format", "pdf")
    assert error.value.returncode == 2


def test_a_second_download_of_the_same_view_is_read_from_the_cache(
        client, board_member, demo, monkeypatch):
    first = pdf_download(client, board_member, demo).content
    monkeypatch.setattr("reports.views.report_pdf", None)  # would fail if called again
    assert pdf_download(client, board_member, demo).content == first
