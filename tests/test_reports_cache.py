"""The computed report is cached per (questionnaire, filters) and goes stale with its data."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection

from beneficiaries.models import Beneficiary
from beneficiaries.people_file import people_import
from beneficiaries.signals import people_changed
from questionnaires.imports import responses_import
from questionnaires.models import Answer, Choice, Response
from questionnaires.seeding import demo_seed
from questionnaires.signals import responses_changed
from questionnaires.tables import table_read_csv
from reports.cache import report_cached, report_version, report_version_bump
from reports.models import ReportVersion
from reports.selectors import ReportFilters
from reports.signals import PendingBumps
from tests.factories import BeneficiaryFactory, ResponseFactory

pytestmark = pytest.mark.usefixtures("empty_cache")


def setup_committed() -> None:
    """Run the cache bumps the test's setup left waiting for a commit that never comes (the
    test runs in one transaction), as if the setup had been committed."""
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, PendingBumps) and not callback.done:
            callback()


@pytest.fixture
def answered(questionnaire):
    """Six people who answered Q01 at wave 1, committed as far as the cache can tell."""
    wave = questionnaire.waves.get(number=1)
    item = questionnaire.items.get(code="Q01")
    choice = Choice.objects.get(scale=item.scale, code="B")
    responses = []
    for _ in range(6):
        response = ResponseFactory(
            beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation), wave=wave)
        Answer.objects.create(response=response, item=item, choice=choice)
        responses.append(response)
    setup_committed()
    return responses


def cached(questionnaire, filters=None):
    return report_cached(questionnaire=questionnaire, filters=filters or ReportFilters())


def test_a_report_is_computed_once_then_read_from_the_cache(questionnaire, answered):
    assert cached(questionnaire).computed
    second = cached(questionnaire)
    assert not second.computed
    assert second.report["respondents"]["1"] == 6


def test_a_report_cached_yesterday_is_computed_again_today(questionnaire, answered, monkeypatch):
    from django.utils import timezone

    cached(questionnaire)
    today = timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + dt.timedelta(days=1))
    # Who is due for a wave depends on the day the report is looked at.
    assert cached(questionnaire).computed


def test_each_set_of_filters_has_its_own_entry(questionnaire, answered):
    cached(questionnaire)
    restricted = cached(questionnaire, ReportFilters(cohort_from=dt.date(2030, 1, 1)))
    assert restricted.computed
    assert "group_too_small" in [w["code"] for w in restricted.report["warnings"]]


def test_a_changed_answer_makes_the_report_stale(
        questionnaire, answered, django_capture_on_commit_callbacks):
    assert cached(questionnaire).report["items"][0]["frequencies"][0]["choices"][1]["count"] == 6
    answer = Answer.objects.filter(response=answered[0]).get()
    with django_capture_on_commit_callbacks(execute=True):
        answer.choice = Choice.objects.get(scale=answer.item.scale, code="A")
        answer.save()
    fresh = cached(questionnaire)
    assert fresh.computed
    assert fresh.report["items"][0]["frequencies"][0]["choices"][1]["count"] == 5


def test_a_deleted_response_makes_the_report_stale(
        questionnaire, answered, django_capture_on_commit_callbacks):
    cached(questionnaire)
    with django_capture_on_commit_callbacks(execute=True):
        Answer.objects.filter(response=answered[0]).delete()
        answered[0].delete()
    assert cached(questionnaire).report["respondents"]["1"] == 5


def test_a_changed_beneficiary_makes_the_report_stale(
        questionnaire, answered, django_capture_on_commit_callbacks):
    cached(questionnaire)
    version = report_version(organisation_id=questionnaire.organisation_id)
    beneficiary = answered[0].beneficiary
    with django_capture_on_commit_callbacks(execute=True):
        beneficiary.programme = "Orientation"
        beneficiary.save()
    assert report_version(organisation_id=questionnaire.organisation_id) > version
    assert cached(questionnaire, ReportFilters(programme="Orientation")).computed


def test_a_reworded_item_makes_the_report_stale(
        questionnaire, answered, django_capture_on_commit_callbacks):
    cached(questionnaire)
    item = questionnaire.items.get(code="Q01")
    with django_capture_on_commit_callbacks(execute=True):
        item.text = "Un libellé corrigé ?"
        item.save()
    assert cached(questionnaire).report["items"][0]["text"] == "Un libellé corrigé ?"


def test_changes_in_a_transaction_bump_the_version_once_when_it_commits(
        questionnaire, answered, django_capture_on_commit_callbacks):
    version = report_version(organisation_id=questionnaire.organisation_id)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for answer in Answer.objects.filter(response__in=answered):
            answer.save()
        assert report_version(organisation_id=questionnaire.organisation_id) == version
    assert sum(isinstance(callback, PendingBumps) for callback in callbacks) == 1
    assert report_version(organisation_id=questionnaire.organisation_id) > version


def test_another_organisations_change_leaves_this_report_cached(
        questionnaire, answered, other_organisation, django_capture_on_commit_callbacks):
    cached(questionnaire)
    with django_capture_on_commit_callbacks(execute=True):
        BeneficiaryFactory(organisation=other_organisation)
    assert not cached(questionnaire).computed


def test_an_import_makes_the_report_stale(
        questionnaire, answered, django_capture_on_commit_callbacks):
    """The import writes in bulk, without model signals: it sends responses_changed."""
    cached(questionnaire)
    version = report_version(organisation_id=questionnaire.organisation_id)
    table = table_read_csv(b"beneficiary;wave;answered_on;Q01;Q02\nNEW-1;1;2024-03-01;A;B\n")
    with django_capture_on_commit_callbacks(execute=True):
        responses_import(questionnaire=questionnaire, table=table)
    assert report_version(organisation_id=questionnaire.organisation_id) > version
    assert cached(questionnaire).report["respondents"]["1"] == 7


def test_the_demo_seed_bumps_the_organisations_version(
        organisation, django_capture_on_commit_callbacks):
    version = report_version(organisation_id=organisation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        demo_seed(organisation_slug=organisation.slug, n=10)
    assert report_version(organisation_id=organisation.pk) > version


def test_the_people_import_bumps_the_organisations_version(
        organisation, django_capture_on_commit_callbacks):
    version = report_version(organisation_id=organisation.pk)
    table = table_read_csv(b"code;programme\nP-1;Orientation\n")
    with django_capture_on_commit_callbacks(execute=True):
        people_import(organisation=organisation, table=table)
    assert report_version(organisation_id=organisation.pk) > version


def test_a_bump_by_another_process_is_seen_because_the_version_is_read_from_the_database(
        questionnaire, answered):
    """With the per-process local-memory cache, a command's bump is written to the
    database row only; this process reads the row for every key."""
    cached(questionnaire)
    ReportVersion.objects.update_or_create(
        organisation_id=questionnaire.organisation_id, defaults={"version": 7})
    assert cached(questionnaire).computed


def test_a_bulk_writers_signal_makes_the_report_stale(
        questionnaire, answered, django_capture_on_commit_callbacks):
    """Bulk writers (no model signals) say what they wrote; reports/ listens."""
    cached(questionnaire)
    with django_capture_on_commit_callbacks(execute=True):
        responses_changed.send(sender=Response,
                               organisation_id=questionnaire.organisation_id)
    assert cached(questionnaire).computed


def test_the_people_imports_signal_makes_the_report_stale(
        questionnaire, answered, django_capture_on_commit_callbacks):
    cached(questionnaire)
    with django_capture_on_commit_callbacks(execute=True):
        people_changed.send(sender=Beneficiary, organisation_id=questionnaire.organisation_id)
    assert cached(questionnaire).computed


def test_an_explicit_bump_makes_every_report_of_the_organisation_stale(
        questionnaire, answered, django_capture_on_commit_callbacks):
    cached(questionnaire)
    with django_capture_on_commit_callbacks(execute=True):
        report_version_bump(organisation_id=questionnaire.organisation_id)
    assert cached(questionnaire).computed


def test_the_version_is_kept_in_the_database_so_a_flushed_cache_cannot_revive_old_keys(
        questionnaire, answered, django_capture_on_commit_callbacks):
    old_key = cached(questionnaire).key
    with django_capture_on_commit_callbacks(execute=True):
        report_version_bump(organisation_id=questionnaire.organisation_id)
    cache.clear()
    assert report_version(organisation_id=questionnaire.organisation_id) == 2
    assert cached(questionnaire).key != old_key


def test_a_bump_inside_a_transaction_waits_for_the_commit(
        questionnaire, answered, django_capture_on_commit_callbacks):
    """A report computed from the old data during the transaction is stored under the old
    version, which the bump at commit makes unreachable."""
    with django_capture_on_commit_callbacks(execute=True):
        report_version_bump(organisation_id=questionnaire.organisation_id)
        assert report_version(organisation_id=questionnaire.organisation_id) == 1
    assert report_version(organisation_id=questionnaire.organisation_id) == 2
