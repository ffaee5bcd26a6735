"""The daily digest to counsellors (send_reminders) and the email of a personal link."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from beneficiaries.models import ReminderSent
from beneficiaries.reminders import (
    PersonNotReachable,
    personal_link_email_send,
    reminders_send,
)
from tests.factories import BeneficiaryFactory, MembershipFactory, ResponseFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 6, 3)


@pytest.fixture
def people(published, counsellor, director, outsider):
    """The counsellor's people: one due, one overdue, one without consent, one who left;
    a colleague's person, and another organisation's person of the same counsellor name."""
    counsellor.user.email = "conseillere@example.org"
    counsellor.user.save()
    director.user.email = "directrice@example.org"
    director.user.save()
    organisation = published.organisation
    mine = {"organisation": organisation, "counsellor": counsellor.user}
    return {
        "due": BeneficiaryFactory(code="DUE-1", entry_date=dt.date(2024, 5, 20), **mine),
        "overdue": BeneficiaryFactory(code="LATE-1", entry_date=dt.date(2024, 3, 1), **mine),
        "no_consent": BeneficiaryFactory(code="NOCONSENT-1", entry_date=dt.date(2024, 5, 20),
                                         consent_processing_on=None, **mine),
        "left": BeneficiaryFactory(code="LEFT-1", entry_date=dt.date(2024, 3, 1),
                                   exit_date=dt.date(2024, 4, 1), **mine),
        "colleague": BeneficiaryFactory(code="COLL-1", organisation=organisation,
                                        entry_date=dt.date(2024, 5, 20),
                                        counsellor=director.user),
    }


def digest_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_each_counsellor_gets_one_digest_of_their_own_waves(people):
    result = reminders_send(today=TODAY)
    assert result.sent == 2
    (message,) = digest_to("conseillere@example.org")
    assert "DUE-1" in message.body
    assert "LATE-1" in message.body
    assert "COLL-1" not in message.body
    assert "LEFT-1" not in message.body
    (theirs,) = digest_to("directrice@example.org")
    assert "COLL-1" in theirs.body
    assert "DUE-1" not in theirs.body


def test_the_digest_sorts_due_and_overdue_waves_in_french(people):
    reminders_send(today=TODAY)
    (message,) = digest_to("conseillere@example.org")
    assert message.subject == "VISES Impact : 2 vagues à saisir"
    due_part, overdue_part = message.body.split("En retard")
    assert "DUE-1 · Questionnaire d'impact social — Entrée" in due_part
    assert "LATE-1" in overdue_part
    assert "LATE-1" not in due_part
    assert "/o/cisp-liege/a-faire/" in message.body


def test_the_digest_names_people_by_code_only(people):
    reminders_send(today=TODAY)
    (message,) = digest_to("conseillere@example.org")
    assert people["due"].last_name not in message.body


def test_people_without_consent_are_counted_not_listed(people):
    reminders_send(today=TODAY)
    (message,) = digest_to("conseillere@example.org")
    assert "NOCONSENT-1" not in message.body
    assert "1 personne avec une vague à faire n’a pas de consentement" in message.body


def test_a_second_run_the_same_day_sends_nothing(people):
    reminders_send(today=TODAY)
    mail.outbox.clear()
    result = reminders_send(today=TODAY)
    assert mail.outbox == []
    assert result.already_sent == 2
    assert ReminderSent.objects.filter(day=TODAY).count() == 2


def test_the_next_day_sends_again(people):
    reminders_send(today=TODAY)
    mail.outbox.clear()
    reminders_send(today=TODAY + dt.timedelta(days=1))
    assert len(digest_to("conseillere@example.org")) == 1


def test_a_failed_sending_is_retried_by_the_next_run(people, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("beneficiaries.reminders.send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        reminders_send(today=TODAY)
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert reminders_send(today=TODAY).sent == 2


def test_nobody_with_nothing_waiting_gets_an_email(people):
    for person in people.values():
        ResponseFactory(beneficiary=person, wave=person.organisation.questionnaires.get()
                        .waves.get(number=1), answered_on=dt.date(2024, 5, 25))
    result = reminders_send(today=TODAY)
    assert mail.outbox == []
    assert result.sent == 0


def test_a_member_without_an_address_is_counted_not_mailed(people, counsellor):
    counsellor.user.email = ""
    counsellor.user.save()
    result = reminders_send(today=TODAY)
    assert result.no_address == 1
    assert digest_to("") == []


def test_a_board_member_gets_no_digest(people, organisation):
    board = MembershipFactory(organisation=organisation, role="board",
                              user__email="ca@example.org")
    BeneficiaryFactory(organisation=organisation, counsellor=board.user,
                       entry_date=dt.date(2024, 5, 20))
    reminders_send(today=TODAY)
    assert digest_to("ca@example.org") == []


def test_the_command_sends_once_and_says_so(people):
    out = StringIO()
    call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)
    call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert len(mail.outbox) == 2
    assert "2 déjà envoyé(s) aujourd’hui" in out.getvalue()


def test_the_personal_link_goes_to_a_person_who_agreed_to_be_contacted(published, counsellor):
    person = BeneficiaryFactory(organisation=published.organisation, email="alex@example.org",
                                consent_contact=True)
    wave = published.waves.get(number=2)
    personal_link_email_send(beneficiary=person, wave=wave, sent_by=counsellor.user,
                             url="https://impact.example.org/r/stub-token/")
    (message,) = mail.outbox
    assert message.to == ["alex@example.org"]
    assert "https://impact.example.org/r/stub-token/" in message.body
    assert "Mi-parcours" in message.body
    assert person.code not in message.body


@pytest.mark.parametrize("changes", [{"email": ""}, {"consent_contact": False},
                                     {"consent_contact": False, "consent_processing_on": None}])
def test_no_personal_link_is_sent_without_address_or_consent(published, counsellor, changes):
    person = BeneficiaryFactory(organisation=published.organisation,
                                **{"email": "alex@example.org", "consent_contact": True,
                                   **changes})
    with pytest.raises(PersonNotReachable):
        personal_link_email_send(beneficiary=person, wave=published.waves.get(number=1),
                                 sent_by=counsellor.user, url="https://x.example/r/t/")
    assert mail.outbox == []
