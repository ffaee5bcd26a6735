"""A person's rights: their data downloaded (access), their record erased (erasure);
directors only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beneficiaries.forms import ErasureForm
from beneficiaries.privacy import beneficiary_data_export, beneficiary_erase
from organisations.access import beneficiary_for, membership_required


@login_required
@membership_required("handle_privacy_requests")
def beneficiary_data_download(request, org_slug, public_id):
    """Everything held on the person, as a JSON file (right of access); directors only."""
    beneficiary = beneficiary_for(request.membership, public_id)
    data = beneficiary_data_export(beneficiary=beneficiary, performed_by=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="donnees-{beneficiary.public_id}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@membership_required("handle_privacy_requests")
def beneficiary_erase_view(request, org_slug, public_id):
    """Erase a person (right to erasure), keeping their anonymous answers if chosen; directors."""
    beneficiary = beneficiary_for(request.membership, public_id)
    form = ErasureForm(request.POST or None, code=beneficiary.code)
    if request.method == "POST" and form.is_valid():
        beneficiary_erase(beneficiary=beneficiary, performed_by=request.user,
                          keep_answers=form.cleaned_data["keep_answers"])
        messages.success(request, _("The person's data were erased."))
        return redirect("beneficiaries:list", org_slug=org_slug)
    return render(request, "beneficiaries/erase.html", {
        "beneficiary": beneficiary, "form": form, "org_slug": org_slug})
