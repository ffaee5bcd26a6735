"""Pages under /o/<org_slug>/ (see vises/urls.py)."""

from django.urls import path

from beneficiaries import consent_views, views

app_name = "beneficiaries"

urlpatterns = [
    path("a-faire/", views.worklist, name="worklist"),
    path("beneficiaires/", views.beneficiary_list, name="list"),
    path("beneficiaires/nouveau/", views.beneficiary_create_view, name="create"),
    path("beneficiaires/<uuid:public_id>/", views.beneficiary_detail, name="detail"),
    path("beneficiaires/<uuid:public_id>/modifier/", views.beneficiary_edit, name="edit"),
    path("beneficiaires/<uuid:public_id>/sortie/", views.beneficiary_exit, name="exit"),
    path("beneficiaires/<uuid:public_id>/situation-6-mois/", views.beneficiary_situation,
         name="situation"),
    path("beneficiaires/<uuid:public_id>/consentement/", consent_views.beneficiary_consent,
         name="consent"),
    path("beneficiaires/<uuid:public_id>/donnees.json", views.beneficiary_data_download,
         name="data_export"),
    path("beneficiaires/<uuid:public_id>/effacer/", views.beneficiary_erase_view, name="erase"),
    path(
        "beneficiaires/<uuid:public_id>/questionnaires/<uuid:questionnaire_id>/"
        "vagues/<int:number>/",
        views.response_entry,
        name="entry",
    ),
]
