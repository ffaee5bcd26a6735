"""The builder's services: small edits of a definition, applied through questionnaire_load."""

import pytest

from questionnaires import builder
from questionnaires.definitions import ChoiceDef, DefinitionInvalid, ItemDef
from questionnaires.models import Questionnaire
from questionnaires.services import questionnaire_definition
from tests.factories import AnswerFactory, BeneficiaryFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def answer(questionnaire, item_code="Q01", choice_code="A", wave_number=1):
    item = questionnaire.items.get(code=item_code)
    response = ResponseFactory(
        wave=questionnaire.waves.get(number=wave_number),
        beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation))
    return AnswerFactory(response=response, item=item,
                         choice=item.scale.choices.get(code=choice_code))


def codes(questionnaire):
    return list(questionnaire.items.order_by("order").values_list("code", flat=True))


def test_it_creates_a_draft_from_the_methods_model(organisation):
    questionnaire = builder.questionnaire_create(
        organisation=organisation, code="suivi", title="Suivi")
    assert questionnaire.status == Questionnaire.Status.DRAFT
    assert questionnaire.waves.count() == 3
    assert codes(questionnaire) == ["Q01"]
    assert [c.score for c in questionnaire.scales.get().choices.all()] == [3, 2, 1, None]


def test_it_refuses_a_code_already_used(questionnaire):
    with pytest.raises(DefinitionInvalid):
        builder.questionnaire_create(organisation=questionnaire.organisation,
                                     code=questionnaire.code, title="Autre")


def test_it_adds_an_item_at_the_end_of_its_dimension(questionnaire):
    definition = builder.definition_with_item(
        builder.definition_of(questionnaire), old_code=None,
        item=ItemDef(code="Q03", text="Texte", dimension="Projet personnel", scale="capacite"))
    builder.definition_apply(questionnaire=questionnaire, definition=definition)
    assert codes(questionnaire) == ["Q01", "Q03", "Q02"]


def test_it_moves_an_item_down_within_its_dimension(questionnaire):
    definition = builder.definition_with_item(
        builder.definition_of(questionnaire), old_code=None,
        item=ItemDef(code="Q03", text="Texte", dimension="Projet personnel", scale="capacite"))
    moved = builder.definition_item_move(definition, code="Q01", step=1)
    builder.definition_apply(questionnaire=questionnaire, definition=moved)
    assert codes(questionnaire) == ["Q03", "Q01", "Q02"]


def test_moving_the_last_item_of_a_dimension_down_changes_nothing(questionnaire):
    definition = builder.definition_of(questionnaire)
    assert builder.definition_item_move(definition, code="Q01", step=1) == definition


def test_it_moves_a_whole_dimension(questionnaire):
    definition = builder.definition_dimension_move(
        builder.definition_of(questionnaire), dimension="Autonomie administrative", step=-1)
    builder.definition_apply(questionnaire=questionnaire, definition=definition)
    assert codes(questionnaire) == ["Q02", "Q01"]


def test_an_item_moved_to_another_dimension_joins_its_end(questionnaire):
    definition = builder.definition_of(questionnaire)
    q01 = definition.items[0]
    edited = builder.definition_with_item(
        definition, old_code="Q01",
        item=ItemDef(code="Q01", text=q01.text, dimension="Autonomie administrative",
                     scale="capacite"))
    assert [(i.code, i.dimension) for i in edited.items] == [
        ("Q02", "Autonomie administrative"), ("Q01", "Autonomie administrative")]


def test_it_refuses_a_second_item_with_the_same_code(questionnaire):
    with pytest.raises(DefinitionInvalid):
        builder.definition_with_item(
            builder.definition_of(questionnaire), old_code=None,
            item=ItemDef(code="Q02", text="Texte", dimension="X", scale="capacite"))


def test_renaming_a_scale_takes_its_items_along(questionnaire):
    definition = builder.definition_of(questionnaire)
    renamed = builder.definition_with_scale(
        definition, old_key="capacite", key="accord",
        choices=list(definition.scales["capacite"]))
    builder.definition_apply(questionnaire=questionnaire, definition=renamed)
    assert set(questionnaire.items.values_list("scale__key", flat=True)) == {"accord"}


def test_it_refuses_to_remove_a_scale_in_use(questionnaire):
    with pytest.raises(DefinitionInvalid) as refusal:
        builder.definition_without_scale(builder.definition_of(questionnaire), key="capacite")
    assert "Q01" in refusal.value.problems[0]


def test_wording_of_an_answered_item_can_be_corrected(questionnaire):
    answer(questionnaire)
    definition = builder.definition_of(questionnaire)
    edited = builder.definition_with_item(
        definition, old_code="Q01",
        item=ItemDef(code="Q01", text="Nouveau texte ?", dimension="Projet personnel",
                     scale="capacite"))
    builder.definition_apply(questionnaire=questionnaire, definition=edited,
                             confirm_meaning_unchanged=True)
    assert questionnaire.items.get(code="Q01").text == "Nouveau texte ?"


def test_it_refuses_to_rescore_an_answered_choice_and_changes_nothing(questionnaire):
    answer(questionnaire, choice_code="A")
    before = questionnaire_definition(questionnaire=questionnaire)
    definition = builder.definition_of(questionnaire)
    choices = [ChoiceDef(code=c.code, label=c.label, score=5 if c.code == "A" else c.score)
               for c in definition.scales["capacite"]]
    with pytest.raises(DefinitionInvalid) as refusal:
        builder.definition_apply(
            questionnaire=questionnaire,
            definition=builder.definition_with_scale(definition, old_key="capacite",
                                                     key="capacite", choices=choices))
    assert "score" in refusal.value.problems[0]
    assert questionnaire_definition(questionnaire=questionnaire) == before


def test_it_refuses_an_invalid_definition_before_writing(questionnaire):
    definition = builder.definition_with_general(
        builder.definition_of(questionnaire), title="Titre", waves=[("Entrée", 0)])
    with pytest.raises(DefinitionInvalid):
        builder.definition_apply(questionnaire=questionnaire, definition=definition)
    assert questionnaire.waves.count() == 3


def test_publishing_makes_it_published(questionnaire):
    builder.questionnaire_publish(questionnaire=questionnaire)
    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.PUBLISHED


def test_items_are_grouped_by_dimension_in_order_of_first_appearance():
    items = [ItemDef("a", "t", "X", "s"), ItemDef("b", "t", "Y", "s"), ItemDef("c", "t", "X", "s")]
    assert [(d, [i.code for i in group]) for d, group in builder.items_grouped(items)] == [
        ("X", ["a", "c"]), ("Y", ["b"])]
