"""The one door to the data: every view, command and export gets its objects here.

Views never filter by organisation themselves. ``@membership_required(capability)`` gives
them the user's membership in the organisation of the URL, with a role that has the
capability (organisations/permissions.py; 404 otherwise, so that another organisation's
objects are indistinguishable from objects that do not exist); they then ask for the
objects (``beneficiary_for``, ``questionnaire_for``) or querysets that membership may see.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from organisations.models import Membership, Organisation
from organisations.permissions import capability_check, roles_with

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from beneficiaries.models import Beneficiary
    from questionnaires.models import Questionnaire, Response

def memberships_for(user: AbstractBaseUser) -> QuerySet[Membership]:
    """The memberships of an authenticated user, with their organisations."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation")


def get_membership(user: AbstractBaseUser, org_slug: str,
                   capability: str | None = None) -> Membership:
    """The user's membership in that organisation, with ``capability`` if given, else 404."""
    memberships = memberships_for(user).filter(organisation__slug=org_slug)
    if capability is not None:
        memberships = memberships.filter(role__in=roles_with(capability))
    membership = memberships.first()
    if membership is None:
        raise Http404
    return membership


def membership_required(capability: str):
    """Decorate a view under /o/<org_slug>/: ``request.membership`` has ``capability``, else 404.

    Goes below ``login_required`` (or ``login_required_keeping_form``), so that a visitor
    who is not logged in is sent to the login page rather than told the page does not exist.
    """
    capability_check(capability)

    def decorator(view):
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            request.membership = get_membership(request.user, org_slug, capability)
            return view(request, org_slug, *args, **kwargs)

        wrapper.capability = capability
        return wrapper

    return decorator


def beneficiaries_for(membership: Membership) -> QuerySet[Beneficiary]:
    """The organisation's people for the roles that see people; other roles: none."""
    from beneficiaries.models import Beneficiary

    if not membership.can.see_people:
        return Beneficiary.objects.none()
    return Beneficiary.objects.filter(organisation_id=membership.organisation_id)


def people_to_count_for(membership: Membership) -> QuerySet[Beneficiary]:
    """The organisation's people, to be counted (never listed) by those who build
    questionnaires: how many a publication adds to each worklist. Other roles: none."""
    from beneficiaries.models import Beneficiary

    if not (membership.can.manage_data or membership.can.see_people):
        return Beneficiary.objects.none()
    return Beneficiary.objects.filter(organisation_id=membership.organisation_id)


def beneficiary_for(membership: Membership, public_id) -> Beneficiary:
    """One of the people the membership sees, with their counsellor; 404 for anything else."""
    return get_object_or_404(
        beneficiaries_for(membership).select_related("organisation", "counsellor"),
        public_id=public_id)


def questionnaires_for(membership: Membership) -> QuerySet[Questionnaire]:
    """Every role sees its organisation's questionnaires (the board for aggregates)."""
    from questionnaires.models import Questionnaire

    return Questionnaire.objects.filter(organisation_id=membership.organisation_id)


def questionnaire_for(membership: Membership, public_id, *,
                      published: bool = False) -> Questionnaire:
    """One of the organisation's questionnaires (only a published one if asked), else 404."""
    questionnaires = questionnaires_for(membership)
    if published:
        questionnaires = questionnaires.filter(status=questionnaires.model.Status.PUBLISHED)
    return get_object_or_404(questionnaires, public_id=public_id)


def responses_for(membership: Membership) -> QuerySet[Response]:
    """Individual responses, for the roles that see people."""
    from questionnaires.models import Response

    if not membership.can.see_people:
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
    """The organisation's members with a caseload, to cut a detailed report by; others: none."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if not membership.can.see_detailed_reports:
        return users.none()
    return users.filter(
        memberships__organisation_id=membership.organisation_id,
        memberships__role__in=roles_with("has_caseload"),
    ).order_by("last_name", "first_name", "username")


def programmes_for(membership: Membership) -> list[str]:
    """The programme labels used in the organisation (aggregate segments: every role)."""
    from beneficiaries.models import Beneficiary
    from beneficiaries.people import programmes_of

    return programmes_of(
        people=Beneficiary.objects.filter(organisation_id=membership.organisation_id))
