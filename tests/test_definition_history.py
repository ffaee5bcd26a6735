"""Definitions keep their history, and rewording what people answered needs a confirmation."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from questionnaires.models import Choice, Item
from questionnaires.services import MEANING_UNCHANGED_REASON
from tests.factories import AnswerFactory, BeneficiaryFactory, ResponseFactory
from tests.test_builder_views import url

pytestmark = pytest.mark.django_db

SWAPPED = "Non je ne sais pas comment m'y prendre"  # the label of C, given to answered A


def answer(questionnaire, item_code="Q01", choice_code="A"):
    item = questionnaire.items.get(code=item_code)
    AnswerFactory(response=ResponseFactory(
        beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation),
        wave=questionnaire.waves.get(number=1)),
        item=item, choice=item.scale.choices.get(code=choice_code))


def load(write_file, definition, slug, **options):
    path = write_file("definition.json", json.dumps(definition, ensure_ascii=False))
    call_command("load_questionnaire", str(path), organisation=slug, **options)


def scale_post(labels: dict[str, str]) -> dict:
    data = {"key": "capacite", "choices-TOTAL_FORMS": "4", "choices-INITIAL_FORMS": "4"}
    choices = [("A", "3"), ("B", "2"), ("C", "1"), ("NSP", "")]
    for index, (code, score) in enumerate(choices):
        data |= {f"choices-{index}-code": code, f"choices-{index}-label": labels[code],
                 f"choices-{index}-score": score, f"choices-{index}-ORDER": str(index + 1)}
    return data


def current_labels(questionnaire) -> dict[str, str]:
    return dict(Choice.objects.filter(scale__questionnaire=questionnaire)
                .values_list("code", "label"))


# -- load_questionnaire ------------------------------------------------------------------------


def test_relabelling_an_answered_choice_is_refused_without_confirmation_listing_it(
        write_file, spec_definition, questionnaire):
    answer(questionnaire, choice_code="A")
    spec_definition["scales"]["capacite"][0]["label"] = SWAPPED
    with pytest.raises(CommandError, match="--confirm-meaning-unchanged") as refusal:
        load(write_file, spec_definition, questionnaire.organisation.slug)
    assert SWAPPED in str(refusal.value)
    assert current_labels(questionnaire)["A"] == "Oui je m'en sens capable par moi-même"


def test_the_confirmation_flag_writes_the_relabelling_and_records_it(
        write_file, spec_definition, questionnaire):
    answer(questionnaire, choice_code="A")
    spec_definition["scales"]["capacite"][0]["label"] = "Oui, seul·e"
    load(write_file, spec_definition, questionnaire.organisation.slug,
         confirm_meaning_unchanged=True)
    choice = Choice.objects.get(scale__questionnaire=questionnaire, code="A")
    latest = choice.history.latest()
    assert (choice.label, latest.history_change_reason) == ("Oui, seul·e",
                                                            MEANING_UNCHANGED_REASON)
    assert latest.prev_record.label == "Oui je m'en sens capable par moi-même"


def test_rewording_an_item_without_answers_needs_no_confirmation(
        write_file, spec_definition, questionnaire):
    answer(questionnaire, item_code="Q01")
    spec_definition["items"][1]["text"] = "Remplissez-vous seul un formulaire ?"
    load(write_file, spec_definition, questionnaire.organisation.slug)
    assert questionnaire.items.get(code="Q02").text == "Remplissez-vous seul un formulaire ?"


def test_loading_the_same_definition_again_records_no_change(
        write_file, spec_definition, questionnaire):
    before = Item.history.count() + Choice.history.count()
    load(write_file, spec_definition, questionnaire.organisation.slug)
    assert Item.history.count() + Choice.history.count() == before


# -- The builder -------------------------------------------------------------------------------


def test_the_builder_asks_before_swapping_labels_of_answered_choices(client, manager,
                                                                     questionnaire):
    answer(questionnaire, choice_code="A")
    labels = current_labels(questionnaire)
    swapped = {**labels, "A": labels["C"], "C": labels["A"]}
    client.force_login(manager.user)
    response = client.post(url("scale_edit", questionnaire, "capacite"), scale_post(swapped),
                           HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Le sens est inchangé" in response.content.decode()
    assert current_labels(questionnaire) == labels


def test_the_builder_writes_a_relabelling_once_the_meaning_is_confirmed(client, manager,
                                                                        questionnaire):
    answer(questionnaire, choice_code="A")
    labels = {**current_labels(questionnaire), "A": "Oui, par moi-même"}
    client.force_login(manager.user)
    response = client.post(url("scale_edit", questionnaire, "capacite"),
                           scale_post(labels) | {"confirm_meaning_unchanged": "on"})
    assert response.status_code == 302
    assert current_labels(questionnaire)["A"] == "Oui, par moi-même"


def test_rewording_an_answered_item_in_the_builder_asks_first(client, manager, questionnaire):
    answer(questionnaire, item_code="Q01")
    client.force_login(manager.user)
    response = client.post(url("item_edit", questionnaire) + "?code=Q01", {
        "code": "Q01", "text": "Êtes-vous capable de trouver un emploi ?",
        "dimension": "Projet personnel", "scale": "capacite"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert 'name="confirm_meaning_unchanged"' in response.content.decode()
    assert questionnaire.items.get(code="Q01").text.endswith("projet professionnel ?")


def test_importing_a_definition_that_relabels_answers_asks_first(client, manager,
                                                                 spec_definition, questionnaire):
    answer(questionnaire, choice_code="A")
    spec_definition["scales"]["capacite"][0]["label"] = SWAPPED
    client.force_login(manager.user)
    response = client.post(
        reverse("questionnaires:definition_import", args=[manager.organisation.slug]),
        {"file": SimpleUploadedFile("d.json", json.dumps(spec_definition).encode())},
        HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Le sens est inchangé" in response.content.decode()
    assert current_labels(questionnaire)["A"] != SWAPPED


# -- The history page --------------------------------------------------------------------------


def test_the_history_page_shows_who_changed_what_old_and_new(client, manager, questionnaire):
    answer(questionnaire, choice_code="A")
    manager.user.first_name, manager.user.last_name = "Gaëlle", "Gestion"
    manager.user.save()
    client.force_login(manager.user)
    labels = {**current_labels(questionnaire), "A": "Oui, par moi-même"}
    client.post(url("scale_edit", questionnaire, "capacite"),
                scale_post(labels) | {"confirm_meaning_unchanged": "on"})
    page = client.get(url("history", questionnaire), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Gaëlle Gestion" in text
    assert "<del>Oui je m&#x27;en sens capable par moi-même</del>" in text
    assert "<ins>Oui, par moi-même</ins>" in text
    assert "Sens confirmé inchangé" in text


def test_counsellors_and_outsiders_do_not_see_the_history(client, counsellor, outsider,
                                                          questionnaire):
    for member in (counsellor, outsider):
        client.force_login(member.user)
        assert client.get(url("history", questionnaire)).status_code == 404
