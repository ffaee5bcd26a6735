"""load_questionnaire (formats.md §1): create, correct wording, never change what answers mean."""

import json

import pytest
from django.core.management import CommandError, call_command

from questionnaires.models import Choice, Item, Questionnaire
from tests.factories import AnswerFactory, BeneficiaryFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def load(write_file, definition, slug):
    path = write_file("definition.json", json.dumps(definition, ensure_ascii=False))
    call_command("load_questionnaire", str(path), organisation=slug)


def answer_once(questionnaire, item_code="Q01", choice_code="A"):
    item = questionnaire.items.get(code=item_code)
    AnswerFactory(
        response=ResponseFactory(
            beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation),
            wave=questionnaire.waves.get(number=1)),
        item=item, choice=item.scale.choices.get(code=choice_code))


def test_it_creates_the_questionnaire_of_the_spec(write_file, spec_definition, organisation):
    load(write_file, spec_definition, organisation.slug)
    questionnaire = Questionnaire.objects.get(organisation=organisation, code="cisp-impact")
    assert [w.due_after_days for w in questionnaire.waves.all()] == [0, 90, 180]
    assert [c.code for c in questionnaire.scales.get(key="capacite").choices.all()] == [
        "A", "B", "C", "NSP"]
    assert questionnaire.scales.get().choices.get(code="NSP").score is None
    assert [i.code for i in questionnaire.items.all()] == ["Q01", "Q02"]


def test_a_definition_without_at_exit_has_no_wave_at_exit(
        write_file, spec_definition, organisation):
    load(write_file, spec_definition, organisation.slug)
    questionnaire = Questionnaire.objects.get(organisation=organisation, code="cisp-impact")
    assert not questionnaire.waves.filter(at_exit=True).exists()


def test_it_reads_a_wave_at_exit(write_file, spec_definition, organisation):
    spec_definition["waves"][2]["at_exit"] = True
    load(write_file, spec_definition, organisation.slug)
    questionnaire = Questionnaire.objects.get(organisation=organisation, code="cisp-impact")
    assert [w.at_exit for w in questionnaire.waves.all()] == [False, False, True]


def test_it_refuses_an_at_exit_that_is_not_true_or_false(
        write_file, spec_definition, organisation):
    spec_definition["waves"][2]["at_exit"] = "yes"
    with pytest.raises(CommandError) as error:
        load(write_file, spec_definition, organisation.slug)
    assert "at_exit" in str(error.value)
    assert not Questionnaire.objects.filter(organisation=organisation).exists()


def test_it_refuses_an_unknown_organisation_with_exit_code_2(write_file, spec_definition, db):
    with pytest.raises(CommandError) as error:
        load(write_file, spec_definition, "nowhere")
    assert error.value.returncode == 2
    assert "nowhere" in str(error.value)


def test_it_lists_every_problem_of_a_bad_definition(write_file, spec_definition, organisation):
    spec_definition["waves"] = spec_definition["waves"][:1]
    spec_definition["items"][0]["scale"] = "missing"
    spec_definition["scales"]["capacite"][1]["code"] = "A"
    with pytest.raises(CommandError) as error:
        load(write_file, spec_definition, organisation.slug)
    message = str(error.value)
    assert "au moins 2 vagues" in message
    assert "« missing »" in message
    assert "« A » apparaît deux fois" in message
    assert not Questionnaire.objects.exists()


def test_it_refuses_a_file_that_is_not_json(write_file, organisation):
    path = write_file("definition.json", "{not json")
    with pytest.raises(CommandError):
        call_command("load_questionnaire", str(path), organisation=organisation.slug)


def test_it_corrects_wording_of_a_questionnaire_with_answers(
        write_file, spec_definition, questionnaire):
    answer_once(questionnaire)
    spec_definition["items"][0]["text"] = "Vous sentez-vous capable d'avancer sur votre projet ?"
    spec_definition["scales"]["capacite"][0]["label"] = "Oui, seul·e"
    path = write_file("definition.json", json.dumps(spec_definition, ensure_ascii=False))
    call_command("load_questionnaire", str(path), organisation=questionnaire.organisation.slug,
                 confirm_meaning_unchanged=True)
    assert questionnaire.items.get(code="Q01").text.endswith("votre projet ?")
    assert Choice.objects.get(scale__questionnaire=questionnaire, code="A").label == "Oui, seul·e"


def test_it_adds_an_item_to_a_questionnaire_with_answers(
        write_file, spec_definition, questionnaire):
    answer_once(questionnaire)
    spec_definition["items"].append(
        {"code": "Q03", "text": "Nouvelle question", "dimension": "Lien social",
         "scale": "capacite"})
    load(write_file, spec_definition, questionnaire.organisation.slug)
    assert questionnaire.items.filter(code="Q03").exists()


def test_it_refuses_to_remove_an_item_that_has_answers(write_file, spec_definition, questionnaire):
    answer_once(questionnaire)
    spec_definition["items"] = spec_definition["items"][1:]
    spec_definition["title"] = "Changed title"
    with pytest.raises(CommandError) as error:
        load(write_file, spec_definition, questionnaire.organisation.slug)
    assert "Q01" in str(error.value)
    assert Item.objects.filter(questionnaire=questionnaire, code="Q01").exists()
    questionnaire.refresh_from_db()
    assert questionnaire.title != "Changed title"


def test_it_allows_removing_an_item_nobody_answered(write_file, spec_definition, questionnaire):
    answer_once(questionnaire, item_code="Q01")
    spec_definition["items"] = spec_definition["items"][:1]
    load(write_file, spec_definition, questionnaire.organisation.slug)
    assert not questionnaire.items.filter(code="Q02").exists()


def test_it_refuses_to_recode_a_choice_in_use(write_file, spec_definition, questionnaire):
    answer_once(questionnaire, choice_code="A")
    spec_definition["scales"]["capacite"][0]["code"] = "A1"
    with pytest.raises(CommandError) as error:
        load(write_file, spec_definition, questionnaire.organisation.slug)
    assert "A" in str(error.value)
    assert Choice.objects.filter(scale__questionnaire=questionnaire, code="A").exists()
    assert not Choice.objects.filter(scale__questionnaire=questionnaire, code="A1").exists()


def test_it_refuses_to_change_the_score_of_a_choice_in_use(
        write_file, spec_definition, questionnaire):
    answer_once(questionnaire, choice_code="A")
    spec_definition["scales"]["capacite"][0]["score"] = 10
    with pytest.raises(CommandError):
        load(write_file, spec_definition, questionnaire.organisation.slug)
    assert Choice.objects.get(scale__questionnaire=questionnaire, code="A").score == 3


def test_it_refuses_to_move_an_answered_item_to_another_scale(
        write_file, spec_definition, questionnaire):
    answer_once(questionnaire)
    spec_definition["scales"]["autre"] = [{"code": "O", "label": "Oui", "score": 1}]
    spec_definition["items"][0]["scale"] = "autre"
    with pytest.raises(CommandError):
        load(write_file, spec_definition, questionnaire.organisation.slug)
    assert questionnaire.items.get(code="Q01").scale.key == "capacite"


def test_it_refuses_to_remove_a_wave_with_responses(write_file, spec_definition, questionnaire):
    wave = questionnaire.waves.get(number=3)
    ResponseFactory(beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation),
                    wave=wave)
    spec_definition["waves"] = spec_definition["waves"][:2]
    with pytest.raises(CommandError):
        load(write_file, spec_definition, questionnaire.organisation.slug)
    assert questionnaire.waves.count() == 3


def test_the_same_code_in_another_organisation_is_another_questionnaire(
        write_file, spec_definition, questionnaire, other_organisation):
    spec_definition["items"] = spec_definition["items"][:1]
    load(write_file, spec_definition, other_organisation.slug)
    assert questionnaire.items.count() == 2
    assert Questionnaire.objects.get(organisation=other_organisation).items.count() == 1
