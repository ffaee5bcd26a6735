"""Pages under /o/<org_slug>/ (see vises/urls.py)."""

from django.urls import path

from questionnaires.views import builder, definitions, exports, uploads

app_name = "questionnaires"

Q = "questionnaires/<uuid:public_id>/"

urlpatterns = [
    path("questionnaires/", definitions.questionnaire_list, name="list"),
    path("questionnaires/nouveau/", definitions.questionnaire_create, name="create"),
    path("questionnaires/importer/", definitions.definition_import, name="definition_import"),
    path(Q, builder.questionnaire_builder, name="builder"),
    path(Q + "general/", builder.questionnaire_general, name="general"),
    path(Q + "echelles/nouvelle/", builder.scale_edit, name="scale_create"),
    path(Q + "echelles/<slug:key>/", builder.scale_edit, name="scale_edit"),
    path(Q + "echelles/<slug:key>/supprimer/", builder.scale_delete, name="scale_delete"),
    path(Q + "questions/", builder.item_edit, name="item_edit"),
    path(Q + "questions/supprimer/", builder.item_delete, name="item_delete"),
    path(Q + "questions/deplacer/", builder.item_move, name="item_move"),
    path(Q + "dimensions/deplacer/", builder.dimension_move, name="dimension_move"),
    path(Q + "publier/", builder.questionnaire_publish, name="publish"),
    path(Q + "apercu/", builder.questionnaire_preview, name="preview"),
    path(Q + "historique/", definitions.questionnaire_history, name="history"),
    path(Q + "definition.json", definitions.definition_download, name="definition_download"),
    path(Q + "reponses/importer/", uploads.responses_upload, name="upload"),
    path(Q + "reponses/importer/confirmer/", uploads.responses_upload_confirm,
         name="upload_confirm"),
    path(Q + "exports/", exports.questionnaire_exports, name="exports"),
    *(path(Q + f"exports/{form.kind}.{form.extension}", exports.EXPORT_VIEWS[name], name=name)
      for name, form in exports.EXPORT_FORMATS.items()),
]
