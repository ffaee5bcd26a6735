"""Isolation matrix: every URL of the project × every role × another organisation's objects.

The URL patterns come from the resolver, so a new page is covered without editing this file;
a page whose URL carries a parameter this file does not know how to fill makes the test fail
until a rule is added to FILLERS.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from organisations.models import Role
from questionnaires.definitions import definition_parse
from questionnaires.imports import responses_import
from questionnaires.services import questionnaire_load
from questionnaires.tables import table_read_csv
from tests.factories import BeneficiaryFactory, MembershipFactory

pytestmark = pytest.mark.django_db

FOREIGN_CODE = "ZZFOREIGN-0042"
FOREIGN_NAME = "Zorglubienne"
# Pages outside any organisation, and what they are allowed to do.
PUBLIC = {"login", "logout", "set_language"}
NON_ORGANISATION = {"home"}


def walk(patterns, prefix="", namespace=None, converters=None):
    """Yield (name, converters) for every named URL pattern, namespaces included."""
    for entry in patterns:
        merged = {**(converters or {}), **entry.pattern.converters}
        if isinstance(entry, URLResolver):
            space = namespace
            if entry.namespace:
                space = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, prefix, space, merged)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), merged


def project_urls():
    return sorted({name: converters for name, converters in walk(get_resolver().url_patterns)
                   if not name.startswith("admin:")}.items())


@pytest.fixture
def foreign(other_organisation, spec_definition):
    """Another organisation's questionnaire, person and responses, with recognisable data."""
    rows = [f"ZZOTHER-{i};1;2024-01-15;A;B" for i in range(6)]
    rows += [f"{FOREIGN_CODE};1;2024-01-15;C;B", f"{FOREIGN_CODE};2;2024-04-15;A;A"]
    objects = url_objects(organisation=other_organisation, definition=spec_definition,
                          rows=rows, code=FOREIGN_CODE)
    person = objects["beneficiary"]
    person.first_name, person.last_name = "Zoé", FOREIGN_NAME
    person.save()
    return objects


def url_objects(*, organisation, definition: dict, rows: list[str], code: str) -> dict:
    """The objects a URL names, in ``organisation``: the definition's questionnaire, published,
    with the responses ``rows`` (``beneficiary;wave;answered_on;Q01;Q02``), and the person
    ``code`` with their first wave's response."""
    questionnaire, _ = questionnaire_load(organisation=organisation,
                                          definition=definition_parse(definition))
    questionnaire.status = "published"
    questionnaire.save()
    table = "\n".join(["beneficiary;wave;answered_on;Q01;Q02", *rows]) + "\n"
    responses_import(questionnaire=questionnaire, table=table_read_csv(table.encode()))
    person = organisation.beneficiaries.get(code=code)
    return {"organisation": organisation, "questionnaire": questionnaire,
            "beneficiary": person, "scale": questionnaire.scales.get(),
            "response": person.responses.get(wave__number=1)}


def _fill(name: str, converters: dict, objects: dict) -> dict:
    kwargs = {}
    for kwarg in converters:
        filler = FILLERS.get((name.split(":")[0], kwarg)) or FILLERS.get(("*", kwarg))
        if filler is None:
            pytest.fail(f"No rule to fill <{kwarg}> of URL “{name}”: add one to FILLERS "
                        "so that its isolation is tested.")
        kwargs[kwarg] = filler(objects)
    return kwargs


FILLERS = {
    ("*", "org_slug"): lambda o: o["organisation"].slug,
    ("beneficiaries", "public_id"): lambda o: o["beneficiary"].public_id,
    ("*", "public_id"): lambda o: o["questionnaire"].public_id,
    ("*", "questionnaire_id"): lambda o: o["questionnaire"].public_id,
    ("*", "number"): lambda o: 1,
    ("*", "key"): lambda o: o["scale"].key,
    ("*", "response_id"): lambda o: o["response"].public_id,
}


@pytest.fixture
def members(organisation):
    """One user of each role in our organisation, which has data of its own."""
    BeneficiaryFactory(organisation=organisation, code="OURS-1", entry_date=dt.date(2024, 1, 1))
    return {role: MembershipFactory(organisation=organisation, role=role,
                                    user__username=f"member-{role}")
            for role in Role.values}


def assert_nothing_foreign(response, where: str):
    body = response.content.decode(errors="replace") if hasattr(response, "content") else ""
    assert FOREIGN_CODE not in body, where
    assert FOREIGN_NAME not in body, where


def assert_refused(client, url: str, role: str) -> None:
    """GET and POST are refused (a method the page does not take may answer 405)."""
    statuses = []
    for method in (client.get, client.post):
        response = method(url)
        where = f"{method.__name__.upper()} {url} as {role}"
        assert response.status_code in (403, 404, 405), where
        assert_nothing_foreign(response, where)
        statuses.append(response.status_code)
    assert {403, 404} & set(statuses), f"{url} as {role}: {statuses}"


def test_every_url_pattern_has_a_rule(foreign):
    for name, converters in project_urls():
        if name in PUBLIC or name in NON_ORGANISATION:
            continue
        assert "org_slug" in converters, f"{name} is outside /o/<org_slug>/: give it a rule"
        _fill(name, converters, foreign)


def test_members_get_404_on_another_organisations_pages(client, members, foreign):
    checked = 0
    for name, converters in project_urls():
        if "org_slug" not in converters:
            continue
        url = reverse(name, kwargs=_fill(name, converters, foreign))
        for role, membership in members.items():
            client.force_login(membership.user)
            assert_refused(client, url, role)
            checked += 1
    assert checked > 0


def test_members_get_404_on_another_organisations_objects_under_their_own_slug(
        client, members, foreign, organisation):
    for name, converters in project_urls():
        if "org_slug" not in converters or set(converters) == {"org_slug"}:
            continue
        kwargs = _fill(name, converters, foreign)
        kwargs["org_slug"] = organisation.slug
        url = reverse(name, kwargs=kwargs)
        for role, membership in members.items():
            client.force_login(membership.user)
            assert_refused(client, url, role)


def test_pages_of_our_organisation_show_nothing_foreign(client, members, foreign, organisation):
    for name, converters in project_urls():
        if set(converters) != {"org_slug"}:
            continue
        url = reverse(name, kwargs={"org_slug": organisation.slug})
        for role, membership in members.items():
            client.force_login(membership.user)
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), f"{url} as {role}"
            assert_nothing_foreign(response, f"GET {url} as {role}")


def test_anonymous_visitors_are_sent_to_the_login_page(client, foreign):
    for name, converters in project_urls():
        if name in PUBLIC:
            continue
        url = reverse(name, kwargs=_fill(name, converters, foreign))
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_the_administration_is_closed_to_members_who_are_not_staff(client, members):
    for membership in members.values():
        client.force_login(membership.user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/admin/login/" in response.url
