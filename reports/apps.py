from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Impact reports")

    def ready(self) -> None:
        from reports.signals import signals_connect

        signals_connect()
