from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MIRE = "mire", _("MIRE (regional employment mission)")
        CISP = "cisp", _("CISP (socio-professional integration centre)")
        SIS = "sis", _("SIS (social integration service)")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("identifier"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    evaluative_question = models.TextField(
        _("evaluative question"),
        blank=True,
        help_text=_("The question the impact evaluation answers, in the organisation's words."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("retention (months)"),
        default=36,
        help_text=_("People who left more than this many months ago are flagged for erasure."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Counsellor")
    DIRECTOR = "director", _("Director")
    BOARD = "board", _("Board member")
    MANAGER = "manager", _("Data manager")


class Membership(models.Model):
    """What one user may do in one organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    @property
    def can(self):
        """What this membership may do, e.g. ``membership.can.see_people`` (permissions.py)."""
        from organisations.permissions import capabilities_of

        return capabilities_of(self.role)


class KeptForm(models.Model):
    """A form sent after its session ended, kept for the user who opened it (organisations/kept.py).

    Held one hour at most, and given back only to that user once logged in again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("user"))
    path = models.CharField(_("address"), max_length=500)
    data = models.JSONField(_("values typed"))
    kept_at = models.DateTimeField(_("kept at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-kept_at"]
        verbose_name = _("form kept after a session ended")
        verbose_name_plural = _("forms kept after a session ended")
        indexes = [models.Index(fields=["user", "path"], name="kept_form_user_path_idx")]

    def __str__(self) -> str:
        return f"{self.path} · {self.kept_at:%Y-%m-%d %H:%M}"
