"""Pages under /o/<org_slug>/ (see vises/urls.py)."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("rapports/", views.index, name="index"),
    path("rapports/<uuid:public_id>/", views.dashboard, name="dashboard"),
    path("rapports/<uuid:public_id>/rapport.pdf", views.pdf, name="pdf"),
]
