from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from organisations import views as organisation_views

admin.site.site_header = _("VISES Impact administration")
admin.site.site_title = _("VISES Impact")

urlpatterns = [
    path("", organisation_views.home, name="home"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # Everything that belongs to one organisation lives under its slug; each view checks
    # the user's membership there through organisations.access.
    path("o/<slug:org_slug>/", include("beneficiaries.urls")),
    path("o/<slug:org_slug>/", include("questionnaires.urls")),
    path("o/<slug:org_slug>/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
