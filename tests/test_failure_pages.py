"""Every failure page speaks French in the site's layout, with a way back."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_a_french_404_in_the_layout(client):
    response = client.get("/cette-page-n-existe-pas/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in page
    assert 'class="navbar' in page
    assert 'href="/"' in page


def test_another_organisations_page_gets_the_same_404(client, counsellor, other_organisation):
    client.force_login(counsellor.user)
    response = client.get(f"/o/{other_organisation.slug}/beneficiaires/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_a_refused_action_gets_a_french_403():
    with translation.override("fr"):
        response = defaults.permission_denied(RequestFactory().get("/"), Exception())
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_the_500_page_renders_in_french_without_any_request_context():
    with translation.override("fr"):
        response = defaults.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur s’est produite de notre côté" in page
    assert "Retour à l’accueil" in page


def test_a_kept_database_connection_is_checked_before_it_is_reused():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
