"""Who a membership sees on the people pages: its own people or the whole organisation."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import (
    QuerySet,
)

from beneficiaries.models import Beneficiary
from beneficiaries.people import SCOPE_ALL, SCOPE_MINE
from organisations.access import beneficiaries_for
from organisations.models import Membership
from organisations.permissions import roles_with


def default_scope(membership: Membership) -> str:
    """Members with a caseload start with their own people, others with the whole organisation."""
    return SCOPE_MINE if membership.can.has_caseload else SCOPE_ALL


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
        memberships__role__in=roles_with("follow_people"),
    ).order_by("last_name", "first_name", "username")
