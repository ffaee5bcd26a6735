from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from organisations.access import organisation_for_command, questionnaire_for_command
from organisations.files import output_open
from questionnaires.exports import responses_export_csv


class Command(BaseCommand):
    help = "Export every response as a wide CSV (formats.md §2: ';', UTF-8 with BOM, ISO dates)."
    # The system checks import every view (and matplotlib with them): a data command does
    # not need them, and they would double its start-up time.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        parser.add_argument("--questionnaire", required=True, metavar="CODE")
        parser.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")

    def handle(self, *args, organisation, questionnaire, output, **options):
        organisation = organisation_for_command(organisation)
        questionnaire = questionnaire_for_command(organisation, questionnaire)
        with output_open(output) as stream:
            count = responses_export_csv(questionnaire=questionnaire, stream=stream)
        self.stdout.write(_("%(count)d response(s) written to %(file)s.")
                          % {"count": count, "file": output})
