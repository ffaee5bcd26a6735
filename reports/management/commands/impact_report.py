import datetime as dt
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from analysis.disclosure import BoardCut, board_cut_parse
from organisations.access import organisation_for_command, questionnaire_for_command
from organisations.files import output_open
from organisations.users import user_display_name
from reports.selectors import (
    AUDIENCE_BOARD,
    AUDIENCE_OPERATOR,
    ReportFilters,
    board_cuts,
    board_filters,
    impact_report,
)


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
        parser.add_argument("--from", dest="cohort_from", metavar="YYYY-MM-DD",
                            help="Only the people whose first-wave answer is on or after "
                                 "this date (every wave of theirs).")
        parser.add_argument("--to", dest="cohort_to", metavar="YYYY-MM-DD",
                            help="Only the people whose first-wave answer is on or before "
                                 "this date (every wave of theirs).")
        parser.add_argument("--counsellor", metavar="USERNAME",
                            help="Only the beneficiaries this counsellor follows.")
        parser.add_argument("--programme", help="Only the beneficiaries of this programme.")
        parser.add_argument("--audience", choices=[AUDIENCE_OPERATOR, AUDIENCE_BOARD],
                            default=AUDIENCE_OPERATOR,
                            help="operator (every count) or board (no count below 5, only "
                                 "the board's fixed cuts).")
        parser.add_argument("--cut", metavar="KEY",
                            help="A board cut: YYYY, YYYY-S1, YYYY-S2 or programme:NAME.")

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
            cohort_from=_date(options["cohort_from"]) if options["cohort_from"] else None,
            cohort_to=_date(options["cohort_to"]) if options["cohort_to"] else None,
            counsellor_id=counsellor_id,
            programme=options["programme"] or None,
        )
        # A PDF leaves the organisation for the board: its report, for the board's cuts only
        # (two PDFs of free periods one day apart would give a person's answers back).
        if options["audience"] == AUDIENCE_BOARD or options["cut"] or options["format"] == "pdf":
            cut = self._board_cut(questionnaire, filters, options["cut"])
            filters = board_filters(cut=cut)
        report = impact_report(questionnaire=questionnaire, filters=filters)
        if options["format"] == "pdf":
            # Imported here: charts and WeasyPrint would slow down every JSON report.
            from reports.pdf import questionnaire_report_pdf

            counsellor_name = None
            if counsellor is not None:
                counsellor_name = user_display_name(counsellor)
            content = questionnaire_report_pdf(questionnaire=questionnaire, report=report,
                                               filters=filters, counsellor_name=counsellor_name)
            self._write(Path(output), content)
            return
        text = json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False)
        if output is None:
            self.stdout.write(text)
            return
        self._write(Path(output), (text + "\n").encode("utf-8"))

    def _board_cut(self, questionnaire, filters: ReportFilters, key: str | None) -> BoardCut:
        """The board's cut asked for, by key or by filters equal to one; refused (exit 2)
        otherwise: the board sees fixed cuts only, so that two of its reports never differ
        by a handful of people."""
        allowed = board_cuts(questionnaire=questionnaire)
        if key is not None:
            if filters != ReportFilters():
                raise CommandError(_("--cut cannot be combined with --from, --to, --programme "
                                     "or --counsellor."), returncode=2)
            wanted = board_cut_parse(key)
            cut = next((c for c in allowed if wanted is not None and c.key == wanted.key), None)
        else:
            cut = next((c for c in allowed if filters == ReportFilters(
                cohort_from=c.start, cohort_to=c.end, programme=c.programme)), None)
        if cut is None:
            choices = ", ".join(c.key or _("Whole history") for c in allowed)
            raise CommandError(
                _("The board's report accepts only its fixed cuts (whole history, a calendar "
                  "year or semester of entry, a programme large enough), so that no one can be "
                  "recognised by comparing two reports. Cuts available: %(cuts)s.")
                % {"cuts": choices}, returncode=2)
        return cut

    def _write(self, output: Path, content: bytes) -> None:
        """Write the whole file or nothing."""
        with output_open(output, binary=True) as stream:
            stream.write(content)
