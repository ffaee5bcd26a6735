import datetime as dt
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organisations.access import organisation_for_command, questionnaire_for_command
from questionnaires.selectors import ReportFilters, impact_report


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("“%(value)s” is not a date (expected YYYY-MM-DD).")
                           % {"value": value}, returncode=2) from None


class Command(BaseCommand):
    help = "The impact report of a questionnaire (formats.md §3)."
    # The system checks import every view (and matplotlib with them): a data command does
    # not need them, and they would double its start-up time.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        parser.add_argument("--questionnaire", required=True, metavar="CODE")
        parser.add_argument("--format", choices=["json", "pdf"], default="json",
                            help="json (formats.md §3) or pdf (the board's report; needs -o).")
        parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                            help="Write to this file instead of the standard output.")
        parser.add_argument("--from", dest="answered_from", metavar="YYYY-MM-DD",
                            help="Only responses answered on or after this date.")
        parser.add_argument("--to", dest="answered_to", metavar="YYYY-MM-DD",
                            help="Only responses answered on or before this date.")
        parser.add_argument("--counsellor", metavar="USERNAME",
                            help="Only the beneficiaries this counsellor follows.")
        parser.add_argument("--programme", help="Only the beneficiaries of this programme.")

    def handle(self, *args, organisation, questionnaire, output, **options):
        if options["format"] == "pdf" and output is None:
            raise CommandError(_("The PDF report needs a file: add -o FILE.pdf."), returncode=2)
        organisation = organisation_for_command(organisation)
        questionnaire = questionnaire_for_command(organisation, questionnaire)
        counsellor = None
        counsellor_id = None
        if options["counsellor"]:
            counsellor = get_user_model().objects.filter(
                username=options["counsellor"], memberships__organisation=organisation).first()
            if counsellor is None:
                raise CommandError(_("Unknown counsellor “%(name)s” in this organisation.")
                                   % {"name": options["counsellor"]}, returncode=2)
            counsellor_id = counsellor.pk
        filters = ReportFilters(
            answered_from=_date(options["answered_from"]) if options["answered_from"] else None,
            answered_to=_date(options["answered_to"]) if options["answered_to"] else None,
            counsellor_id=counsellor_id,
            programme=options["programme"] or None,
        )
        report = impact_report(questionnaire=questionnaire, filters=filters)
        if options["format"] == "pdf":
            # Imported here: charts and WeasyPrint would slow down every JSON report.
            from reports.pdf import questionnaire_report_pdf

            counsellor_name = None
            if counsellor is not None:
                counsellor_name = counsellor.get_full_name() or counsellor.username
            content = questionnaire_report_pdf(questionnaire=questionnaire, report=report,
                                               filters=filters, counsellor_name=counsellor_name)
            self._write(Path(output), content)
            return
        text = json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False)
        if output is None:
            self.stdout.write(text)
            return
        self._write(Path(output), (text + "\n").encode("utf-8"))

    def _write(self, output: Path, content: bytes) -> None:
        """Write the whole file or nothing (a partial file is renamed once complete)."""
        partial = output.with_name(output.name + ".part")
        try:
            partial.write_bytes(content)
            partial.replace(output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(_("Cannot write %(file)s: %(error)s")
                               % {"file": output, "error": error.strerror}, returncode=2) from None
