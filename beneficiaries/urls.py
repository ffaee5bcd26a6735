"""Pages under /o/<org_slug>/ (see vises/urls.py)."""

from django.urls import path

from beneficiaries.views import consent, entry, people, privacy, records, worklist

app_name = "beneficiaries"

urlpatterns = [
    path("a-faire/", worklist.worklist, name="worklist"),
    path("beneficiaires/", people.beneficiary_list, name="list"),
    path("beneficiaires/nouveau/", records.beneficiary_create_view, name="create"),
    path("beneficiaires/<uuid:public_id>/", people.beneficiary_detail, name="detail"),
    path("beneficiaires/<uuid:public_id>/modifier/", records.beneficiary_edit, name="edit"),
    path("beneficiaires/<uuid:public_id>/sortie/", records.beneficiary_exit, name="exit"),
    path("beneficiaires/<uuid:public_id>/situation-6-mois/", records.beneficiary_situation,
         name="situation"),
    path("beneficiaires/<uuid:public_id>/consentement/", consent.beneficiary_consent,
         name="consent"),
    path("beneficiaires/<uuid:public_id>/donnees.json", privacy.beneficiary_data_download,
         name="data_export"),
    path("beneficiaires/<uuid:public_id>/effacer/", privacy.beneficiary_erase_view, name="erase"),
    path(
        "beneficiaires/<uuid:public_id>/questionnaires/<uuid:questionnaire_id>/"
        "vagues/<int:number>/",
        entry.response_entry,
        name="entry",
    ),
]
