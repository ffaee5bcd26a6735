"""A stale builder page never overwrites a colleague's change to the questionnaire."""

import pytest

from questionnaires.models import Questionnaire
from tests.page_forms import form_values, opened, opened_then_saved_meanwhile, signed_in
from tests.test_builder_views import url

pytestmark = pytest.mark.django_db


def text_of(questionnaire, code):
    return questionnaire.items.get(code=code).text


def test_an_item_changed_by_both_writes_nothing_and_shows_both_texts(
        questionnaire, manager, director):
    address = url("item_edit", questionnaire) + "?code=Q01"
    mine, stale = opened_then_saved_meanwhile(manager, director, address, {"text": "Leur texte ?"})
    page = mine.post(address, {**stale, "text": "Mon texte ?"}).content.decode()
    assert text_of(questionnaire, "Q01") == "Leur texte ?"
    assert "data-builder-conflict" in page
    assert "Leur texte ?" in page
    resolved = form_values(page)
    assert resolved["text"] == "Mon texte ?"
    mine.post(address, resolved)
    assert text_of(questionnaire, "Q01") == "Mon texte ?"


def test_a_stale_item_page_keeps_a_colleagues_change_to_another_item(
        questionnaire, manager, director):
    mine, theirs = signed_in(manager), signed_in(director)
    first = url("item_edit", questionnaire) + "?code=Q01"
    second = url("item_edit", questionnaire) + "?code=Q02"
    stale = opened(mine, first)
    theirs.post(second, {**opened(theirs, second), "text": "Leur texte ?"})
    mine.post(first, {**stale, "text": "Mon texte ?"})
    assert (text_of(questionnaire, "Q01"), text_of(questionnaire, "Q02")) == (
        "Mon texte ?", "Leur texte ?")


def test_a_stale_title_page_does_not_revert_the_waves_changed_meanwhile(
        questionnaire, manager, director):
    address = url("general", questionnaire)
    mine, stale = opened_then_saved_meanwhile(
        manager, director, address, {"waves-1-label": "Milieu"})
    mine.post(address, {**stale, "title": "Nouveau titre"})
    questionnaire.refresh_from_db()
    assert questionnaire.title == "Nouveau titre"
    assert questionnaire.waves.get(number=2).label == "Milieu"


def test_a_title_changed_by_both_is_shown_with_their_other_changes_in_the_form(
        questionnaire, manager, director):
    address = url("general", questionnaire)
    mine, stale = opened_then_saved_meanwhile(
        manager, director, address, {"title": "Leur titre", "waves-1-label": "Milieu"})
    page = mine.post(address, {**stale, "title": "Mon titre"}).content.decode()
    assert "data-builder-conflict" in page
    questionnaire.refresh_from_db()
    assert questionnaire.title == "Leur titre"
    resolved = form_values(page)
    assert (resolved["title"], resolved["waves-1-label"]) == ("Mon titre", "Milieu")
    mine.post(address, resolved)
    questionnaire.refresh_from_db()
    assert questionnaire.title == "Mon titre"
    assert questionnaire.waves.get(number=2).label == "Milieu"


def test_a_choice_relabelled_by_both_shows_both_labels(questionnaire, manager, director):
    address = url("scale_edit", questionnaire, "capacite")
    mine, stale = opened_then_saved_meanwhile(
        manager, director, address,
        {"choices-0-label": "Oui, seul·e", "choices-2-label": "Non, je ne sais pas"})
    page = mine.post(address, {**stale, "choices-0-label": "Oui, tout seul"}).content.decode()
    assert "data-builder-conflict" in page
    assert "Oui, seul·e" in page
    resolved = form_values(page)
    assert (resolved["choices-0-label"], resolved["choices-2-label"]) == (
        "Oui, tout seul", "Non, je ne sais pas")


def test_each_change_of_the_definition_adds_one_to_its_version(questionnaire, manager):
    client = signed_in(manager)
    address = url("item_edit", questionnaire) + "?code=Q01"
    client.post(address, {**opened(client, address), "text": "Autre ?"})
    client.post(url("item_move", questionnaire), {"code": "Q02", "direction": "up"})
    assert Questionnaire.objects.get().version == 3


def test_an_altered_version_record_is_refused(questionnaire, manager):
    client = signed_in(manager)
    address = url("item_edit", questionnaire) + "?code=Q01"
    page = client.post(address, {**opened(client, address), "text": "Autre ?",
                                 "shown": "forged"}).content.decode()
    assert "Le formulaire a expiré" in page
    assert text_of(questionnaire, "Q01") != "Autre ?"
