"""Recording a person's consents and email address (their page's small form)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beneficiaries.consent import (
    ConsentChangedMeanwhile,
    beneficiary_consent_record,
    consent_state_sign,
)
from beneficiaries.forms import ConsentForm
from organisations.access import beneficiary_for, membership_required


def consent_form_for(beneficiary, *, next_url: str = "") -> ConsentForm:
    """The consent form as the person's page and the entry page show it."""
    return ConsentForm(initial={
        "processing": beneficiary.consents_to_processing,
        "processing_on": beneficiary.consent_processing_on or timezone.localdate(),
        "contact": beneficiary.consent_contact, "quotes": beneficiary.consent_quotes,
        "email": beneficiary.email, "shown": consent_state_sign(beneficiary),
        "next": next_url})


def _next_url(request, org_slug: str, value: str) -> str | None:
    """A page of the same organisation to go back to, else None (never another site)."""
    if (value and value.startswith(f"/o/{org_slug}/")
            and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()})):
        return value
    return None


@login_required
@require_http_methods(["GET", "POST"])
@membership_required("see_people")
def beneficiary_consent(request, org_slug, public_id):
    """The person's consents: data processing (date, by whom), contact, quotes; their email."""
    beneficiary = beneficiary_for(request.membership, public_id)
    form = consent_form_for(beneficiary, next_url=request.GET.get("next", ""))
    conflict = None
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                changed = beneficiary_consent_record(
                    beneficiary=beneficiary, data=form.cleaned_data, recorded_by=request.user,
                    today=timezone.localdate(), shown=form.cleaned_data["shown"])
            except ConsentChangedMeanwhile as refusal:
                # Nothing written; what was typed stays in the form, now over the saved values.
                beneficiary, conflict = refusal.current, refusal.fields
                data = request.POST.copy()
                data["shown"] = consent_state_sign(beneficiary)
                form = ConsentForm(data)
            else:
                if changed:
                    messages.success(request, _("The consents have been recorded."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect(_next_url(request, org_slug, form.cleaned_data["next"])
                                or reverse("beneficiaries:detail", kwargs={
                                    "org_slug": org_slug, "public_id": public_id}))
    return render(request, "beneficiaries/consent.html", {
        "beneficiary": beneficiary, "form": form, "conflict": conflict,
        "org_slug": org_slug}, status=409 if conflict else 200)
