"""The one door to the data: every view, command and export gets its objects here.

Views never filter by organisation themselves. They ask for the user's membership in an
organisation with the roles the page allows (404 otherwise, so that another
organisation's objects are indistinguishable from objects that do not exist), then for
the querysets that membership may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from organisations.models import Membership, Organisation, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from beneficiaries.models import Beneficiary
    from questionnaires.models import Questionnaire, Response

# Roles that work with individual people; the board only ever sees aggregates.
PEOPLE_ROLES = (Role.COUNSELLOR, Role.DIRECTOR)


def memberships_for(user: AbstractBaseUser) -> QuerySet[Membership]:
    """The memberships of an authenticated user, with their organisations."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation")


def get_membership(user: AbstractBaseUser, org_slug: str, *roles: str) -> Membership:
    """The user's membership in that organisation with one of ``roles``, else 404."""
    memberships = memberships_for(user).filter(organisation__slug=org_slug)
    if roles:
        memberships = memberships.filter(role__in=roles)
    membership = memberships.first()
    if membership is None:
        raise Http404
    return membership


def beneficiaries_for(membership: Membership) -> QuerySet[Beneficiary]:
    """Counsellors and directors: the organisation's people; other roles: none."""
    from beneficiaries.models import Beneficiary

    if membership.role not in PEOPLE_ROLES:
        return Beneficiary.objects.none()
    return Beneficiary.objects.filter(organisation_id=membership.organisation_id)


def questionnaires_for(membership: Membership) -> QuerySet[Questionnaire]:
    """Every role sees its organisation's questionnaires (the board for aggregates)."""
    from questionnaires.models import Questionnaire

    return Questionnaire.objects.filter(organisation_id=membership.organisation_id)


def responses_for(membership: Membership) -> QuerySet[Response]:
    """Individual responses, for the roles that work with people."""
    from questionnaires.models import Response

    if membership.role not in PEOPLE_ROLES:
        return Response.objects.none()
    return Response.objects.filter(beneficiary__organisation_id=membership.organisation_id)


def organisation_for_command(slug: str) -> Organisation:
    """The organisation a command was asked to work on; a one-line error (exit 2) if unknown.

    Commands are run by the site's operator, who administers every organisation, so the
    organisation named on the command line is the whole scope.
    """
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise CommandError(
            _("Unknown organisation: “%(slug)s”.") % {"slug": slug}, returncode=2
        ) from None


def questionnaire_for_command(organisation: Organisation, code: str) -> Questionnaire:
    """That organisation's questionnaire of this code; a one-line error (exit 2) if unknown."""
    from questionnaires.models import Questionnaire

    try:
        return Questionnaire.objects.get(organisation=organisation, code=code)
    except Questionnaire.DoesNotExist:
        raise CommandError(
            _("Unknown questionnaire “%(code)s” in organisation “%(slug)s”.")
            % {"code": code, "slug": organisation.slug},
            returncode=2,
        ) from None


def counsellors_for(membership: Membership) -> QuerySet[AbstractBaseUser]:
    """The organisation's counsellors, for directors (e.g. to cut a report); others: none."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if membership.role != Role.DIRECTOR:
        return users.none()
    return users.filter(
        memberships__organisation_id=membership.organisation_id,
        memberships__role=Role.COUNSELLOR,
    ).order_by("last_name", "first_name", "username")


def programmes_for(membership: Membership) -> list[str]:
    """The programme labels used in the organisation (aggregate segments: every role)."""
    from beneficiaries.models import Beneficiary
    from beneficiaries.people import programmes_of

    return programmes_of(
        people=Beneficiary.objects.filter(organisation_id=membership.organisation_id))
