"""Forms of the counsellor's workspace. Bad input gets a French message and keeps what was typed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from beneficiaries.consent import consent_state_unsign
from beneficiaries.due import WaveStatus
from beneficiaries.models import Beneficiary
from beneficiaries.people import SCOPE_ALL, SCOPE_MINE
from beneficiaries.services import record_state_unsign
from organisations.users import user_display_name
from questionnaires.models import Item
from questionnaires.responses import state_unsign

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _not_in_future(value: dt.date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(
            _("The date cannot be in the future (today is %(today)s)."),
            code="future", params={"today": date_format(timezone.localdate())})


# --- The list and the worklist -----------------------------------------------------------


class _FilterForm(forms.Form):
    """GET filters: always bound (defaults merged in), a bad value falls back to its default."""

    def __init__(self, data, *, initial, **kwargs):
        super().__init__({**initial, **data.dict()}, initial=initial, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css

    def value(self, name: str) -> str:
        """The cleaned value, or the default when the value given is not valid."""
        if self.is_valid() or name not in self.errors:
            return self.cleaned_data.get(name) or self.initial.get(name, "")
        return self.initial.get(name, "")


class BeneficiaryFilterForm(_FilterForm):
    """The list's search, filters and sort."""

    q = forms.CharField(label=_("Code or name"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))
    counsellor = forms.ChoiceField(label=_("Followed by"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Active and exited")), ("active", _("Active")),
                 ("exited", _("Exited"))])
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    questionnaire = forms.ChoiceField(label=_("Questionnaire"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False,
        choices=[("code", _("Code")), ("name", _("Name")), ("-entry", _("Latest entry")),
                 ("entry", _("Earliest entry")), ("counsellor", _("Counsellor"))])

    def __init__(self, data, *, initial, counsellors, programmes, questionnaires):
        super().__init__(data, initial=initial)
        self.fields["counsellor"].choices = [
            (SCOPE_MINE, _("My people")), (SCOPE_ALL, _("All of the organisation")),
            ("none", _("Nobody")),
            *[(str(user.pk), user_display_name(user)) for user in counsellors],
        ]
        self.fields["programme"].choices = [("", _("All programmes"))] + [
            (p, p) for p in programmes]
        self.fields["questionnaire"].choices = [
            (str(q.public_id), q.title) for q in questionnaires]


class WorklistFilterForm(_FilterForm):
    scope = forms.ChoiceField(
        label=_("People"), required=False,
        choices=[(SCOPE_MINE, _("My people")), (SCOPE_ALL, _("All of the organisation"))])
    status = forms.ChoiceField(
        label=_("Show"), required=False,
        choices=[("", _("Due and overdue")), (WaveStatus.DUE, _("Due only")),
                 (WaveStatus.OVERDUE, _("Overdue only"))])


# --- A person's record -------------------------------------------------------------------


class BeneficiaryForm(forms.ModelForm):
    """Creating or editing a person (their exit has its own form)."""

    birth_year = forms.IntegerField(
        label=_("Birth year"), required=False,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    # The record's version and values when an edit form was opened (optimistic concurrency).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Beneficiary
        fields = ["code", "first_name", "last_name", "counsellor", "entry_date", "programme",
                  "gender", "birth_year", "education_level"]
        widgets = {"entry_date": DATE_INPUT}

    def __init__(self, *args, people, counsellors, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisation's people, to check that the code is free there.
        self.people = people
        self.fields["counsellor"].queryset = counsellors
        self.fields["counsellor"].label_from_instance = user_display_name
        self.fields["code"].help_text = _(
            "Pseudonymous code, the only identifier used in exports and reports.")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        taken = self.people.filter(code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("The code “%(code)s” is already used by another person of the organisation."),
                code="taken", params={"code": code})
        return code

    def clean_shown(self) -> dict | None:
        if not self.instance.pk or not self.cleaned_data["shown"]:
            return None
        return record_state_unsign(self.cleaned_data["shown"]) or {"altered": True}

    def clean(self):
        cleaned = super().clean()
        # A client that sends no version (not our pages) edits the record as it is now.
        sent = "shown" in self.data or "version" in self.data
        if self.instance.pk and sent and (cleaned.get("shown") is None
                                          or "altered" in cleaned["shown"]
                                          or cleaned.get("version") is None):
            # Hidden fields show no error of their own: say it for the whole form.
            self.add_error(None, forms.ValidationError(
                _("The form has expired: reload the page."), code="expired"))
        return cleaned

    def clean_entry_date(self) -> dt.date | None:
        entry_date = self.cleaned_data.get("entry_date")
        exit_date = self.instance.exit_date
        if entry_date and exit_date and entry_date > exit_date:
            raise forms.ValidationError(
                _("The entry date must be on or before the exit date (%(exit)s)."),
                code="after_exit", params={"exit": date_format(exit_date)})
        return entry_date


class ExitForm(forms.Form):
    exit_date = forms.DateField(label=_("Exit date"), widget=DATE_INPUT,
                                validators=[_not_in_future])
    exit_reason = forms.ChoiceField(label=_("Reason"), choices=[
        ("", "—"), *Beneficiary.ExitReason.choices])
    # The person's version when the page was opened: a colleague's save meanwhile is detected.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, entry_date: dt.date | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry_date = entry_date

    def clean_exit_date(self) -> dt.date:
        exit_date = self.cleaned_data["exit_date"]
        if self.entry_date and exit_date < self.entry_date:
            raise forms.ValidationError(
                _("The exit date must be on or after the entry date (%(entry)s)."),
                code="before_entry", params={"entry": date_format(self.entry_date)})
        return exit_date


class SituationForm(forms.Form):
    """The person's situation six months after their exit, as the counsellor learnt it."""

    situation_6_months = forms.ChoiceField(
        label=_("Situation 6 months after exit"), required=False,
        choices=[("", _("Not recorded")), *Beneficiary.Situation.choices],
        help_text=_("Where the person stands now, six months or more after leaving: what "
                    "funders count. Choose “Situation unknown” if you could not reach them."))
    # The situation shown when the form was opened: a colleague's save meanwhile is detected.
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=16)


# --- Entering a questionnaire ------------------------------------------------------------


def item_field_name(item: Item) -> str:
    return f"item_{item.code}"


class ResponseEntryForm(forms.Form):
    """One wave of a questionnaire: the answered date and one radio group per item.

    Every item needs an answer, "ne se prononce pas" included, unless the user confirms
    that some stay unanswered (``allow_unanswered``), so that a skipped item is a decision
    and not an oversight.
    """

    answered_on = forms.DateField(label=_("Answered on"), widget=DATE_INPUT,
                                  validators=[_not_in_future])
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    response = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # The response's version and values when the form was opened (optimistic concurrency).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    shown = forms.CharField(widget=forms.HiddenInput, required=False)
    allow_unanswered = forms.BooleanField(
        label=_("Save with the items left unanswered"), required=False)

    use_required_attribute = False

    def __init__(self, *args, items: list[Item], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        today = timezone.localdate()
        self.fields["answered_on"].widget.attrs["max"] = today.isoformat()
        for item in items:
            choices = list(item.scale.choices.all())
            self.fields[item_field_name(item)] = forms.ChoiceField(
                label=item.text, required=False, widget=forms.RadioSelect,
                choices=[(c.code, c.label) for c in choices],
                error_messages={"invalid_choice": _(
                    "“%(value)s” is not an answer of this item: choose one of the buttons.")},
            )

    def choice_of(self, item: Item):
        """The Choice given to ``item`` (cleaned data), or None."""
        code = self.cleaned_data.get(item_field_name(item))
        return next((c for c in item.scale.choices.all() if c.code == code), None)

    def unanswered(self) -> list[Item]:
        data = self.data if self.is_bound else self.initial
        return [item for item in self.items if not data.get(item_field_name(item))]

    def clean_shown(self) -> dict:
        state = state_unsign(self.cleaned_data["shown"])
        if state is None:
            raise forms.ValidationError(_("The form has expired: reload the page."),
                                        code="expired")
        return state

    def clean(self):
        cleaned = super().clean()
        missing = [item for item in self.items
                   if not cleaned.get(item_field_name(item))
                   and item_field_name(item) not in self.errors]
        if missing and not cleaned.get("allow_unanswered"):
            for item in missing:
                self.add_error(item_field_name(item), forms.ValidationError(
                    _("Choose an answer (“Don’t know” is an answer)."), code="unanswered"))
            raise forms.ValidationError(
                ngettext(
                    "%(count)d item is not answered. Answer it, or tick “Save with the items "
                    "left unanswered” at the bottom of the page.",
                    "%(count)d items are not answered. Answer them, or tick “Save with the "
                    "items left unanswered” at the bottom of the page.",
                    len(missing)) % {"count": len(missing)},
                code="unanswered")
        return cleaned


class ErasureForm(forms.Form):
    """Erasing a person: what to keep, and their code typed again so that it is deliberate."""

    keep_answers = forms.TypedChoiceField(
        label=_("What happens to their answers"),
        choices=[
            ("1", _("Keep their answers, anonymous, so that the statistics do not change")),
            ("0", _("Erase their answers too")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    confirm_code = forms.CharField(
        label=_("Type the person's code to confirm"), max_length=64)

    def __init__(self, *args, code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.code = code

    def clean_confirm_code(self) -> str:
        value = self.cleaned_data["confirm_code"].strip()
        if value != self.code:
            raise forms.ValidationError(_("This is not the person's code."))
        return value


class ConsentForm(forms.Form):
    """A person's consents and email address, as recorded on their page."""

    processing = forms.BooleanField(
        label=_("Consents to the processing of their data"), required=False,
        help_text=_("Needed before any questionnaire is entered for the person."))
    processing_on = forms.DateField(
        label=_("Consent given on"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today if left empty."))
    contact = forms.BooleanField(
        label=_("Agrees to be contacted (reminders, personal link)"), required=False)
    quotes = forms.BooleanField(
        label=_("Agrees that their words are quoted, anonymously, in reports"), required=False)
    email = forms.EmailField(label=_("Email address"), required=False, max_length=254)
    # The consents shown when the form was opened (signed): a colleague's save is detected.
    shown = forms.CharField(widget=forms.HiddenInput, required=False)
    # Where to go back after saving (the entry page that asked for the consent).
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)

    def clean_processing_on(self):
        value = self.cleaned_data.get("processing_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The consent cannot be given in the future."))
        return value

    def clean_shown(self):
        return consent_state_unsign(self.cleaned_data.get("shown") or "")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("processing") and (cleaned.get("contact") or cleaned.get("quotes")):
            raise forms.ValidationError(_(
                "Contact and quotes are uses of the person's data: record the consent to "
                "data processing first."))
        return cleaned
