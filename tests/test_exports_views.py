"""The exports page and downloads: who gets what."""

import pytest

from tests.test_builder_views import url
from tests.test_exports_files import fill

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("name", "kind"), [
    ("export_csv", "text/csv"), ("export_long", "text/csv"),
    ("export_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("export_sav", "application/x-spss-sav"), ("export_aggregate_csv", "text/csv"),
    ("export_aggregate_xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_each_export_downloads_as_a_named_file(client, questionnaire, director, name, kind):
    fill(questionnaire, people=8)
    client.force_login(director.user)
    response = client.get(url(name, questionnaire))
    assert response["Content-Type"].startswith(kind)
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{questionnaire.code}-')
    assert response["Cache-Control"] == "no-store"
    assert body(response)


def test_board_members_see_only_the_aggregate_tables(client, questionnaire, board_member):
    client.force_login(board_member.user)
    content = client.get(url("exports", questionnaire)).content.decode()
    assert url("export_aggregate_csv", questionnaire) in content
    assert url("export_csv", questionnaire) not in content
    assert url("export_sav", questionnaire) not in content


def test_the_board_table_holds_no_beneficiary_code(client, questionnaire, board_member):
    fill(questionnaire, people=30)
    client.force_login(board_member.user)
    text = body(client.get(url("export_aggregate_csv", questionnaire))).decode("utf-8-sig")
    assert "B-00" not in text
    assert text.splitlines()[0] == (
        "item;dimension;text;wave;wave_label;choice;choice_label;count;percent;answers")


def test_managers_see_every_export(client, questionnaire, manager):
    client.force_login(manager.user)
    content = client.get(url("exports", questionnaire)).content.decode()
    for name in ("export_csv", "export_xlsx", "export_sav", "export_long",
                 "export_aggregate_xlsx"):
        assert url(name, questionnaire) in content


@pytest.mark.parametrize("name", ["export_csv", "export_long", "export_xlsx", "export_sav",
                                  "export_aggregate_csv"])
def test_exports_cost_the_same_queries_whatever_the_size(
        client, questionnaire, manager, name, django_assert_max_num_queries):
    fill(questionnaire, people=60)
    client.force_login(manager.user)
    with django_assert_max_num_queries(14):
        body(client.get(url(name, questionnaire)))


@pytest.mark.parametrize("name", ["export_csv", "export_long", "export_xlsx", "export_sav",
                                  "export_aggregate_csv", "export_aggregate_xlsx"])
def test_a_questionnaire_without_responses_exports_an_empty_table(
        client, questionnaire, manager, name):
    client.force_login(manager.user)
    response = client.get(url(name, questionnaire))
    assert response.status_code == 200
    assert body(response)
