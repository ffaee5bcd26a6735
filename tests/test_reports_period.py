"""The report's header states the period chosen, in days for directors, months for the board."""

import datetime as dt

import pytest
from django.utils import translation

from reports.sentences import period_text


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_no_period_says_everyone_whatever_their_entry():
    assert period_text(None, None) == "Toutes les personnes suivies, quelle que soit leur " \
                                      "date d’entrée"


def test_a_directors_period_is_in_days():
    assert period_text(dt.date(2024, 1, 15), dt.date(2024, 6, 30)) == (
        "Personnes entrées du 15/01/2024 au 30/06/2024")


def test_a_board_semester_is_in_months():
    assert period_text(dt.date(2024, 7, 1), dt.date(2024, 12, 31), months=True) == (
        "Personnes entrées entre juillet 2024 et décembre 2024")


def test_a_board_year_is_named():
    assert period_text(dt.date(2024, 1, 1), dt.date(2024, 12, 31), months=True) == (
        "Personnes entrées en 2024")
