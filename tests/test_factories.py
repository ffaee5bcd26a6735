"""The factories build consistent data: left to their defaults, one organisation."""

import pytest

from organisations.models import Organisation
from tests.factories import AnswerFactory

pytestmark = pytest.mark.django_db


def test_an_answer_left_to_its_defaults_lives_in_one_organisation():
    answer = AnswerFactory()
    questionnaire = answer.response.questionnaire
    assert answer.response.beneficiary.organisation == questionnaire.organisation
    assert answer.item.questionnaire == questionnaire
    assert answer.choice.scale == answer.item.scale
    assert Organisation.objects.count() == 1
