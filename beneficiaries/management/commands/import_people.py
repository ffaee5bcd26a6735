from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from beneficiaries.people_file import people_import
from organisations.access import organisation_for_command
from organisations.files import input_read
from questionnaires.tables import ImportRefused, table_read_csv


class Command(BaseCommand):
    help = ("Import the people file (formats.md §2b): the code is the key, unknown codes "
            "create a person, known ones are updated; all or nothing. Names are never read.")
    # A data command does not need the system checks, which import every view.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, metavar="SLUG")

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
