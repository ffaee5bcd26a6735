from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from beneficiaries.people_file import people_export_csv
from organisations.access import organisation_for_command
from organisations.files import output_open


class Command(BaseCommand):
    help = "Export the people file (formats.md §2b: ';', UTF-8 with BOM, ISO dates, no names)."
    # A data command does not need the system checks, which import every view.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        parser.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")

    def handle(self, *args, organisation, output, **options):
        organisation = organisation_for_command(organisation)
        with output_open(output) as stream:
            count = people_export_csv(organisation=organisation, stream=stream)
        self.stdout.write(_("%(count)d person(s) written to %(file)s.")
                          % {"count": count, "file": output})
