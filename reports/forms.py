"""The dashboard's filters, read from the URL (GET) so that a view can be shared."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from analysis.disclosure import BoardCut
from reports.selectors import ReportFilters, board_filters

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

# Field names are the words of the URL (?du=…&au=…&programme=…), hence French.
FILTER_FIELDS = ("du", "au", "conseiller", "programme")


class ReportFilterForm(forms.Form):
    du = forms.DateField(
        label=_("Entered from"), required=False, input_formats=DATE_FORMATS,
        help_text=_("People whose first questionnaire falls in the period, with all their "
                    "later ones."),
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
        board_cuts: Sequence[BoardCut] | None = None,
    ):
        """``counsellors``: (username, name, id), or None when the user may not filter by
        counsellor (the board: it sees no people); ``comparisons``: (key, label);
        ``board_cuts``: for the board, the fixed cuts it may choose from instead of free dates
        (analysis/disclosure.py): two board views never differ by a handful of people."""
        super().__init__(data)
        self.board_cuts = None if board_cuts is None else {c.key: c for c in board_cuts}
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
        if board_cuts is not None:
            self._board_fields(board_cuts)

    def _board_fields(self, cuts: Sequence[BoardCut]) -> None:
        """The board's fields keep the URL's words: ``du`` names a period of entry (whole
        history, a year, a semester), ``programme`` a programme over the whole history;
        ``au`` must stay empty."""
        from reports.sentences import board_cut_label

        self.fields["du"] = forms.ChoiceField(
            label=_("People who entered"), required=False,
            choices=[(c.key, board_cut_label(c)) for c in cuts if c.kind != "programme"])
        self.fields["au"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.fields["programme"].choices = [("", _("All programmes")), *(
            (c.programme, c.programme) for c in cuts if c.kind == "programme")]

    def clean(self):
        cleaned = super().clean()
        if self.refuses_counsellor:
            raise forms.ValidationError(_("Only directors can filter by counsellor."))
        if self.board_cuts is not None:
            if self.data.get("au"):
                raise forms.ValidationError(_(
                    "The board chooses among fixed periods of entry (a year or a semester), "
                    "so that no one can be recognised by comparing two reports."))
            if cleaned.get("du") and cleaned.get("programme"):
                raise forms.ValidationError(_(
                    "For the board, a programme is shown over the whole history only."))
            return cleaned
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
        if self.board_cuts is not None:
            return board_filters(cut=self.board_cut())
        if not self.is_bound or self.filters_invalid():
            return ReportFilters()
        data = self.cleaned_data
        return ReportFilters(
            cohort_from=data.get("du"),
            cohort_to=data.get("au"),
            counsellor_id=self.counsellor_ids.get(data.get("conseiller") or ""),
            programme=data.get("programme") or None,
        )

    def board_cut(self) -> BoardCut:
        """The board's cut asked for; the whole history when none or a refused one."""
        whole = self.board_cuts[""]
        if not self.is_bound or self.filters_invalid():
            return whole
        data = self.cleaned_data
        if data.get("programme"):
            return self.board_cuts.get(f"programme:{data['programme']}", whole)
        return self.board_cuts.get(data.get("du") or "", whole)

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
