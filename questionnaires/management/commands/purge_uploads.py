from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from organisations.kept import kept_forms_purge
from questionnaires.uploads import pending_uploads_purge


class Command(BaseCommand):
    help = ("Delete uploaded responses files never confirmed nor cancelled, older than "
            "UPLOAD_KEEP_HOURS, and forms kept after a session ended for more than an hour. "
            "Run it from cron, e.g. every hour.")

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=None,
                            help="Age in hours beyond which a pending file is deleted "
                                 "(default: UPLOAD_KEEP_HOURS).")

    def handle(self, *args, hours, **options):
        hours = settings.UPLOAD_KEEP_HOURS if hours is None else hours
        deleted = pending_uploads_purge(older_than_hours=hours)
        self.stdout.write(_("%(count)d pending upload(s) older than %(hours)s hours deleted.")
                          % {"count": deleted, "hours": f"{hours:g}"})
        kept = kept_forms_purge()
        self.stdout.write(_("%(count)d form(s) kept after a session ended deleted.")
                          % {"count": kept})
