from pathlib import Path

from django.utils.translation import gettext as _

from beneficiaries.people_file import people_export_csv
from organisations.access import organisation_for_command
from organisations.commands import OrganisationCommand
from organisations.files import output_open


class Command(OrganisationCommand):
    help = "Export the people file (formats.md §2b: ';', UTF-8 with BOM, ISO dates, no names)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")

    def handle(self, *args, organisation, output, **options):
        organisation = organisation_for_command(organisation)
        with output_open(output) as stream:
            count = people_export_csv(organisation=organisation, stream=stream)
        self.stdout.write(_("%(count)d person(s) written to %(file)s.")
                          % {"count": count, "file": output})
