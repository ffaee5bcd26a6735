from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from beneficiaries.models import Beneficiary, PrivacyAction


@admin.register(Beneficiary)
class BeneficiaryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "organisation", "counsellor", "entry_date", "exit_date", "programme"]
    list_filter = ["organisation", "exit_reason", "gender", "education_level"]
    search_fields = ["code", "first_name", "last_name", "programme"]
    autocomplete_fields = ["counsellor"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    list_select_related = ["organisation", "counsellor"]
    date_hierarchy = "entry_date"


@admin.register(PrivacyAction)
class PrivacyActionAdmin(admin.ModelAdmin):
    """Proof of data-protection actions: read only, never edited or deleted."""

    list_display = ["performed_at", "organisation", "kind", "performed_by", "beneficiary_public_id"]
    list_filter = ["kind", "organisation"]
    list_select_related = ["organisation", "performed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
