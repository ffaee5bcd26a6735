"""Forms of the questionnaire builder, the definition import and the responses upload."""

from __future__ import annotations

import itertools

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from questionnaires.definitions import ChoiceDef, Definition

SLUG_HELP = _("Letters, digits, “-” and “_” only.")
slug_validator = RegexValidator(r"^[-a-zA-Z0-9_]+$", SLUG_HELP)
RESERVED_COLUMNS = {"beneficiary", "wave", "answered_on"}


class QuestionnaireCreateForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=64, validators=[slug_validator],
        help_text=_("A short identifier, used in files and exports, e.g. “cisp-impact”. "
                    "It cannot be changed later."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, taken_codes: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_codes = taken_codes

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if code in self.taken_codes:
            raise forms.ValidationError(
                _("A questionnaire with the code “%(code)s” already exists."),
                params={"code": code}, code="taken",
            )
        return code


class TitleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    exit_window_days = forms.IntegerField(
        label=_("A wave at exit stays open for (days)"), min_value=0, max_value=3650,
        required=False,
        help_text=_("After a person's exit, how long their wave at exit can still be entered."),
    )


class WaveForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100)
    due_after_days = forms.IntegerField(
        label=_("Due after (days)"), min_value=0, max_value=3650, initial=0,
        help_text=_("Counted from the beneficiary's first response (wave 1)."),
    )
    at_exit = forms.BooleanField(
        label=_("At exit"), required=False,
        help_text=_("Due on the exit date once it is recorded."),
    )


class BaseWaveFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        kept = [form for form in self.forms
                if form.has_changed() or form.initial]
        deleted = [self._should_delete_form(form) for form in kept]
        # Waves are numbered 1..n: only the last ones can go, or the numbers would shift.
        if any(d and not later for d, later in itertools.pairwise(deleted)):
            raise forms.ValidationError(
                _("Only the last waves can be removed: waves are numbered in order."))
        if sum(1 for d in deleted if not d) < 2:
            raise forms.ValidationError(_("A questionnaire needs at least 2 waves."))

    def waves(self) -> list[tuple[str, int, bool]]:
        return [
            (form.cleaned_data["label"], form.cleaned_data["due_after_days"],
             form.cleaned_data["at_exit"])
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


WaveFormSet = forms.formset_factory(WaveForm, formset=BaseWaveFormSet, extra=1, can_delete=True)


class PublishForm(forms.Form):
    """The scope of a publication: from which entry date, for which programmes."""

    entered_from = forms.DateField(
        label=_("For the people who enter from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("People who entered before this date will not have this questionnaire "
                    "to answer."),
    )
    programmes = forms.MultipleChoiceField(
        label=_("Programmes"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every programme."),
    )

    def __init__(self, *args, programmes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].choices = [(p, p) for p in programmes]


class ScaleForm(forms.Form):
    key = forms.CharField(
        label=_("Key"), max_length=64, validators=[slug_validator],
        help_text=_("The scale's name in the definition, e.g. “capacite”."),
    )


class ChoiceForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=32,
        help_text=_("What the responses file holds for this answer, e.g. “A”."),
    )
    label = forms.CharField(label=_("Label"), max_length=200)
    score = forms.FloatField(
        label=_("Score"), required=False,
        help_text=_("Higher means better. Leave empty for “no opinion”."),
    )


class BaseChoiceFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        codes = [form.cleaned_data["code"].strip() for form in self._kept()]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise forms.ValidationError(
                _("Each choice needs its own code: %(codes)s appears twice."),
                params={"codes": ", ".join(duplicates)},
            )
        if not codes:
            raise forms.ValidationError(_("A scale needs at least one choice."))

    def _kept(self) -> list[forms.Form]:
        kept = [form for form in self.forms
                if form.cleaned_data and not self._should_delete_form(form)]
        return sorted(kept, key=lambda form: (form.cleaned_data.get("ORDER") or 10_000,
                                              self.forms.index(form)))

    def choices(self) -> list[ChoiceDef]:
        return [
            ChoiceDef(code=form.cleaned_data["code"].strip(),
                      label=form.cleaned_data["label"].strip(),
                      score=form.cleaned_data["score"])
            for form in self._kept()
        ]


ChoiceFormSet = forms.formset_factory(
    ChoiceForm, formset=BaseChoiceFormSet, extra=2, can_delete=True, can_order=True
)


class ItemForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=32,
        help_text=_("The item's column in responses files, e.g. “Q01”."),
    )
    text = forms.CharField(label=_("Question"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    dimension = forms.CharField(
        label=_("Dimension"), max_length=100,
        help_text=_("Items of the same dimension are grouped and scored together."),
        widget=forms.TextInput(attrs={"list": "dimensions"}),
    )
    scale = forms.ChoiceField(label=_("Scale"))

    def __init__(self, *args, definition: Definition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scale"].choices = [
            (key, f"{key} ({', '.join(c.code for c in choices)})")
            for key, choices in definition.scales.items()
        ]
        self.dimensions = list(dict.fromkeys(item.dimension for item in definition.items))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if code.lower() in RESERVED_COLUMNS:
            raise forms.ValidationError(
                _("“%(code)s” is reserved for a column of the responses file."),
                params={"code": code},
            )
        return code


class DefinitionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Definition file (JSON)"),
        help_text=_("A questionnaire definition as exported from this page or described in "
                    "the exchange formats. A definition whose code exists updates that "
                    "questionnaire; a new code creates a questionnaire."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("A definition file is at most 2 MB."))
        return upload


class ResponsesUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Responses file"),
        help_text=_("CSV (UTF-8, “;” or “,” separated) or Excel .xlsx: one row per beneficiary "
                    "and wave, columns beneficiary, wave, answered_on, then the item codes."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    update = forms.BooleanField(
        label=_("Replace existing responses"), required=False,
        help_text=_("Without it, a row for a beneficiary and wave that already has a response "
                    "is an error."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s; at most %(max)s). Split it into smaller "
                  "files."),
                params={"size": filesizeformat(upload.size),
                        "max": filesizeformat(settings.UPLOAD_MAX_BYTES)},
            )
        return upload
