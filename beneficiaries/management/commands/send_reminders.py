import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.reminders import reminders_send


class Command(BaseCommand):
    help = ("Email each member who follows people the waves due and overdue in their list "
            "(at most once a day each; run it daily from cron).")

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="YYYY-MM-DD",
                            help="The day the digests are for (default: today).")

    def handle(self, *args, date=None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(_("The date must be written YYYY-MM-DD.")) from error
        result = reminders_send(today=today)
        self.stdout.write(_(
            "%(sent)d digest(s) sent, %(already)d already sent today, %(nothing)d with "
            "nothing to send, %(no_address)d without an email address.") % {
                "sent": result.sent, "already": result.already_sent,
                "nothing": result.nothing_to_send, "no_address": result.no_address})
