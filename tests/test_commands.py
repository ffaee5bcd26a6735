"""create_organisation (formats.md §4)."""

import io

import pytest
from django.core.management import CommandError, call_command

from organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_it_creates_an_organisation():
    call_command("create_organisation", "cisp-liege", name="CISP de Liège", stdout=io.StringIO())
    assert Organisation.objects.get(slug="cisp-liege").name == "CISP de Liège"


def test_it_refuses_an_existing_slug(organisation):
    with pytest.raises(CommandError) as error:
        call_command("create_organisation", organisation.slug, name="Autre")
    assert error.value.returncode == 2
    assert Organisation.objects.get(slug=organisation.slug).name == organisation.name


def test_it_refuses_a_slug_with_spaces(db):
    with pytest.raises(CommandError):
        call_command("create_organisation", "not a slug", name="X")
    assert not Organisation.objects.exists()
