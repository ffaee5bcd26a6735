"""Emails that fight attrition: each counsellor's daily digest, and a person's own link.

The digest lists the waves due and overdue of the people a member follows (the worklist's
queries), by code only: an email travels further than the site. People without a recorded
consent to data processing are not listed, only counted, so that they are not forgotten.
A ReminderSent row per (user, day), written in the same transaction as the sending, makes
the digest go at most once a day whoever runs the command and however often.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beneficiaries.due import WaveStatus
from beneficiaries.models import Beneficiary, ReminderSent
from beneficiaries.people import SCOPE_MINE, published_questionnaires
from beneficiaries.scope import people_in_scope
from beneficiaries.worklist import work_items
from organisations.access import questionnaires_for
from organisations.models import Membership
from organisations.users import user_display_name
from questionnaires.models import Wave

try:  # Personal links come with issue 14.3; without them no link is offered nor sent.
    from questionnaires.links import personal_link_create
except ImportError:  # pragma: no cover - depends on which branches are merged
    personal_link_create = None


def personal_links_available() -> bool:
    """Whether personal links exist in this installation (else the action is hidden)."""
    return personal_link_create is not None


@dataclass
class DigestPart:
    """One organisation's part of a member's digest."""

    membership: Membership
    due: list[tuple[str, str, dt.date | None]] = field(default_factory=list)
    overdue: list[tuple[str, str, dt.date | None]] = field(default_factory=list)
    without_consent: int = 0

    @property
    def waves(self) -> int:
        return len(self.due) + len(self.overdue)


def reminder_digest_parts(*, user: AbstractBaseUser, today: dt.date) -> list[DigestPart]:
    """What the user's digest lists, per organisation where they follow people.

    Each line is (person's code, "questionnaire — wave", due date); only people with a
    recorded consent to data processing, the others counted in ``without_consent``.
    """
    parts = []
    memberships = (Membership.objects.filter(user=user).select_related("organisation")
                   .order_by("organisation__name"))
    for membership in memberships:
        if not membership.can.follow_people:
            continue
        people = people_in_scope(membership=membership, scope=SCOPE_MINE)
        questionnaires = published_questionnaires(questionnaires=questionnaires_for(membership))
        entries = work_items(people=people, questionnaires=questionnaires, today=today)
        if not entries:
            continue
        consenting = dict(people.filter(consent_processing_on__isnull=False)
                          .filter(pk__in={pk for pk, _q, _s in entries})
                          .values_list("pk", "code"))
        part = DigestPart(membership=membership)
        for pk, questionnaire, state in entries:
            if pk not in consenting:
                continue
            line = (consenting[pk], f"{questionnaire.title} — {state.wave.label}", state.due_on)
            (part.due if state.status == WaveStatus.DUE else part.overdue).append(line)
        part.without_consent = len({pk for pk, _q, _s in entries} - set(consenting))
        if part.waves or part.without_consent:
            parts.append(part)
    return parts


def _date(value: dt.date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def reminder_digest_text(*, user: AbstractBaseUser, parts: list[DigestPart]) -> tuple[str, str]:
    """The digest's subject and body, in the site's language."""
    total = sum(part.waves for part in parts)
    subject = ngettext("VISES Impact: %(count)d wave to enter",
                       "VISES Impact: %(count)d waves to enter", total) % {"count": total}
    lines = [_("Hello %(name)s,") % {"name": user_display_name(user)}, ""]
    for part in parts:
        lines.append(part.membership.organisation.name)
        lines.append("=" * len(part.membership.organisation.name))
        for title, rows in ((_("Due"), part.due), (_("Overdue"), part.overdue)):
            if rows:
                lines.append(f"{title} ({len(rows)})")
                lines.extend(_("- %(code)s · %(wave)s · due on %(date)s")
                             % {"code": code, "wave": wave, "date": _date(due_on)}
                             for code, wave, due_on in rows)
        if part.without_consent:
            lines.append(ngettext(
                "%(count)d person with a wave due has no recorded consent to data "
                "processing: record it on their page first.",
                "%(count)d people with a wave due have no recorded consent to data "
                "processing: record it on their page first.",
                part.without_consent) % {"count": part.without_consent})
        url = settings.SITE_URL + reverse(
            "beneficiaries:worklist", kwargs={"org_slug": part.membership.organisation.slug})
        lines.extend([_("Your worklist: %(url)s") % {"url": url}, ""])
    lines.append(_("You receive this email at most once a day, when waves are waiting."))
    return subject, "\n".join(lines)


@dataclass(frozen=True)
class RemindersResult:
    sent: int
    already_sent: int
    nothing_to_send: int
    no_address: int


def reminders_send(*, today: dt.date, users=None) -> RemindersResult:
    """Send today's digest to every member who follows people and has waves waiting.

    At most one a day per user: the ReminderSent row is written in the same transaction as
    the sending, so that a failed sending is retried by the next run and a second run (or
    one running at the same time) sends nothing.
    """
    from django.contrib.auth import get_user_model

    users = users if users is not None else get_user_model().objects.filter(
        is_active=True, memberships__isnull=False).distinct().order_by("pk")
    sent = already = nothing = no_address = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user in users:
            if ReminderSent.objects.filter(user=user, day=today).exists():
                already += 1
                continue
            parts = reminder_digest_parts(user=user, today=today)
            if not any(part.waves for part in parts):
                nothing += 1
                continue
            if not user.email:
                no_address += 1
                continue
            subject, body = reminder_digest_text(user=user, parts=parts)
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(user=user, day=today,
                                                waves=sum(p.waves for p in parts))
                    send_mail(subject, body, None, [user.email])
            except IntegrityError:  # another run sent it meanwhile
                already += 1
                continue
            sent += 1
    return RemindersResult(sent, already, nothing, no_address)


class PersonNotReachable(Exception):
    """No email address, or no consent to be contacted: nothing is sent."""


def personal_link_email_send(
    *, beneficiary: Beneficiary, wave: Wave, url: str, sent_by: AbstractBaseUser,
) -> None:
    """Email the person their link to answer ``wave`` themselves (with their consent only)."""
    current = Beneficiary.objects.select_related("organisation").get(pk=beneficiary.pk)
    if not current.reachable_by_email:
        raise PersonNotReachable(current.code)
    organisation = current.organisation.name
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(organisation)s: your questionnaire") % {"organisation": organisation}
        body = "\n".join([
            _("Hello,"), "",
            _("%(organisation)s invites you to answer its questionnaire “%(wave)s” yourself, "
              "at this address:") % {"organisation": organisation,
                                     "wave": f"{wave.questionnaire.title} — {wave.label}"},
            url, "",
            _("The link is personal: do not pass it on. %(name)s sent it to you; answer them "
              "if you have a question.") % {"name": user_display_name(sent_by)},
        ])
        send_mail(subject, body, None, [current.email])
