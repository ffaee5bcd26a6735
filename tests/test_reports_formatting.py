"""Numbers and sentences as French survey tools write them (reports/formatting.py)."""

import pytest
from django.utils import translation

from reports.formatting import (
    bias_sentence,
    chi2_line,
    p_format,
    paired_sentence,
    percent_format,
    sample_claim_sentence,
)

# formats.md's reference figure: wave 1 counts 7 / 39 / 7, wave 2 counts 29 / 24 / 3.
REFERENCE = {"chi2": 18.5474, "dof": 2, "p": 9.386e-05, "significance": "TS", "warnings": []}
PAIRED = {"n": 40, "improved": 21, "stable": 15, "worsened": 4,
          "wilcoxon": {"p": 0.0041, "p_adjusted": None, "warnings": []}}


@pytest.fixture
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_the_chi_square_line_reads_like_the_survey_tools_in_french(french):
    assert chi2_line(REFERENCE) == "p = < 0,01 ; Khi2 = 18,55 ; ddl = 2 (TS)"


def test_the_chi_square_line_reads_in_english(english):
    assert chi2_line(REFERENCE) == "p = < 0.01; Chi2 = 18.55; df = 2 (TS)"


@pytest.mark.parametrize(("p", "text"), [(0.0099, "< 0,01"), (0.01, "0,01"), (0.2345, "0,23"),
                                         (0.5, "0,50")])
def test_p_is_shown_below_a_hundredth_or_with_two_decimals(french, p, text):
    assert p_format(p) == text


def test_a_chi_square_that_could_not_be_computed_says_why(french):
    line = chi2_line({"chi2": None, "p": None, "dof": None, "significance": None,
                      "warnings": [{"code": "single_category", "message": "…"}]})
    assert line.startswith("Khi2 non calculable")
    assert "un seul choix" in line


def test_the_paired_result_is_one_plain_french_sentence(french):
    sentence = " ".join(paired_sentence(PAIRED).split())
    assert sentence == ("Sur 40 personnes suivies, 21 progressent, 15 restent stables, "
                        "4 reculent ; p = 0,004")


def test_the_paired_sentence_gives_the_adjusted_p_beside_the_raw_one(french):
    paired = {**PAIRED, "wilcoxon": {"p": 0.0041, "p_adjusted": 0.0123, "warnings": []}}
    assert " ".join(paired_sentence(paired).split()).endswith("p = 0,004 (p ajusté = 0,012)")


def test_the_paired_sentence_uses_the_singular_for_one_person(french):
    paired = {"n": 6, "improved": 1, "stable": 4, "worsened": 1,
              "wilcoxon": {"p": None, "p_adjusted": None, "warnings": []}}
    assert " ".join(paired_sentence(paired).split()) == (
        "Sur 6 personnes suivies, 1 progresse, 4 restent stables, 1 recule")


def test_a_paired_result_on_fewer_than_five_people_is_withheld(french):
    paired = {**PAIRED, "n": 4, "improved": 2, "stable": 1, "worsened": 1}
    sentence = paired_sentence(paired)
    assert "Moins de 5 personnes" in sentence
    assert "2 progressent" not in sentence


def test_percentages_take_a_comma_and_a_space_in_french(french):
    assert percent_format(16.666) == "16,7\u00a0%"


def test_the_sample_claim_says_how_many_more_people_a_small_change_needs(french):
    power = {"n_pairs": 36, "min_detectable_dz": 0.4802, "target_dz": 0.3,
             "pairs_needed": 90, "pairs_missing": 54}
    sentence = " ".join(sample_claim_sentence(power, first_label="Entrée",
                                              last_label="Sortie").split())
    assert sentence.startswith("Avec 36 personnes suivies entre les vagues « Entrée » et "
                               "« Sortie »")
    assert "taille moyenne" in sentence
    assert "il faudrait 90 personnes suivies, soit 54 de plus" in sentence


def test_a_large_enough_sample_can_show_small_changes(english):
    power = {"n_pairs": 139, "min_detectable_dz": 0.2393, "target_dz": 0.3,
             "pairs_needed": 90, "pairs_missing": 0}
    sentence = sample_claim_sentence(power, first_label="Entry", last_label="Exit")
    assert sentence.startswith("With 139 people followed from Entry to Exit")
    assert "small size (effect size 0.24 or more" in sentence


def test_the_bias_verdict_names_what_differs_without_naming_anyone(french):
    bias = {"verdict": "possible_bias", "stayed": 139, "left": 161,
            "differing": [{"kind": "segment", "name": "counsellor"},
                          {"kind": "item", "name": "Q01"}]}
    sentence = " ".join(bias_sentence(bias, first_label="Entrée", later_label="Mi-parcours",
                                      item_texts={"Q01": "Je me sens capable."}).split())
    assert sentence.startswith("Prudence : à la vague « Entrée », les 139 personnes")
    assert "(conseiller·ère, Q01 « Je me sens capable. »)" in sentence


def test_no_evidence_of_bias_is_said_plainly(french):
    bias = {"verdict": "no_evidence_of_bias", "stayed": 139, "left": 161, "differing": []}
    sentence = bias_sentence(bias, first_label="Entrée", later_label="Mi-parcours",
                             item_texts={})
    assert "rien n'indique que les départs biaisent les résultats" in sentence
