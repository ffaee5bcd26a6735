"""Shared fixtures. Every test has an outsider at hand: a member of another organisation."""

import json
from pathlib import Path

import pytest

pytest_plugins = ["tests.browser_fixtures"]

# Django imports live inside the fixtures so that the pure statistics tests
# (tests/test_analysis_*.py) can also run without Django (`-p no:django`).

SPEC_DEFINITION = {
    "code": "cisp-impact",
    "title": "Questionnaire d'impact social",
    "waves": [
        {"number": 1, "label": "Entrée", "due_after_days": 0},
        {"number": 2, "label": "Mi-parcours", "due_after_days": 90},
        {"number": 3, "label": "Sortie", "due_after_days": 180},
    ],
    "scales": {
        "capacite": [
            {"code": "A", "label": "Oui je m'en sens capable par moi-même", "score": 3},
            {"code": "B", "label": "Oui je m'en sens capable mais j'ai besoin d'aide", "score": 2},
            {"code": "C", "label": "Non je ne sais pas comment m'y prendre", "score": 1},
            {"code": "NSP", "label": "Ne se prononce pas", "score": None},
        ]
    },
    "items": [
        {"code": "Q01",
         "text": "Vous sentez-vous capable d'avancer sur votre projet professionnel ?",
         "dimension": "Projet personnel", "scale": "capacite"},
        {"code": "Q02", "text": "Vous sentez-vous capable de remplir seul un formulaire ?",
         "dimension": "Autonomie administrative", "scale": "capacite"},
    ],
}


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the default language, as a fresh process (a command) would."""
    yield
    from django.conf import settings

    if settings.configured:
        from django.utils import translation

        translation.deactivate()


@pytest.fixture
def organisation(db):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(slug="cisp-liege", name="CISP de Liège")


@pytest.fixture
def other_organisation(db):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(slug="mire-namur", name="MIRE de Namur")


def _member(organisation, role, username):
    from tests.factories import MembershipFactory

    return MembershipFactory(organisation=organisation, role=role, user__username=username)


def _member_fixture(role, username):
    """A fixture: a member of the organisation with ``role``."""

    @pytest.fixture
    def member(organisation):
        return _member(organisation, role, username)

    return member


counsellor = _member_fixture("counsellor", "conseillere")
director = _member_fixture("director", "directrice")
board_member = _member_fixture("board", "administrateur")
manager = _member_fixture("manager", "gestionnaire")


@pytest.fixture
def outsider(other_organisation):
    """A director of another organisation: sees everything there, nothing here."""
    return _member(other_organisation, "director", "intrus")


@pytest.fixture
def spec_definition():
    return json.loads(json.dumps(SPEC_DEFINITION))


@pytest.fixture
def questionnaire(organisation, spec_definition):
    from questionnaires.definitions import definition_parse
    from questionnaires.services import questionnaire_load

    questionnaire, _ = questionnaire_load(
        organisation=organisation, definition=definition_parse(spec_definition)
    )
    return questionnaire


@pytest.fixture
def published(questionnaire):
    """The specification's questionnaire, published: counsellors can enter responses."""
    from questionnaires.models import Questionnaire

    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save()
    return questionnaire


@pytest.fixture
def demo(organisation):
    """The organisation filled with the 30-item demo questionnaire, 80 people."""
    from questionnaires.seeding import demo_seed

    return demo_seed(organisation_slug=organisation.slug, n=80).questionnaire


@pytest.fixture
def empty_cache():
    """The cache emptied before and after the test (reports and views are cached)."""
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def write_file(tmp_path):
    """Write text (or bytes) to a file in the test's folder and return its path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding)
        return path

    return write
