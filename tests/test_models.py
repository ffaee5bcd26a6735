"""Invariants the database itself enforces, whatever code writes to it."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.factories import (
    AnswerFactory,
    BeneficiaryFactory,
    ChoiceFactory,
    ItemFactory,
    MembershipFactory,
    ResponseFactory,
    WaveFactory,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_a_duplicate_beneficiary_code_in_one_organisation(organisation):
    BeneficiaryFactory(organisation=organisation, code="B-1")
    with pytest.raises(IntegrityError):
        BeneficiaryFactory(organisation=organisation, code="B-1")


def test_it_allows_the_same_code_in_two_organisations(organisation, other_organisation):
    BeneficiaryFactory(organisation=organisation, code="B-1")
    BeneficiaryFactory(organisation=other_organisation, code="B-1")


def test_it_refuses_an_exit_before_the_entry(organisation):
    with pytest.raises(IntegrityError):
        BeneficiaryFactory(organisation=organisation, entry_date=dt.date(2024, 5, 1),
                           exit_date=dt.date(2024, 4, 1), exit_reason="employment")


def test_it_refuses_an_exit_reason_without_an_exit_date(organisation):
    with pytest.raises(IntegrityError):
        BeneficiaryFactory(organisation=organisation, exit_reason="employment")


def test_it_refuses_an_implausible_birth_year(organisation):
    with pytest.raises(IntegrityError):
        BeneficiaryFactory(organisation=organisation, birth_year=1850)


def test_it_refuses_a_duplicate_wave(questionnaire):
    beneficiary = BeneficiaryFactory(organisation=questionnaire.organisation)
    wave = questionnaire.waves.get(number=1)
    ResponseFactory(beneficiary=beneficiary, wave=wave)
    with pytest.raises(IntegrityError):
        ResponseFactory(beneficiary=beneficiary, wave=wave)


def test_it_refuses_two_answers_to_one_item_in_a_response(questionnaire):
    response = ResponseFactory(
        beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation),
        wave=questionnaire.waves.get(number=1),
    )
    item = questionnaire.items.get(code="Q01")
    AnswerFactory(response=response, item=item, choice=item.scale.choices.get(code="A"))
    with pytest.raises(IntegrityError):
        AnswerFactory(response=response, item=item, choice=item.scale.choices.get(code="B"))


def test_it_refuses_two_memberships_of_one_user_in_one_organisation(counsellor):
    with pytest.raises(IntegrityError):
        MembershipFactory(user=counsellor.user, organisation=counsellor.organisation,
                          role="director")


def test_one_user_may_hold_different_roles_in_two_organisations(counsellor, other_organisation):
    MembershipFactory(user=counsellor.user, organisation=other_organisation, role="board")
    assert counsellor.user.memberships.count() == 2


def test_it_refuses_a_wave_numbered_zero(questionnaire):
    with pytest.raises(IntegrityError):
        WaveFactory(questionnaire=questionnaire, number=0)


def test_it_refuses_duplicate_choice_codes_in_a_scale(questionnaire):
    scale = questionnaire.scales.get()
    with pytest.raises(IntegrityError):
        ChoiceFactory(scale=scale, code="A")


def test_it_refuses_duplicate_item_codes_in_a_questionnaire(questionnaire):
    with pytest.raises(IntegrityError):
        ItemFactory(questionnaire=questionnaire, code="Q01", scale=questionnaire.scales.get())


def test_it_keeps_responses_when_someone_tries_to_delete_their_beneficiary(questionnaire):
    beneficiary = BeneficiaryFactory(organisation=questionnaire.organisation)
    ResponseFactory(beneficiary=beneficiary, wave=questionnaire.waves.get(number=1))
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        beneficiary.delete()
    assert beneficiary.responses.count() == 1


def test_it_keeps_answers_when_someone_tries_to_delete_their_choice(questionnaire):
    response = ResponseFactory(
        beneficiary=BeneficiaryFactory(organisation=questionnaire.organisation),
        wave=questionnaire.waves.get(number=1),
    )
    item = questionnaire.items.get(code="Q01")
    choice = item.scale.choices.get(code="A")
    AnswerFactory(response=response, item=item, choice=choice)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        choice.delete()
