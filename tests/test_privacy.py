"""GDPR: export everything held on a person, erase them, flag those past retention."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from beneficiaries.models import Beneficiary, PrivacyAction
from beneficiaries.privacy import (
    beneficiaries_past_retention,
    beneficiary_data_export,
    beneficiary_erase,
)
from questionnaires.models import Answer, Response
from reports.selectors import impact_report
from tests.factories import AnswerFactory, BeneficiaryFactory, ResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(questionnaire):
    beneficiary = BeneficiaryFactory(organisation=questionnaire.organisation, code="B-77",
                                     first_name="Saadia", last_name="Benali", birth_year=1980,
                                     gender="f")
    item = questionnaire.items.get(code="Q01")
    for number, code in ((1, "C"), (2, "A")):
        response = ResponseFactory(beneficiary=beneficiary,
                                   wave=questionnaire.waves.get(number=number))
        AnswerFactory(response=response, item=item, choice=item.scale.choices.get(code=code))
    beneficiary.last_name = "Benali-Martin"
    beneficiary.save()
    return beneficiary


def test_the_export_holds_the_person_their_answers_and_their_history(person, director):
    data = beneficiary_data_export(beneficiary=person, performed_by=director.user)
    text = json.dumps(data, ensure_ascii=False)
    assert data["person"]["last_name"] == "Benali-Martin"
    assert [r["answers"][0]["answer"] for r in data["responses"]] == [
        "Non je ne sais pas comment m'y prendre", "Oui je m'en sens capable par moi-même"]
    assert len(data["person"]["history"]) == 2
    assert "Saadia" in text


def test_the_export_is_recorded(person, director):
    beneficiary_data_export(beneficiary=person, performed_by=director.user)
    action = PrivacyAction.objects.get()
    assert action.kind == "export"
    assert action.performed_by == director.user
    assert action.beneficiary_public_id == person.public_id


def test_an_erasure_keeping_answers_leaves_no_identifying_data(person, director):
    beneficiary_erase(beneficiary=person, performed_by=director.user, keep_answers=True)
    person.refresh_from_db()
    assert person.code.startswith("ANON-")
    assert (person.first_name, person.last_name, person.birth_year, person.gender) == (
        "", "", None, "")
    history_names = set(person.history.values_list("last_name", flat=True))
    assert history_names == {""}
    assert not Beneficiary.objects.filter(code="B-77").exists()


def test_an_erasure_keeping_answers_does_not_change_the_statistics(person, director,
                                                                  questionnaire):
    before = impact_report(questionnaire=questionnaire)["items"]
    beneficiary_erase(beneficiary=person, performed_by=director.user, keep_answers=True)
    assert impact_report(questionnaire=questionnaire)["items"] == before


def test_a_full_erasure_removes_the_person_their_answers_and_their_trail(person, director):
    beneficiary_erase(beneficiary=person, performed_by=director.user, keep_answers=False)
    assert not Beneficiary.objects.exists()
    assert not Response.objects.exists()
    assert not Answer.objects.exists()
    assert not Beneficiary.history.exists()
    assert not Response.history.exists()
    assert not Answer.history.exists()
    assert PrivacyAction.objects.get().kind == "erase_all"


def test_people_who_left_before_the_retention_period_are_flagged(organisation):
    organisation.retention_months = 24
    organisation.save()
    old = BeneficiaryFactory(organisation=organisation, entry_date=dt.date(2020, 1, 1),
                             exit_date=dt.date(2022, 11, 24), exit_reason="employment")
    BeneficiaryFactory(organisation=organisation, entry_date=dt.date(2020, 1, 1),
                       exit_date=dt.date(2024, 12, 1), exit_reason="training")
    BeneficiaryFactory(organisation=organisation)
    flagged = beneficiaries_past_retention(organisation=organisation, today=dt.date(2024, 11, 25))
    assert list(flagged) == [old]


def test_the_retention_period_counts_calendar_months_at_month_ends(organisation):
    organisation.retention_months = 1
    organisation.save()
    left = BeneficiaryFactory(organisation=organisation, entry_date=dt.date(2024, 1, 1),
                              exit_date=dt.date(2024, 2, 28), exit_reason="moved")
    assert not beneficiaries_past_retention(organisation=organisation,
                                            today=dt.date(2024, 3, 28)).exists()
    assert list(beneficiaries_past_retention(organisation=organisation,
                                             today=dt.date(2024, 3, 31))) == [left]


def test_the_retention_command_lists_only_this_organisations_people(organisation,
                                                                    other_organisation):
    for org in (organisation, other_organisation):
        BeneficiaryFactory(organisation=org, code=f"OLD-{org.slug}",
                           entry_date=dt.date(2015, 1, 1), exit_date=dt.date(2016, 1, 1),
                           exit_reason="moved")
    out = io.StringIO()
    call_command("privacy_retention", organisation=organisation.slug, stdout=out)
    assert "OLD-cisp-liege" in out.getvalue()
    assert "OLD-mire-namur" not in out.getvalue()
