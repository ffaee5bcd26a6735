"""A person's record: create, edit, record an exit; bad input refused in French, nothing changed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaries.charts import dimension_chart_svg
from beneficiaries.models import Beneficiary
from tests.factories import BeneficiaryFactory
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db


def url(name, organisation, **kwargs):
    return reverse(f"beneficiaries:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


@pytest.fixture
def signed_in(client, counsellor):
    client.force_login(counsellor.user)
    return client


def record(**changes):
    data = {"code": "NEW-1", "first_name": "Nadia", "last_name": "Benali",
            "entry_date": "2024-03-01", "programme": "Orientation", "gender": "f",
            "birth_year": "1990", "education_level": "", "counsellor": ""}
    data.update(changes)
    return data


def test_a_counsellor_adds_a_person_to_their_organisation(signed_in, counsellor):
    response = signed_in.post(url("create", counsellor.organisation),
                              record(counsellor=counsellor.user.pk))
    person = Beneficiary.objects.get(code="NEW-1")
    assert response.url == url("detail", counsellor.organisation, public_id=person.public_id)
    assert (person.organisation, person.counsellor, person.entry_date) == (
        counsellor.organisation, counsellor.user, dt.date(2024, 3, 1))


def test_the_new_person_form_proposes_the_counsellor_and_today(signed_in, counsellor):
    form = signed_in.get(url("create", counsellor.organisation)).context["form"]
    assert form.initial["counsellor"] == counsellor.user
    assert form.initial["entry_date"] == timezone.localdate()


def test_a_code_used_in_the_organisation_is_refused_and_the_form_kept(signed_in, counsellor):
    BeneficiaryFactory(organisation=counsellor.organisation, code="NEW-1")
    response = signed_in.post(url("create", counsellor.organisation), record())
    page = response.content.decode()
    assert "déjà utilisé" in page
    assert 'value="Benali"' in page
    assert Beneficiary.objects.count() == 1


def test_the_same_code_is_free_in_another_organisation(signed_in, counsellor,
                                                       other_organisation):
    BeneficiaryFactory(organisation=other_organisation, code="NEW-1")
    signed_in.post(url("create", counsellor.organisation), record())
    assert Beneficiary.objects.filter(code="NEW-1").count() == 2


def test_a_counsellor_of_another_organisation_cannot_be_chosen(signed_in, counsellor,
                                                               outsider):
    response = signed_in.post(url("create", counsellor.organisation),
                              record(counsellor=outsider.user.pk))
    assert response.status_code == 200
    assert not Beneficiary.objects.exists()


def test_editing_a_person_records_the_change_in_the_history(signed_in, counsellor):
    person = BeneficiaryFactory(organisation=counsellor.organisation, code="OLD-1",
                                programme="Orientation")
    edit = url("edit", counsellor.organisation, public_id=person.public_id)
    signed_in.post(edit, {**form_values(signed_in.get(edit).content.decode()),
                          "programme": "Emploi"})
    person.refresh_from_db()
    assert person.programme == "Emploi"
    last = person.history.first()
    assert last.history_user == counsellor.user
    assert last.prev_record.programme == "Orientation"


def test_an_entry_after_the_exit_is_refused(signed_in, counsellor):
    person = BeneficiaryFactory(organisation=counsellor.organisation, code="OLD-1",
                                entry_date=dt.date(2024, 1, 1), exit_date=dt.date(2024, 6, 1),
                                exit_reason="employment")
    edit = url("edit", counsellor.organisation, public_id=person.public_id)
    response = signed_in.post(edit, {**form_values(signed_in.get(edit).content.decode()),
                                     "entry_date": "2024-07-01"})
    assert "doit précéder la date de sortie" in response.content.decode()
    person.refresh_from_db()
    assert person.entry_date == dt.date(2024, 1, 1)


def test_recording_an_exit_sets_its_date_and_reason(signed_in, counsellor):
    person = BeneficiaryFactory(organisation=counsellor.organisation,
                                entry_date=dt.date(2024, 1, 1))
    signed_in.post(url("exit", counsellor.organisation, public_id=person.public_id),
                   {"exit_date": "2024-05-02", "exit_reason": "training"})
    person.refresh_from_db()
    assert (person.exit_date, person.exit_reason) == (dt.date(2024, 5, 2), "training")


@pytest.mark.parametrize(("exit_date", "message"), [
    ("2023-12-31", "doit suivre la date d’entrée"),
    ("2999-01-01", "ne peut pas être dans le futur"),
    ("pas une date", "Saisissez une date valide"),
])
def test_a_bad_exit_date_is_refused_in_french(signed_in, counsellor, exit_date, message):
    person = BeneficiaryFactory(organisation=counsellor.organisation,
                                entry_date=dt.date(2024, 1, 1))
    response = signed_in.post(url("exit", counsellor.organisation, public_id=person.public_id),
                              {"exit_date": exit_date, "exit_reason": "training"})
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.exit_date is None


def test_an_exit_can_be_cancelled(signed_in, counsellor):
    person = BeneficiaryFactory(organisation=counsellor.organisation,
                                entry_date=dt.date(2024, 1, 1), exit_date=dt.date(2024, 2, 1),
                                exit_reason="moved")
    signed_in.post(url("exit", counsellor.organisation, public_id=person.public_id),
                   {"action": "cancel"})
    person.refresh_from_db()
    assert (person.exit_date, person.exit_reason) == (None, "")


def test_the_chart_is_an_svg_with_the_dimension_names_as_text():
    svg = dimension_chart_svg(dimensions=["Estime de soi", "Mobilité"],
                              wave_labels=["Entrée", "Sortie"],
                              scores=[[1.5, 3.0], [2.0, None]], score_range=(1.0, 4.0),
                              chart_id="test")
    assert svg.startswith("<svg")
    assert "Estime de soi" in svg
    assert "Mobilité" in svg
    assert "width=\"100%\"" not in svg


def test_the_chart_never_loads_pyplot():
    import subprocess
    import sys

    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='vises.settings'; "
            "django.setup(); from beneficiaries.charts import dimension_chart_svg as f; "
            "f(dimensions=['a'], wave_labels=['1'], scores=[[1.0]], score_range=(1.0, 3.0), "
            "chart_id='x'); import sys; print('matplotlib.pyplot' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_recording_an_exit_offers_to_enter_the_wave_at_exit_now(signed_in, counsellor,
                                                                 published):
    published.waves.filter(number=3).update(at_exit=True)
    person = BeneficiaryFactory(organisation=counsellor.organisation,
                                entry_date=timezone.localdate() - dt.timedelta(days=100))
    address = url("exit", counsellor.organisation, public_id=person.public_id)
    response = signed_in.post(address, {"exit_date": timezone.localdate().isoformat(),
                                        "exit_reason": "training"}, follow=True)
    entry = url("entry", counsellor.organisation, public_id=person.public_id,
                questionnaire_id=published.public_id, number=3)
    assert response.redirect_chain[0][0] == address
    assert f'href="{entry}"' in response.content.decode()
    assert "Saisir le questionnaire de sortie maintenant" in response.content.decode()


def test_an_exit_without_a_wave_at_exit_returns_to_the_record(signed_in, counsellor, published):
    person = BeneficiaryFactory(organisation=counsellor.organisation,
                                entry_date=timezone.localdate() - dt.timedelta(days=100))
    response = signed_in.post(url("exit", counsellor.organisation, public_id=person.public_id),
                              {"exit_date": timezone.localdate().isoformat(),
                               "exit_reason": "training"})
    assert response.url == url("detail", counsellor.organisation, public_id=person.public_id)
