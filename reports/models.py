"""What the reports keep in the database: each organisation's report version."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation


class ReportVersion(models.Model):
    """How many times the data behind an organisation's reports changed (reports/cache.py).

    It is part of every cached report's key, so it lives in the database and not in the cache:
    a cache that restarts, is flushed or is down can never bring an old report back.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+",
        verbose_name=_("organisation"),
    )
    version = models.PositiveBigIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["organisation"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [
            models.CheckConstraint(condition=models.Q(version__gte=1),
                                   name="report_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.version}"
