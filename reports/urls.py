"""Pages under /o/<org_slug>/ (see vises/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "reports"

urlpatterns: list = []
