"""One permission table: what each role may do, decided here and nowhere else.

Views, templates, menus and querysets ask for a capability (``membership.can.see_people``,
``@membership_required("manage_data")``), never for a role. A new role (a federation, a
tablet in self-completion mode) is one row of ``ROLE_CAPABILITIES`` and one of
``ROLE_PLACES``; tests/test_permissions.py checks every page against this table.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from organisations.models import Role

# Every capability, with what it opens.
CAPABILITIES = {
    "see_people": "the organisation's people: worklist, list, a person's page and record",
    "enter_responses": "enter a wave of a questionnaire for a person",
    "follow_people": "be named as the counsellor who follows a person",
    "has_caseload": "start from their own people (worklist, new people); reports cut by them",
    "handle_privacy_requests": "download everything held on a person, erase a person",
    "see_reports": "the impact dashboards and the board's PDF",
    "see_detailed_reports": "free report filters, every count, cuts by counsellor (not the "
                            "board's fixed cuts with no count below 5)",
    "see_aggregates": "the questionnaires' list and their aggregate tables",
    "manage_data": "build questionnaires, upload responses, export rows",
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COUNSELLOR: frozenset({"see_people", "enter_responses", "follow_people",
                                "has_caseload"}),
    Role.DIRECTOR: frozenset({"see_people", "enter_responses", "follow_people",
                              "handle_privacy_requests", "see_reports", "see_detailed_reports",
                              "see_aggregates", "manage_data"}),
    # The board only ever sees aggregates.
    Role.BOARD: frozenset({"see_reports", "see_aggregates"}),
    Role.MANAGER: frozenset({"see_aggregates", "manage_data"}),
}

# Where each role works on the home page, its landing page first: (URL name, label).
ROLE_PLACES = {
    Role.COUNSELLOR: [("beneficiaries:worklist", _("Waves to enter")),
                      ("beneficiaries:list", _("People followed"))],
    Role.DIRECTOR: [("reports:index", _("Impact dashboards")),
                    ("beneficiaries:list", _("People followed")),
                    ("questionnaires:list", _("Questionnaires and data"))],
    Role.BOARD: [("reports:index", _("Impact dashboards")),
                 ("questionnaires:list", _("Aggregate tables"))],
    Role.MANAGER: [("questionnaires:list", _("Questionnaires and data"))],
}


class Can:
    """A role's capabilities as attributes: ``can.see_people`` (templates and code).

    An unknown name raises AttributeError, so that a typo is never a silent "no" in code.
    """

    __slots__ = ("_granted",)

    def __init__(self, granted: frozenset[str]):
        self._granted = granted

    def __getattr__(self, name: str) -> bool:
        if name not in CAPABILITIES:
            raise AttributeError(f"Unknown capability: {name}")
        return name in self._granted

    def __repr__(self) -> str:
        return f"Can({', '.join(sorted(self._granted))})"


def capability_check(capability: str) -> str:
    """``capability`` if it is one of the table's; ValueError otherwise (at import time)."""
    if capability not in CAPABILITIES:
        raise ValueError(f"Unknown capability: {capability}")
    return capability


def capabilities_of(role: str) -> Can:
    """What a role may do; a role missing from the table may do nothing."""
    return Can(ROLE_CAPABILITIES.get(role, frozenset()))


def roles_with(capability: str) -> list[str]:
    """The roles that have ``capability``, e.g. to filter memberships in a query."""
    capability_check(capability)
    return [role for role, granted in ROLE_CAPABILITIES.items() if capability in granted]


def places_of(role: str) -> list[tuple[str, str]]:
    """Where a role works, its landing page first (the home page's links)."""
    return ROLE_PLACES.get(role, [])
