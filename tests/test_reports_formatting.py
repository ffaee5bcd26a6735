"""Numbers and sentences as French survey tools write them (reports/formatting.py)."""

import pytest
from django.utils import translation

from reports.formatting import (
    at_work_sentence,
    bias_sentence,
    chi2_line,
    interval_format,
    p_format,
    p_meaning,
    paired_sentence,
    percent_format,
    sample_claim_sentence,
    sensitivity_sentence,
    share_format,
    verdict_label,
)

# formats.md's reference figure: wave 1 counts 7 / 39 / 7, wave 2 counts 29 / 24 / 3.
REFERENCE = {"chi2": 18.5474, "dof": 2, "p": 9.386e-05, "significance": "TS", "warnings": []}
PAIRED = {"n": 40, "improved": 21, "stable": 15, "worsened": 4, "test": "wilcoxon",
          "p": 0.0041, "p_adjusted": 0.0123,
          "wilcoxon": {"p": 0.0041, "p_adjusted": 0.0123, "warnings": []}}


def plain(text: str) -> str:
    """French typography puts no-break spaces inside guillemets and before colons."""
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_the_chi_square_line_reads_like_the_survey_tools_in_french(french):
    assert chi2_line(REFERENCE) == "p < 0,01 ; Khi2 = 18,55 ; ddl = 2 (TS)"


def test_the_chi_square_line_reads_in_english(english):
    assert chi2_line(REFERENCE) == "p < 0.01; Chi2 = 18.55; df = 2 (TS)"


def test_a_p_above_a_hundredth_takes_an_equals_sign(french):
    line = chi2_line({**REFERENCE, "p": 0.2345, "significance": "NS"})
    assert line.startswith("p = 0,23 ; Khi2")


def test_a_sparse_table_shows_the_exact_p_its_label_comes_from(french):
    sparse = {**REFERENCE, "p": 0.036, "significance": "S", "exact_p": 0.10,
              "exact_method": "fisher", "significance_shown": "PS"}
    line = chi2_line(sparse)
    assert line == "p = 0,10 exact (Fisher) ; Khi2 = 18,55 ; ddl = 2 (PS)"
    assert "(S)" not in line


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
                        "4 reculent ; p ajusté = 0,012")


def test_the_paired_sentence_gives_the_adjusted_p_the_verdict_rests_on(french):
    paired = {**PAIRED, "test": "mcnemar_exact", "p": 0.2, "p_adjusted": 0.31}
    assert " ".join(paired_sentence(paired).split()).endswith("p ajusté = 0,310")


def test_a_suppressed_paired_result_says_why_without_crashing(french):
    paired = {**PAIRED, "improved": 36, "stable": None, "worsened": None}
    sentence = plain(paired_sentence(paired))
    assert sentence.startswith("Sur 40 personnes suivies, 36 progressent (les autres nombres "
                               "ne sont pas publiés")
    assert "None" not in sentence
    assert sentence.endswith("p ajusté = 0,012")


def test_a_board_table_with_hidden_cells_keeps_its_label_but_not_its_figures(french):
    board = {"counts": {"A": [40, None], "B": [54, 6]}, "n": [94, None], "chi2": None,
             "p": None, "dof": 1, "significance_shown": "TS", "warnings": []}
    line = plain(chi2_line(board))
    assert line == ("Détail du khi2 non publié : il permettrait de retrouver un effectif "
                    "masqué (TS)")


def test_the_paired_sentence_uses_the_singular_for_one_person(french):
    paired = {"n": 6, "improved": 1, "stable": 4, "worsened": 1, "p": None,
              "p_adjusted": None, "wilcoxon": {"p": None, "p_adjusted": None, "warnings": []}}
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
    bias = {"verdict": "differs", "n_answered": 139, "n_missing": 161,
            "differing": [{"kind": "segment", "name": "counsellor"},
                          {"kind": "item", "name": "Q01"}]}
    sentence = plain(bias_sentence(bias, first_label="Entrée", later_label="Mi-parcours",
                                   item_texts={"Q01": "Je me sens capable."}))
    assert sentence.startswith("Prudence : à la vague « Entrée », les 139 personnes")
    assert "(conseiller·ère, Q01 « Je me sens capable. »)" in sentence


def test_no_difference_detected_says_what_size_would_have_been_seen(french):
    bias = {"verdict": "no_difference_detected", "n_answered": 139, "n_missing": 161,
            "detectable_effect": 0.3312, "differing": []}
    sentence = plain(bias_sentence(bias, first_label="Entrée", later_label="Mi-parcours",
                                   item_texts={}))
    assert "une différence de taille 0,33 ou plus (taille faible) aurait été vue" in sentence
    assert "rien n'indique" not in sentence


def test_too_few_people_to_check_departures_gives_no_verdict(french):
    bias = {"verdict": "too_few", "n_answered": 7, "n_missing": 5, "differing": []}
    sentence = bias_sentence(bias, first_label="Entrée", later_label="Sortie", item_texts={})
    assert "trop peu pour vérifier" in sentence
    assert "rien n'indique" not in sentence


@pytest.mark.parametrize(("verdict", "label"), [
    ("progress", "Progrès"), ("decline", "Recul"),
    ("no_change_detected", "Pas de changement détecté"), ("too_few", "Trop peu de personnes")])
def test_each_verdict_has_its_french_words(french, verdict, label):
    assert verdict_label(verdict) == label


def test_p_is_explained_as_what_would_happen_if_nothing_had_changed(french):
    assert p_meaning(0.004) == ("si rien n'avait changé, une différence aussi grande "
                                "apparaîtrait moins d'une fois sur 100")


def test_an_interval_of_zero_width_is_not_shown(french):
    assert interval_format([50.0, 50.0]) == ""
    assert interval_format([41.04, 58.96]) == "41,0 à 59,0"


def test_a_share_carries_its_wilson_interval_in_french(french):
    assert plain(share_format({"value": 0.4, "ci": [0.2188, 0.6134]})) == (
        "40 % (IC 95 % : 22 % à 61 %)")


def test_a_withheld_share_is_a_dash(french):
    assert share_format({"value": None, "ci": None}) == "—"


def test_the_share_at_work_six_months_after_leaving_gives_its_base(french):
    sentence = at_work_sentence({"count": 8, "n": 20, "value": 0.4, "ci": [0.2188, 0.6134]})
    assert plain(sentence) == ("40 % (IC 95 % : 22 % à 61 %) en emploi 6 mois après la "
                               "sortie (n = 20)")


def test_the_reweighted_evolution_is_one_line_in_points(french):
    line = sensitivity_sentence({"method": "ipw", "n": 80, "mean_difference_0_100": 6.25,
                                 "warning": None})
    assert plain(line) == "Repondéré selon les départs : +6,2 points."


@pytest.mark.parametrize("precise", [True, False])
def test_an_adjusted_p_below_the_threshold_takes_no_equals_sign(french, precise):
    from reports.formatting import adjusted_p_note

    note = adjusted_p_note(0.0004, precise=precise)
    assert note.startswith("p ajusté < 0,0")
    assert "= <" not in note
