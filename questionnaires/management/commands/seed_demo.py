from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from questionnaires.seeding import demo_seed


class Command(BaseCommand):
    help = "Fill an organisation (created if missing) with a deterministic demo (formats.md §4)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", default="demo", metavar="SLUG")
        parser.add_argument("--beneficiaries", type=int, default=300, metavar="N")
        parser.add_argument(
            "--demo-password",
            help="Give the demo users (one per role) this password and print their logins. "
                 "For a local demonstration only.",
        )

    def handle(self, *args, organisation, beneficiaries, demo_password, **options):
        if beneficiaries < 0:
            raise CommandError(_("N must be 0 or more."), returncode=2)
        result = demo_seed(organisation_slug=organisation, n=beneficiaries,
                           password=demo_password)
        if result.already_filled:
            self.stdout.write(_("The organisation “%(slug)s” already holds the demo; "
                                "nothing was changed.") % {"slug": result.organisation.slug})
        else:
            self.stdout.write(
                _("Demo loaded in “%(slug)s”: %(beneficiaries)d beneficiaries, %(responses)d "
                  "responses, %(answers)d answers.")
                % {"slug": result.organisation.slug, "beneficiaries": result.beneficiaries,
                   "responses": result.responses, "answers": result.answers})
        if demo_password:
            self.stdout.write(_("Demo logins (password: %(password)s):")
                              % {"password": demo_password})
            for membership in result.organisation.memberships.select_related("user"):
                username = membership.user.username
                self.stdout.write(f"  {username:<24} {membership.get_role_display()}")
            self.stdout.write(f"  {'admin':<24} " + _("Site administrator"))
