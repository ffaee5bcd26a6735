"""Redis is a cache, never a dependency: with Redis down, saves, imports, dashboards and the
PDF work, and each failing cache call is a logged warning, not an error."""

import datetime as dt
import html
import io
import logging
import socket

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from questionnaires.imports import responses_import
from questionnaires.models import Response
from questionnaires.seeding import demo_seed
from questionnaires.tables import table_read_csv
from reports.cache import report_cached, report_version
from reports.selectors import ReportFilters
from tests.factories import BeneficiaryFactory
from tests.test_impact_report import seed_table_csv
from tests.test_reports_cache import setup_committed

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down():
    """The production cache backend, pointed at a Redis that is not there."""
    caches = {"default": {
        "BACKEND": "vises.cache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/7",
        "KEY_PREFIX": "vises-test-down",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture
def demo(organisation):
    return demo_seed(organisation_slug=organisation.slug, n=40).questionnaire


def test_the_backend_reads_a_miss_and_drops_writes_with_a_warning(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="vises.cache"):
        cache.set("key", "value")
        assert cache.get("key", "default") == "default"
        assert cache.add("key", "value") is False
        assert cache.get_many(["key"]) == {}
        assert cache.delete("key") is False
        with pytest.raises(ValueError, match="cache is unavailable"):
            cache.incr("key")
    warnings = [r for r in caplog.records if r.name == "vises.cache"]
    assert warnings
    assert warnings[0].levelno == logging.WARNING
    assert "Redis cache unavailable" in warnings[0].getMessage()


def test_after_a_failure_redis_is_left_alone_for_a_while(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="vises.cache"):
        for _ in range(5):
            cache.get("key")
    assert len([r for r in caplog.records if r.name == "vises.cache"]) == 1


def test_a_counsellors_save_is_written_and_answered_normally(
        redis_down, client, counsellor, published, django_capture_on_commit_callbacks):
    person = BeneficiaryFactory(organisation=published.organisation, counsellor=counsellor.user,
                                entry_date=dt.date(2024, 1, 15))
    client.force_login(counsellor.user)
    setup_committed()
    version = report_version(organisation_id=published.organisation_id)
    url = reverse("beneficiaries:entry", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id,
        "questionnaire_id": published.public_id, "number": 1})
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"answered_on": "2024-02-01", "token": "token-1",
                                   "response": "", "item_Q01": "A", "item_Q02": "NSP"})
    assert answer.status_code == 302
    assert Response.objects.filter(beneficiary=person).count() == 1
    assert report_version(organisation_id=published.organisation_id) == version + 1


def test_an_import_is_written_and_bumps_the_version_in_the_database(
        redis_down, questionnaire, django_capture_on_commit_callbacks):
    table = table_read_csv(seed_table_csv().encode())
    with django_capture_on_commit_callbacks(execute=True):
        result = responses_import(questionnaire=questionnaire, table=table)
    assert result.responses_created == Response.objects.count() > 0
    assert report_version(organisation_id=questionnaire.organisation_id) == 2


def test_the_import_command_succeeds(redis_down, questionnaire, write_file):
    path = write_file("reponses.csv", seed_table_csv())
    out = io.StringIO()
    call_command("import_responses", str(path), "--organisation",
                 questionnaire.organisation.slug, "--questionnaire", questionnaire.code,
                 stdout=out)
    assert Response.objects.filter(questionnaire=questionnaire).exists()


def test_a_report_is_computed_every_time_without_a_cache(redis_down, demo):
    assert report_cached(questionnaire=demo, filters=ReportFilters()).computed
    assert report_cached(questionnaire=demo, filters=ReportFilters()).computed


def test_the_dashboard_shows(redis_down, client, director, demo):
    client.force_login(director.user)
    page = client.get(reverse("reports:dashboard",
                              args=[demo.organisation.slug, demo.public_id]))
    assert page.status_code == 200
    assert html.escape(demo.title) in page.content.decode()


def test_the_pdf_is_printed(redis_down, client, board_member, demo):
    client.force_login(board_member.user)
    pdf = client.get(reverse("reports:pdf", args=[demo.organisation.slug, demo.public_id]))
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(
        b"%PDF")
