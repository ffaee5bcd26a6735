"""The questionnaire builder's pages: who may use them, and what they do."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from questionnaires.definitions import definition_parse
from questionnaires.models import Questionnaire
from questionnaires.services import questionnaire_definition, questionnaire_load
from tests.factories import AnswerFactory, BeneficiaryFactory, ResponseFactory

pytestmark = pytest.mark.django_db

# (url name, needs the questionnaire, extra args, method) of every page of the app.
PAGES = [
    ("list", False, [], "get"),
    ("create", False, [], "get"),
    ("definition_import", False, [], "get"),
    ("builder", True, [], "get"),
    ("general", True, [], "get"),
    ("scale_create", True, [], "get"),
    ("scale_edit", True, ["capacite"], "get"),
    ("scale_delete", True, ["capacite"], "post"),
    ("item_edit", True, [], "get"),
    ("item_delete", True, [], "post"),
    ("item_move", True, [], "post"),
    ("dimension_move", True, [], "post"),
    ("publish", True, [], "post"),
    ("preview", True, [], "get"),
    ("definition_download", True, [], "get"),
    ("upload", True, [], "get"),
    ("upload_confirm", True, [], "post"),
    ("exports", True, [], "get"),
    ("export_csv", True, [], "get"),
    ("export_long", True, [], "get"),
    ("export_xlsx", True, [], "get"),
    ("export_sav", True, [], "get"),
    ("export_aggregate_csv", True, [], "get"),
    ("export_aggregate_xlsx", True, [], "get"),
]
BOARD_PAGES = {"list", "exports", "export_aggregate_csv", "export_aggregate_xlsx"}


def page_url(name, questionnaire, extra, slug=None):
    slug = slug or questionnaire.organisation.slug
    args = [slug, questionnaire.public_id, *extra] if name not in {
        "list", "create", "definition_import"} else [slug]
    return reverse(f"questionnaires:{name}", args=args)


def url(name, questionnaire, *extra):
    return reverse(f"questionnaires:{name}",
                   args=[questionnaire.organisation.slug, questionnaire.public_id, *extra])


def answer(questionnaire, item_code="Q01", choice_code="A"):
    item = questionnaire.items.get(code=item_code)
    response = ResponseFactory(
        wave=questionnaire.waves.get(number=1),
        beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation))
    return AnswerFactory(response=response, item=item,
                         choice=item.scale.choices.get(code=choice_code))


def french(message, **values):
    with translation.override("fr"):
        return escape(translation.gettext(message) % values)


def request(client, method, address):
    return client.post(address) if method == "post" else client.get(address)


@pytest.mark.parametrize(("name", "_q", "extra", "method"), PAGES)
def test_anonymous_users_are_sent_to_log_in(client, questionnaire, name, _q, extra, method):
    response = request(client, method, page_url(name, questionnaire, extra))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "_q", "extra", "method"), PAGES)
def test_a_user_of_another_organisation_gets_404(
        client, questionnaire, outsider, name, _q, extra, method):
    client.force_login(outsider.user)
    assert request(client, method, page_url(name, questionnaire, extra)).status_code == 404


@pytest.mark.parametrize(("name", "_q", "extra", "method"),
                         [page for page in PAGES if page[1]])
def test_another_organisations_questionnaire_is_404_under_ones_own_slug(
        client, questionnaire, outsider, name, _q, extra, method):
    client.force_login(outsider.user)
    address = page_url(name, questionnaire, extra, slug=outsider.organisation.slug)
    assert request(client, method, address).status_code == 404


@pytest.mark.parametrize(("name", "_q", "extra", "method"), PAGES)
def test_counsellors_get_404(client, questionnaire, counsellor, name, _q, extra, method):
    client.force_login(counsellor.user)
    assert request(client, method, page_url(name, questionnaire, extra)).status_code == 404


@pytest.mark.parametrize(("name", "_q", "extra", "method"),
                         [page for page in PAGES if page[0] not in BOARD_PAGES])
def test_board_members_get_404_outside_aggregates(
        client, questionnaire, board_member, name, _q, extra, method):
    client.force_login(board_member.user)
    assert request(client, method, page_url(name, questionnaire, extra)).status_code == 404


@pytest.mark.parametrize("name", sorted(BOARD_PAGES))
def test_board_members_reach_the_aggregate_pages(client, questionnaire, board_member, name):
    client.force_login(board_member.user)
    assert client.get(page_url(name, questionnaire, [])).status_code == 200


@pytest.mark.parametrize("role", ["manager", "director"])
def test_managers_and_directors_open_the_builder(client, questionnaire, role, request):
    membership = request.getfixturevalue(role)
    client.force_login(membership.user)
    response = client.get(url("builder", questionnaire))
    assert response.status_code == 200
    assert "Vous sentez-vous capable de remplir seul un formulaire ?" in response.content.decode()


def test_the_list_shows_the_organisations_questionnaires_only(
        client, questionnaire, manager, other_organisation, spec_definition):
    spec_definition["code"] = "secret-ailleurs"
    questionnaire_load(organisation=other_organisation,
                       definition=definition_parse(spec_definition))
    client.force_login(manager.user)
    content = client.get(reverse("questionnaires:list", args=[manager.organisation.slug]))
    assert questionnaire.code in content.content.decode()
    assert "secret-ailleurs" not in content.content.decode()


def test_the_navigation_links_managers_to_the_questionnaires(client, questionnaire, manager):
    client.force_login(manager.user)
    content = client.get(url("builder", questionnaire)).content.decode()
    assert reverse("questionnaires:list", args=[manager.organisation.slug]) in content


def test_it_creates_a_questionnaire(client, manager):
    client.force_login(manager.user)
    response = client.post(reverse("questionnaires:create", args=[manager.organisation.slug]),
                           {"code": "suivi-2025", "title": "Suivi 2025"})
    questionnaire = Questionnaire.objects.get(organisation=manager.organisation, code="suivi-2025")
    assert response["Location"] == url("builder", questionnaire)
    assert questionnaire.status == Questionnaire.Status.DRAFT


def test_it_refuses_a_taken_code_and_keeps_what_was_typed(client, questionnaire, manager):
    client.force_login(manager.user)
    response = client.post(reverse("questionnaires:create", args=[manager.organisation.slug]),
                           {"code": questionnaire.code, "title": "Mon titre"})
    assert response.status_code == 200
    assert 'value="Mon titre"' in response.content.decode()
    assert Questionnaire.objects.filter(organisation=manager.organisation).count() == 1


def test_it_adds_a_wave_and_renames_one(client, questionnaire, manager):
    client.force_login(manager.user)
    data = {"title": "Nouveau titre", "waves-TOTAL_FORMS": "4", "waves-INITIAL_FORMS": "3",
            "waves-0-label": "Début", "waves-0-due_after_days": "0",
            "waves-1-label": "Mi-parcours", "waves-1-due_after_days": "90",
            "waves-2-label": "Sortie", "waves-2-due_after_days": "180",
            "waves-3-label": "Suivi à 1 an", "waves-3-due_after_days": "365"}
    response = client.post(url("general", questionnaire), data)
    assert response.status_code == 302
    assert list(questionnaire.waves.values_list("number", "label")) == [
        (1, "Début"), (2, "Mi-parcours"), (3, "Sortie"), (4, "Suivi à 1 an")]


def test_it_makes_the_last_wave_at_exit_with_its_window(client, questionnaire, manager):
    client.force_login(manager.user)
    data = {"title": "T", "exit_window_days": "30",
            "waves-TOTAL_FORMS": "3", "waves-INITIAL_FORMS": "3",
            "waves-0-label": "Entrée", "waves-0-due_after_days": "0",
            "waves-1-label": "Mi-parcours", "waves-1-due_after_days": "90",
            "waves-2-label": "Sortie", "waves-2-due_after_days": "180", "waves-2-at_exit": "on"}
    response = client.post(url("general", questionnaire), data)
    assert response.status_code == 302
    assert list(questionnaire.waves.values_list("number", "at_exit")) == [
        (1, False), (2, False), (3, True)]
    questionnaire.refresh_from_db()
    assert questionnaire.exit_window_days == 30
    download = client.get(url("definition_download", questionnaire))
    assert [w.get("at_exit") for w in json.loads(download.content)["waves"]] == [
        None, None, True]


def test_it_refuses_to_remove_a_wave_in_the_middle(client, questionnaire, manager):
    client.force_login(manager.user)
    data = {"title": "T", "waves-TOTAL_FORMS": "3", "waves-INITIAL_FORMS": "3",
            "waves-0-label": "Entrée", "waves-0-due_after_days": "0",
            "waves-1-label": "Mi-parcours", "waves-1-due_after_days": "90",
            "waves-1-DELETE": "on",
            "waves-2-label": "Sortie", "waves-2-due_after_days": "180"}
    response = client.post(url("general", questionnaire), data)
    assert response.status_code == 200
    assert questionnaire.waves.count() == 3


def test_it_adds_an_item(client, questionnaire, manager):
    client.force_login(manager.user)
    response = client.post(url("item_edit", questionnaire), {
        "code": "Q03", "text": "Savez-vous où chercher des offres ?",
        "dimension": "Projet personnel", "scale": "capacite"})
    assert response.status_code == 302
    assert list(questionnaire.items.values_list("code", flat=True)) == ["Q01", "Q03", "Q02"]


def test_it_moves_an_item_up(client, questionnaire, manager):
    client.force_login(manager.user)
    client.post(url("item_edit", questionnaire), {
        "code": "Q03", "text": "Texte", "dimension": "Projet personnel", "scale": "capacite"})
    client.post(url("item_move", questionnaire), {"code": "Q03", "direction": "up"})
    assert list(questionnaire.items.values_list("code", flat=True)) == ["Q03", "Q01", "Q02"]


def test_it_moves_a_dimension_down(client, questionnaire, manager):
    client.force_login(manager.user)
    client.post(url("dimension_move", questionnaire),
                {"dimension": "Projet personnel", "direction": "down"})
    assert list(questionnaire.items.values_list("code", flat=True)) == ["Q02", "Q01"]


def test_it_publishes_for_the_people_who_enter_from_the_chosen_date(
        client, questionnaire, manager):
    client.force_login(manager.user)
    client.post(url("publish", questionnaire), {"entered_from": "2026-09-01"})
    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.PUBLISHED
    assert (questionnaire.scope_entered_from, questionnaire.scope_programmes) == (
        dt.date(2026, 9, 1), [])


def test_publishing_without_a_date_changes_nothing(client, questionnaire, manager):
    client.force_login(manager.user)
    response = client.post(url("publish", questionnaire), {"entered_from": "demain"})
    questionnaire.refresh_from_db()
    assert response.status_code == 200
    assert questionnaire.status == Questionnaire.Status.DRAFT


def test_it_refuses_a_meaning_change_with_a_message_and_changes_nothing(
        client, questionnaire, manager):
    answer(questionnaire, choice_code="A")
    before = questionnaire_definition(questionnaire=questionnaire)
    client.force_login(manager.user)
    data = {"key": "capacite", "choices-TOTAL_FORMS": "4", "choices-INITIAL_FORMS": "4"}
    for index, (code, score) in enumerate([("A", "4"), ("B", "2"), ("C", "1"), ("NSP", "")]):
        data |= {f"choices-{index}-code": code, f"choices-{index}-label": f"Libellé {code}",
                 f"choices-{index}-score": score, f"choices-{index}-ORDER": str(index + 1)}
    response = client.post(url("scale_edit", questionnaire, "capacite"), data)
    assert response.status_code == 200
    assert french("Choice %(code)s of scale “%(scale)s” has answers: its score cannot change "
                  "from %(old)s to %(new)s.", code="A", scale="capacite", old=3.0, new=4.0
                  ) in response.content.decode()
    assert 'value="Libellé B"' in response.content.decode()
    assert questionnaire_definition(questionnaire=questionnaire) == before


def test_the_wording_of_an_answered_item_can_still_be_corrected(client, questionnaire, manager):
    answer(questionnaire, item_code="Q01")
    client.force_login(manager.user)
    response = client.post(url("item_edit", questionnaire) + "?code=Q01", {
        "code": "Q01", "text": "Vous sentez-vous capable d’avancer sur votre projet ?",
        "dimension": "Projet personnel", "scale": "capacite",
        "confirm_meaning_unchanged": "on"})
    assert response.status_code == 302
    assert questionnaire.items.get(code="Q01").text.endswith("votre projet ?")


def test_removing_an_answered_item_is_refused_with_a_message(client, questionnaire, manager):
    answer(questionnaire, item_code="Q01")
    client.force_login(manager.user)
    response = client.post(url("item_delete", questionnaire), {"code": "Q01"}, follow=True)
    assert french("Item %(code)s has answers and cannot be removed.", code="Q01") in (
        response.content.decode())
    assert questionnaire.items.filter(code="Q01").exists()


def test_the_preview_shows_items_by_dimension_with_their_choices(client, questionnaire, manager):
    client.force_login(manager.user)
    content = client.get(url("preview", questionnaire)).content.decode()
    assert "Autonomie administrative" in content
    assert escape("Oui je m'en sens capable mais j'ai besoin d'aide") in content
    assert "disabled" in content


def test_the_definition_downloads_as_the_json_of_the_formats(
        client, questionnaire, manager, spec_definition):
    client.force_login(manager.user)
    response = client.get(url("definition_download", questionnaire))
    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(b"".join(response.streaming_content if response.streaming
                               else [response.content])) == spec_definition


def test_a_definition_file_creates_a_questionnaire(client, manager, spec_definition):
    client.force_login(manager.user)
    upload = _json_file(spec_definition)
    response = client.post(reverse("questionnaires:definition_import",
                                   args=[manager.organisation.slug]), {"file": upload})
    questionnaire = Questionnaire.objects.get(organisation=manager.organisation)
    assert response["Location"] == url("builder", questionnaire)
    assert questionnaire.items.count() == 2


def test_a_definition_file_that_changes_meaning_is_refused(
        client, questionnaire, manager, spec_definition):
    answer(questionnaire, item_code="Q02")
    spec_definition["items"] = spec_definition["items"][:1]
    client.force_login(manager.user)
    response = client.post(reverse("questionnaires:definition_import",
                                   args=[manager.organisation.slug]),
                           {"file": _json_file(spec_definition)})
    assert french("Item %(code)s has answers and cannot be removed.", code="Q02") in (
        response.content.decode())
    assert questionnaire.items.count() == 2


def test_a_file_that_is_not_json_gets_a_message(client, manager):
    client.force_login(manager.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("questionnaires:definition_import", args=[manager.organisation.slug]),
        {"file": SimpleUploadedFile("q.json", b"\x89PNG\x00\x00")})
    assert response.status_code == 200
    assert Questionnaire.objects.count() == 0


def test_the_builder_costs_the_same_queries_whatever_the_size(
        client, manager, spec_definition, django_assert_max_num_queries):
    spec_definition["items"] = [
        {"code": f"Q{n:02d}", "text": f"Question {n}", "dimension": f"D{n % 6}",
         "scale": "capacite"} for n in range(1, 61)]
    questionnaire, _ = questionnaire_load(organisation=manager.organisation,
                                          definition=definition_parse(spec_definition))
    client.force_login(manager.user)
    with django_assert_max_num_queries(14):
        assert client.get(url("builder", questionnaire)).status_code == 200


def _json_file(definition):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("definition.json", json.dumps(definition).encode(),
                              content_type="application/json")


@pytest.mark.parametrize(("role", "shown"), [("manager", True), ("director", True),
                                             ("board_member", True), ("counsellor", False)])
def test_the_data_navigation_shows_only_to_roles_that_may_use_it(role, shown, request):
    from django.template.loader import render_to_string

    membership = request.getfixturevalue(role)
    html = render_to_string("includes/nav_data.html", {
        "membership": membership, "org_slug": membership.organisation.slug})
    assert (reverse("questionnaires:list", args=[membership.organisation.slug]) in html) is shown
