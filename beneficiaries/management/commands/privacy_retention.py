from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from beneficiaries.privacy import beneficiaries_past_retention
from organisations.access import organisation_for_command


class Command(BaseCommand):
    help = "List the people who left longer ago than the organisation's retention period."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, metavar="SLUG")

    def handle(self, *args, organisation, **options):
        organisation = organisation_for_command(organisation)
        flagged = beneficiaries_past_retention(organisation=organisation).order_by("exit_date")
        for beneficiary in flagged:
            self.stdout.write(f"{beneficiary.code}\t{beneficiary.exit_date.isoformat()}")
        self.stdout.write(
            _("%(count)d person(s) left more than %(months)d months ago.")
            % {"count": len(flagged), "months": organisation.retention_months})
