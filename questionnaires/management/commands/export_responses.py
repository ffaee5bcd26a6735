from pathlib import Path

from django.utils.translation import gettext as _

from organisations.access import organisation_for_command, questionnaire_for_command
from organisations.commands import OrganisationCommand
from organisations.files import output_open
from questionnaires.exports import responses_export_csv


class Command(OrganisationCommand):
    help = "Export every response as a wide CSV (formats.md §2: ';', UTF-8 with BOM, ISO dates)."
    with_questionnaire = True

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")

    def handle(self, *args, organisation, questionnaire, output, **options):
        organisation = organisation_for_command(organisation)
        questionnaire = questionnaire_for_command(organisation, questionnaire)
        with output_open(output) as stream:
            count = responses_export_csv(questionnaire=questionnaire, stream=stream)
        self.stdout.write(_("%(count)d response(s) written to %(file)s.")
                          % {"count": count, "file": output})
