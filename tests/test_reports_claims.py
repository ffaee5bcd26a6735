"""What a reader concludes from the dashboard and the PDF (issue 11: 1, 3, 4, 5, 8).

Real reports (``report_build`` on synthetic data, or the demo seeded in the database) are
rendered to the pages people read, and the tests read the words: the verdict, the caveat
beside it, and nothing that contradicts them.
"""

import html
import re
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from analysis.disclosure import report_for_board
from analysis.report import report_build
from analysis.synthetic import CAPACITE, item_meta, random_survey_data, survey_data_build
from questionnaires.seeding import demo_seed
from reports.presentation import report_view
from tests.test_analysis_verdicts import ITEMS, no_change_dropout_rows

CODES = [code for code, _ in CAPACITE]


def page_html(report: dict) -> str:
    """The PDF's HTML of ``report``, in French (no WeasyPrint: the words are what count)."""
    with translation.override("fr"):
        view = report_view(report, questionnaire_title="Questionnaire test")
        return render_to_string("reports/pdf.html", {
            "organisation": SimpleNamespace(name="CISP test", evaluative_question=""),
            "questionnaire": SimpleNamespace(title="Questionnaire test"),
            "view": view, "period": "", "filters_text": [], "printed_on": "1 janvier 2026",
        })


def text_of(markup: str) -> str:
    markup = re.sub(r"<(style|svg)\b.*?</\1>", " ", markup, flags=re.S)
    text = html.unescape(re.sub(r"</?[a-zA-Z!][^>]*>", " ", markup))
    # French no-break spaces (guillemets, colons, percents) read as spaces.
    return " ".join(text.replace("\u00a0", " ").split())


def without_explanations(markup: str) -> str:
    """The page without its legend and method page, which name every verdict to explain
    them: what is left is what the report claims about this data."""
    markup = re.sub(r'<div class="report-legend.*?</div>', " ", markup, flags=re.S)
    return re.sub(r'<section class="page method">.*?</section>', " ", markup, flags=re.S)


@pytest.fixture(scope="module")
def no_change_page():
    """Nobody changed and low scorers dropped out: the survey-tool table says TS."""
    rows = no_change_dropout_rows(same_answers=True)
    report = report_build(survey_data_build(rows, items=ITEMS, waves=(1, 2, 3)))
    return report, page_html(report)


def improving_report() -> dict:
    """Q01 rises for most people; Q02 does not move."""
    rng = np.random.default_rng(2)
    rows = []
    for b in range(60):
        start = int(rng.integers(0, 2))
        up = start + int(rng.random() < 0.7)
        still = CODES[int(rng.integers(0, 3))]
        rows.append((b, 1, "2024-01-01", [CODES[2 - start], still]))
        rows.append((b, 2, "2024-04-01", [CODES[2 - up], still]))
    items = [item_meta("Q01"), item_meta("Q02", dimension="Mobilité")]
    return report_build(survey_data_build(rows, items=items, waves=(1, 2)))


# ---------------------------------------------------------------------------
# One verdict, and the table that may disagree with it
# ---------------------------------------------------------------------------


def test_a_no_change_dataset_reads_no_change_detected_and_never_progress(no_change_page):
    _report, markup = no_change_page
    claims = text_of(without_explanations(markup))
    assert "Pas de changement détecté" in claims
    assert "Progrès" not in claims
    assert not re.search(r"\bRecul\b", claims)
    assert set(re.findall(r'class="verdict verdict-(\w+)"', markup)) == {"no_change_detected"}


def test_the_no_change_page_says_the_difference_comes_from_who_answered(no_change_page):
    report, markup = no_change_page
    text = text_of(markup)
    assert "la différence vient de qui a répondu, pas d'un changement chez les mêmes " \
           "personnes" in text
    shown = [c for item in report["items"] for c in item["comparisons"][2:]
             if c["independent"]["significance_shown"] in ("TS", "S")]
    assert shown  # the survey-tool table does call it significant


def test_the_survey_tool_label_stays_beside_the_no_change_verdict(no_change_page):
    text = text_of(no_change_page[1])
    assert "(TS)" in text
    assert "Toutes les personnes qui ont répondu à chaque vague (comparaison descriptive)" \
           in text


def test_a_clear_rise_reads_progress_for_that_question_only():
    with translation.override("fr"):
        view = report_view(improving_report(), questionnaire_title="T")
    verdicts = {item.code: item.verdict_label for item in view.items}
    assert verdicts == {"Q01": "Progrès", "Q02": "Pas de changement détecté"}


def test_no_table_marks_cells_under_a_label_that_claims_no_difference(no_change_page):
    report, _markup = no_change_page
    with translation.override("fr"):
        for key in ("1-2", "2-3", "1-3"):
            view = report_view(report, questionnaire_title="T", comparison_key=key)
            for item in view.items:
                marked = any(cell.mark for row in item.rows for cell in row.cells)
                if marked:
                    assert item.chi2_line.endswith(("(TS)", "(S)")), item.chi2_line


def test_the_table_line_carries_no_adjusted_p_beside_its_label(no_change_page):
    markup = no_change_page[1]
    for line in re.findall(r'<span class="chi2">(.*?)</span>', markup):
        assert "ajusté" not in line


def test_the_adjusted_p_and_the_verdict_agree_on_every_question(no_change_page):
    """"Pas de changement détecté" never sits beside an adjusted p below 0.05."""
    report, _markup = no_change_page
    with translation.override("fr"):
        view = report_view(report, questionnaire_title="T")
    for item in view.items:
        match = re.search(r"p ajusté (?:= )?(<?\s?[\d,]+)", item.paired_sentence)
        if match and item.verdict == "no_change_detected":
            value = match.group(1)
            assert not value.startswith("<")
            assert float(value.replace(",", ".")) >= 0.05


# ---------------------------------------------------------------------------
# Words and numbers
# ---------------------------------------------------------------------------


def test_the_french_page_never_writes_equals_less_than_nor_a_decimal_point(no_change_page):
    text = text_of(no_change_page[1])
    assert "= <" not in text
    assert not re.findall(r"\d\.\d", text)


def test_contribution_not_attribution_is_said_once_in_the_pdf(no_change_page):
    assert text_of(no_change_page[1]).count("Contribution, pas attribution") == 1


def test_p_is_explained_as_what_chance_alone_would_produce(no_change_page):
    text = text_of(no_change_page[1])
    assert "si rien n'avait changé, une différence aussi grande apparaîtrait moins d'une " \
           "fois sur 100" in text
    assert "moins d'une chance sur 100 que l'écart soit dû" not in text


def test_dimensions_are_shown_out_of_100_without_zero_width_intervals():
    report = report_build(random_survey_data(300, n_items=10, seed=3))
    with translation.override("fr"):
        view = report_view(report, questionnaire_title="T")
    assert view.dimensions
    for row in view.dimensions:
        for wave in row.waves:
            if wave.ci_text:
                low, high = (float(v.replace(",", ".")) for v in wave.ci_text.split(" à "))
                assert 0 <= low < high <= 100
        if row.change_text:
            assert row.change_text.endswith("points")
            assert row.improved_ci_text.startswith("IC 95")
            assert row.worsened_ci_text.startswith("IC 95")


# ---------------------------------------------------------------------------
# Attrition and outcomes
# ---------------------------------------------------------------------------


def test_attrition_is_told_per_transition_and_never_says_nothing_indicates(no_change_page):
    report, markup = no_change_page
    text = text_of(markup)
    assert "rien n'indique" not in text
    for label in ("Wave 1 → Wave 2", "Wave 2 → Wave 3", "Wave 1 → Wave 3"):
        assert f"{label} :" in text
    for entry in report["attrition"]:
        if entry["bias"]["verdict"] == "differs":
            break
    else:
        pytest.fail("low scorers leaving should make the bias check say so")
    assert "Prudence : à la vague « Wave 1 »" in text


def test_no_difference_detected_states_the_size_that_would_have_been_seen():
    report = report_build(random_survey_data(400, n_items=6, seed=1))
    text = text_of(page_html(report))
    verdicts = {entry["bias"]["verdict"] for entry in report["attrition"]}
    assert "no_difference_detected" in verdicts
    assert re.search(r"une différence de taille \d,\d\d ou plus \(taille \w+\) aurait été vue",
                     text)


def test_leaving_for_a_job_is_shown_as_a_positive_exit_not_as_a_loss():
    data = random_survey_data(300, n_items=6, seed=4)
    exit_date = np.full(data.n_beneficiaries, np.datetime64("NaT"), dtype="datetime64[D]")
    reason = np.full(data.n_beneficiaries, "", dtype=object)
    situation = np.full(data.n_beneficiaries, "", dtype=object)
    late = np.arange(data.n_beneficiaries) % 3 == 0
    exit_date[late] = np.datetime64("2024-03-01")
    reason[late] = "employment"
    situation[late] = np.where(np.arange(late.sum()) % 2 == 0, "employment", "job_seeker")
    import dataclasses
    data = dataclasses.replace(
        data, beneficiary_exit_date=exit_date, beneficiary_exit_reason=reason.astype(str),
        beneficiary_situation_6_months=situation.astype(str),
        as_of=np.datetime64("2026-01-01"))
    report = report_build(data)
    markup = html.unescape(page_html(report))
    text = text_of(markup)
    assert re.search(r'class="attrition-positive"><th scope="row" class="fw-normal">… sortie '
                     r"vers l'emploi", markup)
    assert "une sortie positive, pas une perte" in text
    at_work = report["outcomes"]["at_work_6_months"]
    assert at_work["n"] > 0
    assert re.search(r"\d+ % \(IC 95 % : \d+ % à \d+ %\) en emploi 6 mois après la sortie "
                     rf"\(n = {at_work['n']}\)", text.replace("\u00a0", " "))


# ---------------------------------------------------------------------------
# The board's version: withheld figures
# ---------------------------------------------------------------------------


def test_the_boards_version_renders_withheld_figures_as_dashes_with_the_reason():
    report = report_for_board(report_build(random_survey_data(40, n_items=6, seed=2,
                                                              retention=(1.0, 0.4, 0.12))))
    markup = page_html(report)
    text = text_of(markup)
    assert "—" in text
    assert "chiffre non publié, parce qu'il reposerait sur moins de 5 personnes" in text
    assert "None" not in text
    assert not re.findall(r"\d\.\d", text)


# ---------------------------------------------------------------------------
# The dashboard itself (seeded demo, through the view)
# ---------------------------------------------------------------------------


@pytest.fixture
def demo_dashboard(client, director, organisation):
    cache.clear()
    questionnaire = demo_seed(organisation_slug=organisation.slug, n=80).questionnaire
    client.force_login(director.user)
    response = client.get(reverse("reports:dashboard",
                                  args=[organisation.slug, questionnaire.public_id]))
    cache.clear()
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_shows_a_verdict_for_every_question(demo_dashboard):
    items = re.findall(r'<section class="report-item"', demo_dashboard)
    verdicts = re.findall(r'<p class="item-verdict[^"]*"><span class="verdict verdict-',
                          demo_dashboard)
    assert items
    assert len(verdicts) == len(items)


def test_the_dashboard_reads_as_french_numbers_and_says_contribution_once(demo_dashboard):
    text = text_of(demo_dashboard)
    assert "= <" not in text
    assert not re.findall(r"\d\.\d", text)
    assert text.count("Contribution, pas attribution") == 1
    assert "Qui a répondu, qui est parti" in text
