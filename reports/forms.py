"""The dashboard's filters, read from the URL (GET) so that a view can be shared."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from questionnaires.selectors import ReportFilters

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

# Field names are the words of the URL (?du=…&au=…&programme=…), hence French.
FILTER_FIELDS = ("du", "au", "conseiller", "programme")


class ReportFilterForm(forms.Form):
    du = forms.DateField(
        label=_("Answered from"), required=False, input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    au = forms.DateField(
        label=_("to"), required=False, input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    conseiller = forms.ChoiceField(label=_("Counsellor"), required=False)
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    comparaison = forms.ChoiceField(label=_("Waves compared"), required=False)

    def __init__(
        self,
        data=None,
        *,
        counsellors: Sequence[tuple[str, str, int]] | None,
        programmes: Sequence[str],
        comparisons: Sequence[tuple[str, str]],
    ):
        """``counsellors``: (username, name, id), or None when the user may not filter by
        counsellor (the board: it sees no people); ``comparisons``: (key, label)."""
        super().__init__(data)
        self.counsellor_ids = {username: pk for username, _name, pk in counsellors or ()}
        if counsellors is None:
            del self.fields["conseiller"]
            self.refuses_counsellor = bool(data and data.get("conseiller"))
        else:
            self.refuses_counsellor = False
            self.fields["conseiller"].choices = [
                ("", _("All counsellors")), *((u, name) for u, name, _pk in counsellors)]
        self.fields["programme"].choices = [
            ("", _("All programmes")), *((p, p) for p in programmes)]
        self.fields["comparaison"].choices = list(comparisons)

    def clean(self):
        cleaned = super().clean()
        if self.refuses_counsellor:
            raise forms.ValidationError(_("Only directors can filter by counsellor."))
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and start > end:
            self.add_error("au", _("The end of the period comes before its start."))
        return cleaned

    def filters_invalid(self) -> bool:
        """Whether a filter (not the choice of waves) was refused."""
        return self.is_bound and not self.is_valid() and (
            bool(self.non_field_errors())
            or any(name in self.errors for name in FILTER_FIELDS))

    def report_filters(self) -> ReportFilters:
        """The filters asked for; none at all when one of them is invalid."""
        if not self.is_bound or self.filters_invalid():
            return ReportFilters()
        data = self.cleaned_data
        return ReportFilters(
            answered_from=data.get("du"),
            answered_to=data.get("au"),
            counsellor_id=self.counsellor_ids.get(data.get("conseiller") or ""),
            programme=data.get("programme") or None,
        )

    def comparison_key(self) -> str | None:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get("comparaison") or None

    def comparison_show(self, key: str) -> None:
        """Show ``key`` as the waves compared when the URL chose none (or a wrong one): the
        default depends on the report (first against last when enough people got there)."""
        self.fields["comparaison"].initial = key
        if self.is_bound and self.data.get("comparaison") != key:
            self.data = self.data.copy()
            self.data["comparaison"] = key
