"""seed_demo: a deterministic demo shaped like the seeds (30 items, attrition, improvement)."""

import io

import pytest
from django.core.management import call_command

from beneficiaries.models import Beneficiary
from organisations.models import Membership
from questionnaires.exports import responses_export_csv
from questionnaires.models import Answer, Questionnaire, Response

pytestmark = pytest.mark.django_db

SEED_DIMENSIONS = {
    "Estime de soi", "Communication et relationnel", "Projet personnel",
    "Autonomie administrative", "Mobilité", "Lien social", "Citoyenneté active",
}


def seed(slug, n):
    call_command("seed_demo", organisation=slug, beneficiaries=n, stdout=io.StringIO())
    return Questionnaire.objects.get(organisation__slug=slug, code="demo")


def exported(questionnaire) -> str:
    stream = io.StringIO()
    responses_export_csv(questionnaire=questionnaire, stream=stream)
    return stream.getvalue()


def test_it_builds_the_30_item_questionnaire_on_the_seeds_dimensions():
    questionnaire = seed("demo", 20)
    assert questionnaire.items.count() == 30
    assert set(questionnaire.items.values_list("dimension", flat=True)) == SEED_DIMENSIONS
    assert questionnaire.waves.count() == 3
    assert Answer.objects.filter(choice__code="NSP", choice__score__isnull=True).exists()


def test_it_is_deterministic_for_a_given_n():
    assert exported(seed("one", 60)) == exported(seed("two", 60))


def test_it_has_attrition_between_waves():
    questionnaire = seed("demo", 400)
    counts = [Response.objects.filter(questionnaire=questionnaire, wave__number=n).count()
              for n in (1, 2, 3)]
    assert counts[0] == 400
    assert counts[0] > counts[1] > counts[2] > 0
    # The seeds: about half answer again mid-way, about a quarter of those at exit.
    assert 0.3 < counts[1] / counts[0] < 0.6
    assert 0.15 < counts[2] / counts[1] < 0.45


def test_people_improve_between_the_first_and_last_wave_on_average():
    questionnaire = seed("demo", 400)
    from django.db.models import Avg

    means = [
        Answer.objects.filter(response__questionnaire=questionnaire, response__wave__number=n,
                              choice__score__isnull=False).aggregate(m=Avg("choice__score"))["m"]
        for n in (1, 3)
    ]
    assert means[1] > means[0]


def test_rerunning_it_keeps_the_data():
    questionnaire = seed("demo", 30)
    before = exported(questionnaire)
    seed("demo", 50)
    assert exported(questionnaire) == before
    assert Beneficiary.objects.filter(organisation__slug="demo").count() == 30


def test_it_creates_one_demo_user_per_role_with_the_given_password():
    call_command("seed_demo", organisation="demo", beneficiaries=5, demo_password="pass-w0rd-x",
                 stdout=io.StringIO())
    roles = set(Membership.objects.filter(organisation__slug="demo").values_list("role", flat=True))
    assert roles == {"counsellor", "director", "board", "manager"}
    director = Membership.objects.get(organisation__slug="demo", role="director").user
    assert director.check_password("pass-w0rd-x")


def situations(slug) -> list[tuple]:
    return list(Beneficiary.objects.filter(organisation__slug=slug).order_by("code").values_list(
        "exit_date", "exit_reason", "situation_6_months", "situation_recorded_on"))


def test_it_records_situations_only_six_months_after_exit_and_leaves_some_to_record():
    from questionnaires.seeding import OBSERVED_UNTIL

    seed("demo", 400)
    people = situations("demo")
    recorded = [p for p in people if p[2]]
    assert recorded
    for exit_date, _reason, _situation, recorded_on in recorded:
        assert (recorded_on - exit_date).days >= 182
        assert recorded_on <= OBSERVED_UNTIL
    due = [p for p in people if p[0] and (OBSERVED_UNTIL - p[0]).days >= 182]
    assert 0 < len(due) - len(recorded) < len(due) / 3
    at_work = sum(1 for p in recorded if p[2] == "employment" and p[1] == "employment")
    left_for_work = sum(1 for p in recorded if p[1] == "employment")
    assert 0.5 < at_work / left_for_work < 0.9


def test_its_situations_are_deterministic_for_a_given_n():
    seed("one", 300)
    seed("two", 300)
    assert situations("one") == situations("two")
