from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from questionnaires.models import Answer, Choice, Item, Questionnaire, Response, Scale, Wave


class WaveInline(admin.TabularInline):
    model = Wave
    extra = 0


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["order", "code", "text", "dimension", "scale"]

    def get_readonly_fields(self, request, obj=None):
        # Once answers exist, an item's code and scale define what they mean.
        if obj is not None and obj.responses.exists():
            return ["code", "scale"]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scale":
            questionnaire_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Scale.objects.filter(questionnaire_id=questionnaire_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "organisation", "status", "created_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["code", "title"]
    readonly_fields = ["public_id", "created_at"]
    inlines = [WaveInline, ItemInline]
    list_select_related = ["organisation"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.responses.exists():
            fields += ["organisation", "code"]
        return fields


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "code", "label", "score"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.questionnaire.responses.exists():
            return ["code", "score"]
        return []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.questionnaire.responses.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ["key", "questionnaire"]
    list_filter = ["questionnaire__organisation"]
    search_fields = ["key", "questionnaire__code"]
    inlines = [ChoiceInline]
    list_select_related = ["questionnaire"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["item", "choice"]
    readonly_fields = ["item", "choice"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "choice")


@admin.register(Response)
class ResponseAdmin(SimpleHistoryAdmin):
    list_display = ["beneficiary", "questionnaire", "wave", "answered_on", "entered_by"]
    list_filter = ["questionnaire__organisation", "questionnaire", "wave__number"]
    search_fields = ["beneficiary__code"]
    date_hierarchy = "answered_on"
    readonly_fields = ["public_id", "beneficiary", "questionnaire", "wave", "entered_by",
                       "created_at", "updated_at"]
    inlines = [AnswerInline]
    list_select_related = ["beneficiary", "questionnaire", "wave", "entered_by"]
