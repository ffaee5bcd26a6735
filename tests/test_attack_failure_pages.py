"""Failure pages an attacker (or a very large form) reaches: French, in the layout."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_a_post_with_too_many_fields_gets_a_french_400_in_the_layout(client):
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/connexion/", fields, secure=True)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Requête incomprise" in page
    assert 'class="navbar' in page
