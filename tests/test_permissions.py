"""One permission table: every role has a row, and pages and menus do what the table says.

The expected status of every page comes from organisations/permissions.py, not from a list
written here, so that a new role (a federation, a tablet in self-completion mode) is tested
as soon as it is one row of the table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import resolve, reverse

from organisations.access import get_membership, membership_required
from organisations.models import Role
from organisations.permissions import (
    CAPABILITIES,
    ROLE_CAPABILITIES,
    capabilities_of,
    places_of,
    roles_with,
)
from tests.factories import MembershipFactory
from tests.test_isolation import _fill, project_urls, url_objects

ROOT = Path(__file__).resolve().parent.parent
# Where a role may be named: the table, the model, the administration, the demo data.
ROLE_NAMED_IN = {"organisations/permissions.py", "organisations/models.py",
                 "organisations/admin.py", "questionnaires/seeding.py"}
ROLE_NAMED = re.compile(r"\bRole\.[A-Z]|\.role\s*(==|!=|in\b|not in\b)|\*[A-Z]+_ROLES\b")


@pytest.fixture
def ours(organisation, spec_definition):
    """Our organisation's published questionnaire, a person and their response."""
    return url_objects(organisation=organisation, definition=spec_definition,
                       rows=["OURS-1;1;2024-01-15;A;B"], code="OURS-1")


def organisation_urls(objects) -> list[tuple[str, str]]:
    return [(name, reverse(name, kwargs=_fill(name, converters, objects)))
            for name, converters in project_urls() if "org_slug" in converters]


@pytest.mark.parametrize("role", Role.values)
def test_every_role_has_a_row_of_known_capabilities_and_places(role):
    assert role in ROLE_CAPABILITIES
    assert ROLE_CAPABILITIES[role] <= set(CAPABILITIES)
    assert places_of(role), f"{role} has no landing page"


@pytest.mark.parametrize("capability", sorted(CAPABILITIES))
def test_every_capability_is_granted_to_some_role(capability):
    assert roles_with(capability)


def test_every_organisation_page_declares_the_capability_it_needs(ours):
    for name, url in organisation_urls(ours):
        assert getattr(resolve(url).func, "capability", None) in CAPABILITIES, (
            f"{name} does not use @membership_required")


@pytest.mark.parametrize("role", Role.values)
def test_each_page_opens_to_a_role_exactly_when_the_table_grants_its_capability(
        client, ours, role):
    membership = MembershipFactory(organisation=ours["organisation"], role=role)
    client.force_login(membership.user)
    for name, url in organisation_urls(ours):
        capability = resolve(url).func.capability
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        where = f"{name} as {role} ({capability})"
        if capability in ROLE_CAPABILITIES[role]:
            assert response.status_code not in (403, 404), where
        else:
            assert response.status_code == 404, where


@pytest.mark.parametrize("role", Role.values)
def test_the_navigation_links_exactly_the_areas_the_table_grants(client, ours, role):
    membership = MembershipFactory(organisation=ours["organisation"], role=role)
    client.force_login(membership.user)
    landing = places_of(role)[0][0]
    response = client.get(reverse(landing, args=[ours["organisation"].slug]))
    nav = re.search(r"<nav.*?</nav>", response.content.decode(), re.S).group(0)
    can = capabilities_of(role)
    for url_name, shown in [("beneficiaries:worklist", can.see_people),
                            ("beneficiaries:list", can.see_people),
                            ("reports:index", can.see_reports),
                            ("questionnaires:list", can.see_aggregates)]:
        href = f'href="{reverse(url_name, args=[ours["organisation"].slug])}"'
        assert (href in nav) == shown, f"{url_name} in the navigation of {role}"


@pytest.mark.parametrize("role", Role.values)
def test_the_home_page_sends_each_role_only_to_pages_it_may_open(role):
    for url_name, _label in places_of(role):
        view = resolve(reverse(url_name, args=["cisp-liege"])).func
        assert view.capability in ROLE_CAPABILITIES[role], f"{url_name} for {role}"


def test_a_membership_answers_capabilities_from_its_role(director, board_member):
    assert director.can.see_detailed_reports
    assert board_member.can.see_reports
    assert not board_member.can.see_detailed_reports


def test_a_role_missing_from_the_table_may_do_nothing():
    can = capabilities_of("federation")
    assert not any(getattr(can, capability) for capability in CAPABILITIES)


def test_a_misspelt_capability_is_an_error_not_a_silent_no(director):
    with pytest.raises(AttributeError):
        director.can.see_peolpe  # noqa: B018
    with pytest.raises(ValueError, match="see_peolpe"):
        membership_required("see_peolpe")


def test_get_membership_gives_a_membership_with_the_capability(director):
    assert get_membership(director.user, director.organisation.slug,
                          "handle_privacy_requests") == director


def test_templates_test_only_capabilities_of_the_table():
    for path in (ROOT / "templates").rglob("*.html"):
        for name in re.findall(r"\.can\.(\w+)", path.read_text()):
            assert name in CAPABILITIES, f"{path.relative_to(ROOT)}: unknown capability {name}"


def test_roles_are_named_only_in_the_permission_table():
    folders = [path for path in ROOT.iterdir() if path.is_dir() and not path.is_symlink()
               and not path.name.startswith(".") and path.name not in {"tests", "bench", "load"}]
    for path in (source for folder in folders for pattern in ("*.py", "*.html")
                 for source in folder.rglob(pattern)):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or relative in ROLE_NAMED_IN:
            continue
        found = ROLE_NAMED.search(path.read_text())
        assert found is None, f"{relative} names a role: {found and found.group(0)}"
