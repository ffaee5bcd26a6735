from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from organisations.models import Organisation


class Command(BaseCommand):
    help = "Create an organisation (formats.md §4). Fails if the slug exists."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", choices=Organisation.Kind.values,
                            default=Organisation.Kind.OTHER)
        parser.add_argument("--question", default="", help="The evaluative question.")

    def handle(self, *args, slug, name, kind, question, **options):
        try:
            validate_slug(slug)
        except ValidationError:
            raise CommandError(
                _("“%(slug)s” is not a valid identifier (letters, digits, “-” and “_”).")
                % {"slug": slug}, returncode=2) from None
        if Organisation.objects.filter(slug=slug).exists():
            raise CommandError(
                _("The organisation “%(slug)s” already exists.") % {"slug": slug}, returncode=2)
        Organisation.objects.create(slug=slug, name=name, kind=kind, evaluative_question=question)
        self.stdout.write(_("Organisation “%(slug)s” created.") % {"slug": slug})
