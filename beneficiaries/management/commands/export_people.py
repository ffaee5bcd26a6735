from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from beneficiaries.people_file import people_export_csv
from organisations.access import organisation_for_command


class Command(BaseCommand):
    help = "Export the people file (formats.md §2b: ';', UTF-8 with BOM, ISO dates, no names)."
    # A data command does not need the system checks, which import every view.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        parser.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")

    def handle(self, *args, organisation, output, **options):
        organisation = organisation_for_command(organisation)
        output = Path(output)
        # Written beside the target then renamed, so a failure never leaves half a file.
        partial = output.with_name(output.name + ".part")
        try:
            with partial.open("w", encoding="utf-8", newline="") as stream:
                count = people_export_csv(organisation=organisation, stream=stream)
            partial.replace(output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(_("Cannot write %(file)s: %(error)s")
                               % {"file": output, "error": error.strerror}, returncode=2) from None
        self.stdout.write(_("%(count)d person(s) written to %(file)s.")
                          % {"count": count, "file": output})
