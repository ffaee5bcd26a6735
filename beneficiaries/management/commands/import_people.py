from pathlib import Path

from django.utils.translation import gettext as _

from beneficiaries.people_file import people_import
from organisations.access import organisation_for_command
from organisations.commands import OrganisationCommand
from organisations.files import input_read
from questionnaires.tables import ImportRefused, table_read_csv


class Command(OrganisationCommand):
    help = ("Import the people file (formats.md §2b): the code is the key, unknown codes "
            "create a person, known ones are updated; all or nothing. Names are never read.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, organisation, **options):
        organisation = organisation_for_command(organisation)
        data = input_read(file)
        try:
            result = people_import(organisation=organisation, table=table_read_csv(data))
        except ImportRefused as error:
            raise error.command_error() from None
        self.stdout.write(
            _("Imported: %(created)d person(s) created, %(updated)d updated, %(unchanged)d "
              "unchanged.")
            % {"created": result.created, "updated": result.updated,
               "unchanged": result.unchanged})
