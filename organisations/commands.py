"""What the data commands share: one organisation named by ``--organisation SLUG`` (and, for
a questionnaire's data, ``--questionnaire CODE``), and no system checks."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class OrganisationCommand(BaseCommand):
    """A command that reads or writes one organisation's data."""

    # The system checks import every view (and matplotlib with them): a data command does
    # not need them, and they would double its start-up time.
    requires_system_checks: list = []
    # True: the command also takes --questionnaire CODE (a questionnaire of the organisation).
    with_questionnaire = False

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        if self.with_questionnaire:
            parser.add_argument("--questionnaire", required=True, metavar="CODE")
