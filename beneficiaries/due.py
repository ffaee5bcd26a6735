"""Which wave is due for whom: the rules, applied to one person or to a page of people.

The due rules (formats.md §1, ``due_after_days``):

- wave 1 is due from the person's entry date (at once when it is unknown);
- wave n > 1 is due ``due_after_days`` after the person's wave-1 response;
- a wave that has a response is done, whatever the dates;
- a wave "at exit" (``Wave.at_exit``) is due on the person's exit date once one is
  recorded (before that, like any wave) and stays open for the questionnaire's
  ``exit_window_days`` after it: recording an exit never closes it;
- once the person has left (exit date set), any other wave not done is "not applicable";
- a due wave becomes overdue ``OVERDUE_AFTER_DAYS`` after its due date;
- a questionnaire published with a scope is "not applicable" to the people outside it
  (``questionnaires.publication``).

``wave_state`` applies them to one person (the status grid and the profile page); the
worklist and the count in the navigation express the same rules in SQL
(``_open_condition``) so that they scale to tens of thousands of people. Tests check that
both agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from beneficiaries.models import Beneficiary
from questionnaires.models import Questionnaire, Response, Wave
from questionnaires.publication import scope_includes

# A due wave that has waited more than this many days is "overdue": about a month of
# appointments has gone by without it, the point at which the seeds' attrition shows that
# a wave is usually never asked if nobody chases it. Overdue waves come first on the worklist.
OVERDUE_AFTER_DAYS = 30


class WaveStatus:
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    NOT_YET_DUE = "not_yet_due"
    NOT_APPLICABLE = "not_applicable"

    LABELS = {
        DONE: gettext_lazy("Done"),
        DUE: gettext_lazy("Due"),
        OVERDUE: gettext_lazy("Overdue"),
        NOT_YET_DUE: gettext_lazy("Not yet due"),
        NOT_APPLICABLE: gettext_lazy("Not applicable"),
    }
    # A shape beside each colour, so that the grid reads without colour (and in print).
    SYMBOLS = {DONE: "✓", DUE: "●", OVERDUE: "▲", NOT_YET_DUE: "○", NOT_APPLICABLE: "–"}
    OPEN = (DUE, OVERDUE)


@dataclass(frozen=True)
class WaveState:
    """Where one person stands for one wave of one questionnaire."""

    wave: Wave
    status: str
    due_on: dt.date | None = None
    answered_on: dt.date | None = None

    @property
    def label(self) -> str:
        return str(WaveStatus.LABELS[self.status])

    @property
    def symbol(self) -> str:
        return WaveStatus.SYMBOLS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in WaveStatus.OPEN


def wave_due_on(
    *, wave_number: int, due_after_days: int, entry_date: dt.date | None,
    first_answered_on: dt.date | None,
) -> dt.date | None:
    """The day a wave falls due, or None when it cannot be known yet."""
    if wave_number == 1:
        return entry_date
    if first_answered_on is None:
        return None
    return first_answered_on + dt.timedelta(days=due_after_days)


def open_status(*, due_on: dt.date | None, today: dt.date) -> str:
    """Due or overdue, for a wave that has fallen due (an unknown date is simply due)."""
    if due_on is not None and (today - due_on).days > OVERDUE_AFTER_DAYS:
        return WaveStatus.OVERDUE
    return WaveStatus.DUE


def exit_wave_state(
    *, wave: Wave, exit_date: dt.date, exit_window_days: int, today: dt.date,
) -> WaveState:
    """A wave at exit not yet answered, for a person whose exit is recorded."""
    if exit_date > today:
        return WaveState(wave, WaveStatus.NOT_YET_DUE, due_on=exit_date)
    if (today - exit_date).days > exit_window_days:
        return WaveState(wave, WaveStatus.NOT_APPLICABLE, due_on=exit_date)
    return WaveState(wave, open_status(due_on=exit_date, today=today), due_on=exit_date)


def wave_state(
    *, wave: Wave, entry_date: dt.date | None, exit_date: dt.date | None,
    first_answered_on: dt.date | None, answered_on: dt.date | None, today: dt.date,
    exit_window_days: int,
) -> WaveState:
    """The status of one wave for one person (the rules in this module's docstring).

    ``exit_window_days`` is the questionnaire's; it matters only for a wave at exit.
    """
    if answered_on is not None:
        return WaveState(wave, WaveStatus.DONE, answered_on=answered_on)
    if exit_date is not None and wave.at_exit:
        return exit_wave_state(wave=wave, exit_date=exit_date,
                               exit_window_days=exit_window_days, today=today)
    due_on = wave_due_on(wave_number=wave.number, due_after_days=wave.due_after_days,
                         entry_date=entry_date, first_answered_on=first_answered_on)
    if exit_date is not None:
        return WaveState(wave, WaveStatus.NOT_APPLICABLE, due_on=due_on)
    if wave.number != 1 and due_on is None:
        return WaveState(wave, WaveStatus.NOT_YET_DUE)
    if due_on is not None and due_on > today:
        return WaveState(wave, WaveStatus.NOT_YET_DUE, due_on=due_on)
    return WaveState(wave, open_status(due_on=due_on, today=today), due_on=due_on)


def wave_states_for(
    *, beneficiaries: Sequence[Beneficiary], questionnaire: Questionnaire,
    waves: Sequence[Wave], today: dt.date,
) -> dict[int, list[WaveState]]:
    """Each person's state for every wave of a questionnaire, in one query for the page.

    ``beneficiaries`` come from the access helper, so their responses are theirs to see.
    """
    answered: dict[tuple[int, int], dt.date] = {
        (beneficiary_id, number): answered_on
        for beneficiary_id, number, answered_on in Response.objects.filter(
            questionnaire=questionnaire, beneficiary__in=[b.pk for b in beneficiaries]
        ).order_by().values_list("beneficiary_id", "wave__number", "answered_on")
    }
    states = {}
    answered_by = {beneficiary_id for beneficiary_id, _number in answered}
    for person in beneficiaries:
        if not scope_includes(questionnaire=questionnaire, entry_date=person.entry_date,
                              programme=person.programme,
                              has_response=person.pk in answered_by):
            states[person.pk] = [WaveState(wave, WaveStatus.NOT_APPLICABLE) for wave in waves]
            continue
        first = answered.get((person.pk, 1))
        states[person.pk] = [
            wave_state(wave=wave, entry_date=person.entry_date, exit_date=person.exit_date,
                       first_answered_on=first, answered_on=answered.get((person.pk, wave.number)),
                       today=today, exit_window_days=questionnaire.exit_window_days)
            for wave in waves
        ]
    return states


def exit_waves_open(
    *, beneficiary: Beneficiary, questionnaires: Sequence[Questionnaire], today: dt.date,
) -> list[tuple[Questionnaire, WaveState]]:
    """The waves at exit this person can be asked now (for "enter it now" after an exit).

    ``questionnaires`` are the published ones the member may see, with their waves.
    """
    if beneficiary.exit_date is None:
        return []
    done = set(Response.objects.filter(beneficiary=beneficiary)
               .values_list("questionnaire_id", "wave__number"))
    found = []
    for questionnaire in questionnaires:
        for wave in questionnaire.waves.all():
            if not wave.at_exit or (questionnaire.pk, wave.number) in done:
                continue
            state = exit_wave_state(wave=wave, exit_date=beneficiary.exit_date,
                                    exit_window_days=questionnaire.exit_window_days,
                                    today=today)
            if state.is_open:
                found.append((questionnaire, state))
    return found
