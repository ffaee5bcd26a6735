from django.contrib import admin

from beneficiaries.models import Beneficiary


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin):
    list_display = ["code", "organisation", "counsellor", "entry_date", "exit_date", "programme"]
    list_filter = ["organisation", "exit_reason", "gender", "education_level"]
    search_fields = ["code", "first_name", "last_name", "programme"]
    autocomplete_fields = ["counsellor"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    list_select_related = ["organisation", "counsellor"]
    date_hierarchy = "entry_date"
