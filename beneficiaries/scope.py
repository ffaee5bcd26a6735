"""Who a membership sees on the people pages: its own people or the whole organisation."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import (
    QuerySet,
)

from beneficiaries.models import Beneficiary
from beneficiaries.people import SCOPE_ALL, SCOPE_MINE
from organisations.access import PEOPLE_ROLES, beneficiaries_for
from organisations.models import Membership, Role


def default_scope(membership: Membership) -> str:
    """Counsellors start with their own people, directors with the whole organisation."""
    return SCOPE_MINE if membership.role == Role.COUNSELLOR else SCOPE_ALL


def people_in_scope(*, membership: Membership, scope: str) -> QuerySet[Beneficiary]:
    """The organisation's people the membership sees, restricted to its own if asked."""
    people = beneficiaries_for(membership)
    if scope == SCOPE_MINE:
        people = people.filter(counsellor_id=membership.user_id)
    return people


def counsellors_of(*, membership: Membership) -> QuerySet:
    """Users who can follow people in the membership's organisation (counsellors, directors)."""
    return get_user_model().objects.filter(
        memberships__organisation_id=membership.organisation_id,
        memberships__role__in=PEOPLE_ROLES,
    ).order_by("last_name", "first_name", "username")
