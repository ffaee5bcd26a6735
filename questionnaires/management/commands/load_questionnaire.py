from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organisations.access import organisation_for_command
from questionnaires.definitions import DefinitionInvalid, definition_json_load, definition_parse
from questionnaires.services import MeaningConfirmationNeeded, questionnaire_load


class Command(BaseCommand):
    help = "Load or update a questionnaire from its JSON definition (formats.md §1)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        parser.add_argument(
            "--confirm-meaning-unchanged", action="store_true",
            help="Accept rewording answered items or relabelling answered choices: the "
                 "answers already given keep their meaning (recorded in the history).")

    def handle(self, *args, file, organisation, confirm_meaning_unchanged, **options):
        organisation = organisation_for_command(organisation)
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s")
                               % {"file": file, "error": error.strerror}, returncode=2) from None
        except UnicodeDecodeError as error:
            raise CommandError(_("%(file)s is not valid UTF-8 JSON: %(error)s")
                               % {"file": file, "error": error}) from None
        try:
            definition = definition_parse(definition_json_load(text))
            questionnaire, created = questionnaire_load(
                organisation=organisation, definition=definition,
                confirm_meaning_unchanged=confirm_meaning_unchanged)
        except MeaningConfirmationNeeded as error:
            raise CommandError(
                _("The questionnaire was not loaded: these changes reword answers already "
                  "given. If their meaning is unchanged, run the command again with "
                  "--confirm-meaning-unchanged.") + "\n- " + "\n- ".join(error.problems)
            ) from None
        except DefinitionInvalid as error:
            raise CommandError(
                _("The questionnaire was not loaded:") + "\n- " + "\n- ".join(error.problems)
            ) from None
        message = _("Questionnaire “%(code)s” created.") if created else _(
            "Questionnaire “%(code)s” updated.")
        self.stdout.write(message % {"code": questionnaire.code})
