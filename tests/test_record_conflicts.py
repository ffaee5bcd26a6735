"""A stale edit of a person's record never overwrites a colleague's changes."""

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary
from tests.factories import BeneficiaryFactory
from tests.page_forms import form_values, opened, opened_then_saved_meanwhile, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(counsellor):
    return BeneficiaryFactory(organisation=counsellor.organisation, code="P-1",
                              first_name="Nadia", programme="Orientation", birth_year=1990)


@pytest.fixture
def edit(person):
    return reverse("beneficiaries:edit", kwargs={"org_slug": person.organisation.slug,
                                                 "public_id": person.public_id})


def test_a_stale_edit_of_one_field_keeps_the_colleagues_other_fields(
        person, edit, counsellor, director):
    mine, stale = opened_then_saved_meanwhile(
        counsellor, director, edit, {"programme": "Emploi", "birth_year": "1991"})
    mine.post(edit, {**stale, "first_name": "Nadia-Rose"})
    person.refresh_from_db()
    assert (person.first_name, person.programme, person.birth_year) == (
        "Nadia-Rose", "Emploi", 1991)
    assert person.version == 3


def test_the_same_field_changed_both_ways_writes_nothing_and_shows_both(
        person, edit, counsellor, director):
    mine, stale = opened_then_saved_meanwhile(
        counsellor, director, edit, {"programme": "Emploi", "birth_year": "1991"})
    response = mine.post(edit, {**stale, "programme": "Formation"})
    page = response.content.decode()
    person.refresh_from_db()
    assert person.programme == "Emploi"
    row = page[page.index('data-conflict-row="programme"'):]
    row = row[:row.index("</tr>")]
    assert "Emploi" in row
    assert "Formation" in row
    resolved = form_values(page)
    # What was typed is kept; the colleague's other change is in the form.
    assert (resolved["programme"], resolved["birth_year"]) == ("Formation", "1991")
    mine.post(edit, resolved)
    person.refresh_from_db()
    assert (person.programme, person.birth_year) == ("Formation", 1991)


def test_recording_an_exit_makes_an_open_edit_form_stale(person, edit, counsellor):
    client = signed_in(counsellor)
    stale = opened(client, edit)
    client.post(reverse("beneficiaries:exit", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id}),
        {"exit_date": "2024-06-01", "exit_reason": "employment"})
    assert Beneficiary.objects.get().version == 2
    client.post(edit, {**stale, "programme": "Emploi"})
    person.refresh_from_db()
    assert (person.programme, person.exit_reason) == ("Emploi", "employment")


def test_an_altered_record_of_values_is_refused(person, edit, counsellor):
    client = signed_in(counsellor)
    page = client.post(edit, {**opened(client, edit), "programme": "Emploi",
                              "shown": "forged"}).content.decode()
    assert "Le formulaire a expiré" in page
    person.refresh_from_db()
    assert person.programme == "Orientation"
