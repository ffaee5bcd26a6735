"""Pages under /o/<org_slug>/ (see vises/urls.py)."""

from django.urls import path

from questionnaires import views

app_name = "questionnaires"

Q = "questionnaires/<uuid:public_id>/"

urlpatterns = [
    path("questionnaires/", views.questionnaire_list, name="list"),
    path("questionnaires/nouveau/", views.questionnaire_create, name="create"),
    path("questionnaires/importer/", views.definition_import, name="definition_import"),
    path(Q, views.questionnaire_builder, name="builder"),
    path(Q + "general/", views.questionnaire_general, name="general"),
    path(Q + "echelles/nouvelle/", views.scale_edit, name="scale_create"),
    path(Q + "echelles/<slug:key>/", views.scale_edit, name="scale_edit"),
    path(Q + "echelles/<slug:key>/supprimer/", views.scale_delete, name="scale_delete"),
    path(Q + "questions/", views.item_edit, name="item_edit"),
    path(Q + "questions/supprimer/", views.item_delete, name="item_delete"),
    path(Q + "questions/deplacer/", views.item_move, name="item_move"),
    path(Q + "dimensions/deplacer/", views.dimension_move, name="dimension_move"),
    path(Q + "publier/", views.questionnaire_publish, name="publish"),
    path(Q + "apercu/", views.questionnaire_preview, name="preview"),
    path(Q + "historique/", views.questionnaire_history, name="history"),
    path(Q + "definition.json", views.definition_download, name="definition_download"),
    path(Q + "reponses/importer/", views.responses_upload, name="upload"),
    path(Q + "reponses/importer/confirmer/", views.responses_upload_confirm,
         name="upload_confirm"),
    path(Q + "exports/", views.questionnaire_exports, name="exports"),
    *(path(Q + f"exports/{form.kind}.{form.extension}", views.EXPORT_VIEWS[name], name=name)
      for name, form in views.EXPORT_FORMATS.items()),
]
