from pathlib import Path

from django.utils.translation import gettext as _

from organisations.access import organisation_for_command, questionnaire_for_command
from organisations.commands import OrganisationCommand
from organisations.files import input_read
from questionnaires.imports import responses_import
from questionnaires.tables import ImportRefused, table_read_csv


class Command(OrganisationCommand):
    help = "Import responses from a wide CSV file (formats.md §2), all or nothing."
    with_questionnaire = True

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--update", action="store_true",
            help="Replace the responses that already exist for a (beneficiary, wave).")

    def handle(self, *args, file, organisation, questionnaire, update, **options):
        organisation = organisation_for_command(organisation)
        questionnaire = questionnaire_for_command(organisation, questionnaire)
        data = input_read(file)
        try:
            result = responses_import(
                questionnaire=questionnaire, table=table_read_csv(data), update=update)
        except ImportRefused as error:
            raise error.command_error() from None
        self.stdout.write(
            _("Imported: %(created)d response(s) created, %(updated)d updated, "
              "%(beneficiaries)d new beneficiary(ies), %(answers)d answers.")
            % {"created": result.responses_created, "updated": result.responses_updated,
               "beneficiaries": result.beneficiaries_created, "answers": result.answers_written}
        )
