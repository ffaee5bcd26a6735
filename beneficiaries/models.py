import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import Organisation


class Beneficiary(models.Model):
    """A person the organisation supports, known in analyses only by a pseudonymous code."""

    class ExitReason(models.TextChoices):
        EMPLOYMENT = "employment", _("Employment")
        TRAINING = "training", _("Training")
        OTHER_SUPPORT = "other_support", _("Other support")
        DROPPED_OUT = "dropped_out", _("Dropped out")
        MOVED = "moved", _("Moved away")
        OTHER = "other", _("Other")

    class Situation(models.TextChoices):
        """Where the person stands six months after their exit (formats.md §2b)."""

        EMPLOYMENT = "employment", _("Employment")
        TRAINING = "training", _("Training")
        JOB_SEEKER = "job_seeker", _("Job seeker")
        OTHER_SUPPORT = "other_support", _("Other support")
        DROPPED_OUT = "dropped_out", _("Dropped out")
        MOVED = "moved", _("Moved away")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Situation unknown")

    class Gender(models.TextChoices):
        FEMALE = "f", _("Woman")
        MALE = "m", _("Man")
        OTHER = "x", _("Other / not stated")

    class Education(models.TextChoices):
        PRIMARY = "primary", _("Primary or none")
        LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
        UPPER_SECONDARY = "upper_secondary", _("Upper secondary")
        HIGHER = "higher", _("Higher education")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        verbose_name=_("organisation"),
    )
    code = models.CharField(
        _("code"),
        max_length=64,
        help_text=_("Pseudonymous code, the only identifier used in exports and reports."),
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_beneficiaries",
        verbose_name=_("counsellor"),
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    entry_date = models.DateField(_("entry date"), null=True, blank=True)
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    exit_reason = models.CharField(
        _("exit reason"), max_length=16, choices=ExitReason.choices, blank=True
    )
    # What funders count: the situation six months after the exit, and when the counsellor
    # learnt it. Blank (and no date) until it is recorded.
    situation_6_months = models.CharField(
        _("situation 6 months after exit"), max_length=16, choices=Situation.choices, blank=True
    )
    situation_recorded_on = models.DateField(
        _("situation recorded on"), null=True, blank=True
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    education_level = models.CharField(
        _("education level"), max_length=16, choices=Education.choices, blank=True
    )
    programme = models.CharField(
        _("programme"),
        max_length=100,
        blank=True,
        help_text=_("Free label used as an analysis segment (e.g. a training path)."),
    )
    # Personal data (erased with the person, in their GDPR export, never in the people
    # file nor in pseudonymous exports): where to send a personal link, with their consent.
    email = models.EmailField(_("email address"), blank=True)
    # Consents, recorded on the person's page (history keeps every change). No consent to
    # data processing: no questionnaire is entered for the person.
    consent_processing_on = models.DateField(
        _("consent to data processing given on"), null=True, blank=True)
    consent_processing_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("consent to data processing recorded by"))
    consent_contact = models.BooleanField(
        _("agrees to be contacted (reminders, personal link)"), default=False, db_default=False)
    consent_quotes = models.BooleanField(
        _("agrees that their words are quoted in reports"), default=False, db_default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency: every edit adds one; the edit form saves only the fields the
    # user changed, and only onto the version it was opened at (services.py).
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1,
                                          editable=False)
    # Who changed what and when (old → new), shown to directors and in the admin.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["organisation", "code"]
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="beneficiary_code_unique_in_organisation"
            ),
            models.CheckConstraint(
                condition=~Q(code=""), name="beneficiary_code_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True)
                | Q(entry_date__isnull=True)
                | Q(exit_date__gte=F("entry_date")),
                name="beneficiary_exit_after_entry",
            ),
            models.CheckConstraint(
                condition=Q(exit_reason="") | Q(exit_date__isnull=False),
                name="beneficiary_exit_reason_needs_exit_date",
            ),
            models.CheckConstraint(
                condition=Q(situation_6_months="") | Q(exit_date__isnull=False),
                name="beneficiary_situation_needs_exit_date",
            ),
            models.CheckConstraint(
                condition=Q(situation_6_months="", situation_recorded_on__isnull=True)
                | (~Q(situation_6_months="") & Q(situation_recorded_on__isnull=False)),
                name="beneficiary_situation_has_its_date",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="beneficiary_birth_year_plausible",
            ),
            # Contact and quotes are uses of the person's data: they need its processing.
            models.CheckConstraint(
                condition=Q(consent_processing_on__isnull=False)
                | Q(consent_contact=False, consent_quotes=False),
                name="beneficiary_consents_need_processing_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def consents_to_processing(self) -> bool:
        return self.consent_processing_on is not None

    @property
    def reachable_by_email(self) -> bool:
        """An address and the consent to be contacted: a personal link may be sent."""
        return bool(self.email) and self.consent_contact and self.consents_to_processing


class PrivacyAction(models.Model):
    """A data-protection action on one person (export or erasure), kept as proof.

    It holds no identifying data: the person's public id only, cleared once they are erased.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export of the person's data")
        ERASE_KEEP_ANSWERS = "erase_keep_answers", _("Erasure, anonymous answers kept")
        ERASE_ALL = "erase_all", _("Erasure of everything")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="privacy_actions",
        verbose_name=_("organisation"),
    )
    # Cleared when the person is erased: the log then proves the erasure without pointing
    # at whom it was about.
    beneficiary_public_id = models.UUIDField(_("person's public id"), null=True, blank=True)
    kind = models.CharField(_("action"), max_length=24, choices=Kind.choices)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("performed by"),
    )
    performed_at = models.DateTimeField(_("performed at"), auto_now_add=True)

    class Meta:
        ordering = ["-performed_at"]
        verbose_name = _("data-protection action")
        verbose_name_plural = _("data-protection actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["export", "erase_keep_answers", "erase_all"]),
                name="privacy_action_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.performed_at:%Y-%m-%d}"


class ReminderSent(models.Model):
    """One reminder digest sent to a user on a day: the command never sends two (send_reminders)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("user"))
    day = models.DateField(_("day"))
    waves = models.PositiveIntegerField(_("waves listed"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "user"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_reminder_per_user_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.day:%Y-%m-%d}"
