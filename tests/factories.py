"""factory-boy factories: each test builds exactly the data it talks about.

A factory left to its defaults keeps what it builds in one organisation: a response's person
belongs to the questionnaire's organisation, an answer's item and choice to the response's
questionnaire. Another organisation is always asked for explicitly (tests/conftest.py's
``other_organisation``, ``outsider``)."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from beneficiaries.models import Beneficiary
from organisations.models import Membership, Organisation, Role
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response, Scale, Wave


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.CISP


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.COUNSELLOR


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"B-{n:04d}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Personne{n}")
    entry_date = dt.date(2024, 1, 15)
    # Recorded as on entering; tests of a person without it pass consent_processing_on=None.
    consent_processing_on = dt.date(2024, 1, 15)


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"q-{n}")
    title = "Questionnaire d'impact social"


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda o: f"Vague {o.number}")
    due_after_days = 0


class ScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scale

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    key = factory.Sequence(lambda n: f"scale-{n}")


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    scale = factory.SubFactory(ScaleFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    label = factory.LazyAttribute(lambda o: f"Choix {o.code}")
    score = 1


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    code = factory.Sequence(lambda n: f"Q{n:02d}")
    text = "Vous sentez-vous capable d'avancer sur votre projet professionnel ?"
    dimension = "Projet personnel"
    scale = factory.SubFactory(ScaleFactory, questionnaire=factory.SelfAttribute("..questionnaire"))


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    beneficiary = factory.SubFactory(
        BeneficiaryFactory, organisation=factory.SelfAttribute("..questionnaire.organisation"))
    wave = factory.SubFactory(WaveFactory)
    questionnaire = factory.SelfAttribute("wave.questionnaire")
    answered_on = dt.date(2024, 2, 1)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    item = factory.SubFactory(ItemFactory,
                              questionnaire=factory.SelfAttribute("..response.questionnaire"))
    choice = factory.SubFactory(ChoiceFactory, scale=factory.SelfAttribute("..item.scale"))
