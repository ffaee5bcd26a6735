"""Who is due for which wave: the rules for one person, and the SQL used for the worklist."""

import datetime as dt
import itertools

import pytest

from beneficiaries.due import OVERDUE_AFTER_DAYS, WaveStatus, wave_state, wave_states_for
from beneficiaries.people import published_questionnaires
from beneficiaries.worklist import open_wave_count, work_items
from questionnaires.models import Questionnaire
from tests.factories import BeneficiaryFactory, ResponseFactory, WaveFactory

TODAY = dt.date(2026, 6, 15)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def state(number=1, due_after_days=0, entry=None, exit=None, first=None, answered=None,
          at_exit=False, window=60):
    wave = WaveFactory.build(number=number, due_after_days=due_after_days, at_exit=at_exit)
    return wave_state(wave=wave, entry_date=entry, exit_date=exit, first_answered_on=first,
                      answered_on=answered, today=TODAY, exit_window_days=window)


def test_wave_one_is_due_from_the_entry_date():
    result = state(entry=days_ago(3))
    assert result.status == WaveStatus.DUE
    assert result.due_on == days_ago(3)


def test_wave_one_is_not_yet_due_before_the_entry_date():
    assert state(entry=TODAY + dt.timedelta(days=1)).status == WaveStatus.NOT_YET_DUE


def test_wave_one_without_an_entry_date_is_due_at_once():
    assert state(entry=None).status == WaveStatus.DUE


def test_a_wave_becomes_overdue_after_the_named_delay():
    assert state(entry=days_ago(OVERDUE_AFTER_DAYS)).status == WaveStatus.DUE
    assert state(entry=days_ago(OVERDUE_AFTER_DAYS + 1)).status == WaveStatus.OVERDUE


def test_a_later_wave_is_due_its_delay_after_the_first_response():
    assert state(number=2, due_after_days=90, first=days_ago(89)).status == (
        WaveStatus.NOT_YET_DUE)
    due = state(number=2, due_after_days=90, first=days_ago(90))
    assert (due.status, due.due_on) == (WaveStatus.DUE, TODAY)


def test_a_later_wave_waits_for_the_first_response():
    result = state(number=2, due_after_days=90, entry=days_ago(400))
    assert (result.status, result.due_on) == (WaveStatus.NOT_YET_DUE, None)


def test_a_wave_with_a_response_is_done_with_its_date():
    result = state(number=2, due_after_days=90, first=days_ago(200), answered=days_ago(5))
    assert (result.status, result.answered_on) == (WaveStatus.DONE, days_ago(5))


def test_a_wave_not_done_is_not_applicable_once_the_person_has_left():
    result = state(number=2, due_after_days=90, first=days_ago(200), exit=days_ago(10))
    assert result.status == WaveStatus.NOT_APPLICABLE


def test_a_wave_done_stays_done_after_the_exit():
    result = state(exit=days_ago(10), answered=days_ago(100), entry=days_ago(120))
    assert result.status == WaveStatus.DONE


def test_a_wave_at_exit_falls_due_on_the_exit_date():
    result = state(number=3, due_after_days=180, first=days_ago(20), exit=days_ago(2),
                   at_exit=True)
    assert (result.status, result.due_on) == (WaveStatus.DUE, days_ago(2))


def test_a_wave_at_exit_stays_open_until_the_end_of_the_window():
    result = state(number=3, due_after_days=180, first=days_ago(300), exit=days_ago(45),
                   at_exit=True, window=45)
    assert (result.status, result.due_on) == (WaveStatus.OVERDUE, days_ago(45))


def test_a_wave_at_exit_is_not_applicable_once_the_window_has_passed():
    result = state(number=3, due_after_days=180, first=days_ago(300), exit=days_ago(46),
                   at_exit=True, window=45)
    assert result.status == WaveStatus.NOT_APPLICABLE


def test_a_wave_at_exit_waits_for_an_exit_recorded_in_the_future():
    result = state(number=3, due_after_days=180, first=days_ago(300),
                   exit=TODAY + dt.timedelta(days=5), at_exit=True)
    assert (result.status, result.due_on) == (WaveStatus.NOT_YET_DUE,
                                              TODAY + dt.timedelta(days=5))


def test_a_wave_at_exit_without_an_exit_follows_its_delay():
    result = state(number=3, due_after_days=180, first=days_ago(10), at_exit=True)
    assert result.status == WaveStatus.NOT_YET_DUE
    assert state(number=3, due_after_days=180, first=days_ago(181),
                 at_exit=True).status == WaveStatus.DUE


# --- The SQL of the worklist agrees with the rules, person by person -------------------

# Situations around every boundary: entry date (unknown, future, recent, old), first
# response (none, recent, at the delay, long ago), later responses, exit.
ENTRIES = [None, TODAY + dt.timedelta(days=3), days_ago(0), days_ago(OVERDUE_AFTER_DAYS),
           days_ago(OVERDUE_AFTER_DAYS + 1), days_ago(500)]
FIRSTS = [None, days_ago(10), days_ago(90), days_ago(90 + OVERDUE_AFTER_DAYS),
          days_ago(91 + OVERDUE_AFTER_DAYS), days_ago(180), days_ago(400)]


WINDOW = 45
# Exits around the window of a wave at exit: none, future, today, inside, its last day, after.
EXITS = [None, TODAY + dt.timedelta(days=2), days_ago(0), days_ago(1), days_ago(WINDOW),
         days_ago(WINDOW + 1)]


@pytest.fixture(params=[False, True], ids=["no-wave-at-exit", "last-wave-at-exit"])
def situations(questionnaire, request):
    """One person per combination of entry, first response, wave-2 response and exit.

    Run twice: as the specification defines the questionnaire, and with its last wave at
    exit (open ``WINDOW`` days after the exit).
    """
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.exit_window_days = WINDOW
    questionnaire.save()
    if request.param:
        questionnaire.waves.filter(number=questionnaire.waves.count()).update(at_exit=True)
    waves = {w.number: w for w in questionnaire.waves.all()}
    people = []
    for entry, first, second, exit_date in itertools.product(ENTRIES, FIRSTS, [False, True],
                                                             EXITS):
        if (second and first is None) or (exit_date and entry and entry > exit_date):
            continue
        person = BeneficiaryFactory(organisation=questionnaire.organisation, entry_date=entry,
                                    exit_date=exit_date)
        if first is not None:
            ResponseFactory(beneficiary=person, wave=waves[1], answered_on=first)
        if second:
            ResponseFactory(beneficiary=person, wave=waves[2], answered_on=days_ago(1))
        people.append(person)
    return questionnaire, people


def test_the_worklist_finds_exactly_the_open_waves_of_the_rules(situations, organisation):
    questionnaire, people = situations
    published = published_questionnaires(questionnaires=Questionnaire.objects.all())
    waves = list(questionnaire.waves.all())
    expected = {
        (person.pk, s.wave.number, s.status, s.due_on)
        for person, states in zip(people, wave_states_for(
            beneficiaries=people, questionnaire=questionnaire, waves=waves, today=TODAY
        ).values(), strict=True)
        for s in states if s.is_open
    }
    found = {(pk, s.wave.number, s.status, s.due_on)
             for pk, _q, s in work_items(people=organisation.beneficiaries.all(),
                                         questionnaires=published, today=TODAY)}
    assert found == expected
    assert {status for *_, status, _d in expected} == {WaveStatus.DUE, WaveStatus.OVERDUE}


def test_the_navigation_count_equals_the_worklist_length(situations, organisation):
    published = published_questionnaires(questionnaires=Questionnaire.objects.all())
    people = organisation.beneficiaries.all()
    count = open_wave_count(people=people, questionnaires=published, today=TODAY)
    assert count == len(work_items(people=people, questionnaires=published, today=TODAY))
    assert count > 0


def test_the_worklist_puts_due_waves_first_then_the_most_recent_overdue(questionnaire):
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save()
    organisation = questionnaire.organisation
    for days in (400, 5, 60, 20):
        BeneficiaryFactory(organisation=organisation, entry_date=days_ago(days))
    published = published_questionnaires(questionnaires=Questionnaire.objects.all())
    items = work_items(people=organisation.beneficiaries.all(), questionnaires=published,
                       today=TODAY)
    assert [s.due_on for _pk, _q, s in items] == [days_ago(20), days_ago(5), days_ago(60),
                                                   days_ago(400)]


def test_a_draft_questionnaire_puts_nobody_on_the_worklist(questionnaire):
    BeneficiaryFactory(organisation=questionnaire.organisation, entry_date=days_ago(3))
    published = published_questionnaires(questionnaires=Questionnaire.objects.all())
    assert published == []
    assert work_items(people=questionnaire.organisation.beneficiaries.all(),
                      questionnaires=published, today=TODAY) == []


def test_an_exit_keeps_the_wave_at_exit_on_the_worklist(published, organisation):
    waves = {w.number: w for w in published.waves.all()}
    waves[3].at_exit = True
    waves[3].save()
    person = BeneficiaryFactory(organisation=organisation, entry_date=days_ago(120),
                                exit_date=days_ago(3))
    ResponseFactory(beneficiary=person, wave=waves[1], answered_on=days_ago(110))
    ResponseFactory(beneficiary=person, wave=waves[2], answered_on=days_ago(20))
    items = work_items(people=organisation.beneficiaries.all(), questionnaires=[published],
                       today=TODAY)
    assert [(pk, s.wave.number, s.due_on) for pk, _q, s in items] == [
        (person.pk, 3, days_ago(3))]
