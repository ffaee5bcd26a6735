"""The situation six months after exit: recorded on the person's page, listed on the worklist."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Beneficiary
from tests.factories import BeneficiaryFactory, MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def url(name, person, **kwargs):
    return reverse(f"beneficiaries:{name}", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id, **kwargs})


def worklist(organisation, **query):
    return reverse("beneficiaries:worklist", kwargs={"org_slug": organisation.slug})


@pytest.fixture
def left_long_ago(organisation, counsellor):
    return BeneficiaryFactory(organisation=organisation, counsellor=counsellor.user,
                              code="LEFT-OLD", entry_date=days_ago(400), exit_date=days_ago(200),
                              exit_reason="employment")


@pytest.fixture
def left_recently(organisation, counsellor):
    return BeneficiaryFactory(organisation=organisation, counsellor=counsellor.user,
                              code="LEFT-NEW", entry_date=days_ago(400), exit_date=days_ago(100),
                              exit_reason="training")


def test_the_profile_offers_to_record_the_situation_once_six_months_have_passed(
        client, counsellor, left_long_ago):
    client.force_login(counsellor.user)
    page = client.get(url("detail", left_long_ago)).content.decode()
    assert "Situation 6 mois après la sortie" in page
    assert "À noter" in page
    assert url("situation", left_long_ago) in page


def test_the_profile_says_from_when_the_situation_can_be_recorded(client, counsellor,
                                                                   left_recently):
    client.force_login(counsellor.user)
    page = client.get(url("detail", left_recently)).content.decode()
    assert "À noter à partir du" in page
    assert url("situation", left_recently) not in page


def test_the_profile_of_a_person_still_in_support_has_no_situation(client, counsellor,
                                                                    organisation):
    person = BeneficiaryFactory(organisation=organisation, counsellor=counsellor.user)
    client.force_login(counsellor.user)
    page = client.get(url("detail", person)).content.decode()
    assert "Situation 6 mois après la sortie" not in page


def test_a_counsellor_records_the_situation_with_the_day_it_was_learnt(
        client, counsellor, left_long_ago):
    client.force_login(counsellor.user)
    response = client.post(url("situation", left_long_ago), {"situation_6_months": "job_seeker"})
    assert response.status_code == 302
    left_long_ago.refresh_from_db()
    assert left_long_ago.situation_6_months == "job_seeker"
    assert left_long_ago.situation_recorded_on == TODAY
    page = client.get(url("detail", left_long_ago)).content.decode()
    assert "En recherche d’emploi" in page
    assert "a été enregistrée" in page


def test_the_change_is_kept_in_the_persons_history(client, counsellor, left_long_ago):
    client.force_login(counsellor.user)
    client.post(url("situation", left_long_ago), {"situation_6_months": "employment"})
    latest = left_long_ago.history.latest()
    assert latest.situation_6_months == "employment"
    assert latest.history_user == counsellor.user
    page = client.get(url("detail", left_long_ago)).content.decode()
    assert "Situation 6 mois après la sortie" in page.split("Historique des modifications")[1]


def test_saving_the_same_situation_again_keeps_its_first_date(client, counsellor,
                                                              left_long_ago):
    left_long_ago.situation_6_months = "employment"
    left_long_ago.situation_recorded_on = days_ago(10)
    left_long_ago.save()
    client.force_login(counsellor.user)
    client.post(url("situation", left_long_ago), {"situation_6_months": "employment"})
    left_long_ago.refresh_from_db()
    assert left_long_ago.situation_recorded_on == days_ago(10)


def test_clearing_the_situation_clears_its_date(client, counsellor, left_long_ago):
    left_long_ago.situation_6_months = "employment"
    left_long_ago.situation_recorded_on = days_ago(10)
    left_long_ago.save()
    client.force_login(counsellor.user)
    client.post(url("situation", left_long_ago), {"situation_6_months": "", "seen": "employment"})
    left_long_ago.refresh_from_db()
    assert (left_long_ago.situation_6_months, left_long_ago.situation_recorded_on) == ("", None)


def test_a_code_that_is_not_a_situation_is_refused_in_french(client, counsellor, left_long_ago):
    client.force_login(counsellor.user)
    response = client.post(url("situation", left_long_ago), {"situation_6_months": "rich"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    left_long_ago.refresh_from_db()
    assert left_long_ago.situation_6_months == ""


def test_a_situation_cannot_be_recorded_before_six_months(client, counsellor, left_recently):
    client.force_login(counsellor.user)
    response = client.post(url("situation", left_recently), {"situation_6_months": "employment"})
    assert response.status_code == 409
    assert "pourra être notée à partir du" in response.content.decode()
    left_recently.refresh_from_db()
    assert left_recently.situation_6_months == ""


def test_a_situation_cannot_be_recorded_without_an_exit(client, counsellor, organisation):
    person = BeneficiaryFactory(organisation=organisation, counsellor=counsellor.user)
    client.force_login(counsellor.user)
    response = client.post(url("situation", person), {"situation_6_months": "employment"})
    assert response.status_code == 409
    assert "enregistrez d’abord la sortie" in response.content.decode()
    person.refresh_from_db()
    assert person.situation_6_months == ""


def test_cancelling_the_exit_clears_the_situation(client, counsellor, left_long_ago):
    left_long_ago.situation_6_months = "employment"
    left_long_ago.situation_recorded_on = days_ago(10)
    left_long_ago.save()
    client.force_login(counsellor.user)
    client.post(url("exit", left_long_ago), {"action": "cancel"})
    left_long_ago.refresh_from_db()
    assert left_long_ago.exit_date is None
    assert left_long_ago.situation_6_months == ""


def test_the_board_cannot_open_the_situation_page(client, board_member, left_long_ago):
    client.force_login(board_member.user)
    assert client.get(url("situation", left_long_ago)).status_code == 404
    assert client.post(url("situation", left_long_ago),
                       {"situation_6_months": "employment"}).status_code == 404
    left_long_ago.refresh_from_db()
    assert left_long_ago.situation_6_months == ""


def test_the_database_refuses_a_situation_without_an_exit(organisation):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Beneficiary.objects.create(organisation=organisation, code="X-1",
                                   situation_6_months="employment",
                                   situation_recorded_on=TODAY)


# --- The worklist ------------------------------------------------------------------------


def test_the_worklist_lists_the_situations_due_with_a_link_to_record_them(
        client, counsellor, left_long_ago, left_recently):
    client.force_login(counsellor.user)
    page = client.get(worklist(left_long_ago.organisation)).content.decode()
    assert "LEFT-OLD" in page
    assert url("situation", left_long_ago) in page
    assert "LEFT-NEW" not in page
    assert "1 situation 6 mois après la sortie à noter" in page


def test_the_worklist_leaves_out_a_situation_once_recorded(client, counsellor, left_long_ago):
    left_long_ago.situation_6_months = "unknown"
    left_long_ago.situation_recorded_on = TODAY
    left_long_ago.save()
    client.force_login(counsellor.user)
    page = client.get(worklist(left_long_ago.organisation)).content.decode()
    assert "LEFT-OLD" not in page


def test_the_worklist_counts_six_months_as_182_days(client, counsellor, organisation):
    BeneficiaryFactory(organisation=organisation, counsellor=counsellor.user, code="EDGE-182",
                       entry_date=days_ago(400), exit_date=days_ago(182))
    BeneficiaryFactory(organisation=organisation, counsellor=counsellor.user, code="EDGE-181",
                       entry_date=days_ago(400), exit_date=days_ago(181))
    client.force_login(counsellor.user)
    page = client.get(worklist(organisation)).content.decode()
    assert "EDGE-182" in page
    assert "EDGE-181" not in page


def test_a_counsellor_sees_only_their_own_situations_by_default(client, counsellor,
                                                                 organisation, left_long_ago):
    colleague = MembershipFactory(organisation=organisation, role="counsellor")
    BeneficiaryFactory(organisation=organisation, counsellor=colleague.user, code="THEIRS-1",
                       entry_date=days_ago(400), exit_date=days_ago(300))
    client.force_login(counsellor.user)
    page = client.get(worklist(organisation)).content.decode()
    assert "LEFT-OLD" in page
    assert "THEIRS-1" not in page


def test_the_worklist_shows_the_oldest_twenty_and_counts_them_all(client, director,
                                                                  organisation):
    for i in range(23):
        BeneficiaryFactory(organisation=organisation, code=f"OLD-{i:02d}",
                           entry_date=days_ago(900), exit_date=days_ago(200 + i))
    client.force_login(director.user)
    response = client.get(worklist(organisation))
    assert len(response.context["situations"]) == 20
    assert response.context["situations_total"] == 23
    assert response.context["situations"][0].code == "OLD-22"  # oldest exit first


def test_the_persons_data_export_holds_their_situation(director, left_long_ago):
    from beneficiaries.privacy import beneficiary_data_export

    left_long_ago.situation_6_months = "training"
    left_long_ago.situation_recorded_on = dt.date(2025, 3, 1)
    left_long_ago.save()
    person = beneficiary_data_export(beneficiary=left_long_ago,
                                     performed_by=director.user)["person"]
    assert person["situation_6_months"] == "Formation"
    assert person["situation_recorded_on"] == "2025-03-01"


def test_a_colleagues_situation_saved_meanwhile_is_not_silently_replaced(
        client, counsellor, left_long_ago):
    client.force_login(counsellor.user)
    opened = client.get(url("situation", left_long_ago))
    assert opened.context["form"]["seen"].value() == ""
    # A colleague records "employment" while the page is open.
    left_long_ago.situation_6_months = "employment"
    left_long_ago.situation_recorded_on = days_ago(1)
    left_long_ago.save()
    response = client.post(url("situation", left_long_ago),
                           {"situation_6_months": "job_seeker", "seen": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "« Emploi »" in page
    assert "n’a PAS encore été enregistré" in page
    left_long_ago.refresh_from_db()
    assert left_long_ago.situation_6_months == "employment"
    # The choice is kept; saving again, knowingly, replaces the colleague's.
    form = response.context["form"]
    assert form["situation_6_months"].value() == "job_seeker"
    client.post(url("situation", left_long_ago),
                {"situation_6_months": "job_seeker", "seen": form["seen"].value()})
    left_long_ago.refresh_from_db()
    assert left_long_ago.situation_6_months == "job_seeker"
