"""Hardening: login throttling, security headers, and a clean `check --deploy` in production."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_the_deploy_checks_pass_with_production_variables():
    env = {**os.environ, "DEBUG": "off", "SECRET_KEY": secrets.token_urlsafe(60),
           "ALLOWED_HOSTS": "vises.example.org", "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "off", "ALLOWED_HOSTS": "vises.example.org"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_pages_cannot_be_framed(client):
    assert client.get(reverse("login"))["X-Frame-Options"] == "DENY"


def test_repeated_wrong_passwords_lock_the_account(client, counsellor):
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": counsellor.user.username, "password": "wrong"})
    locked = client.post(url, {"username": counsellor.user.username,
                               "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_a_short_common_password_is_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("motdepasse")


def test_the_session_ends_when_the_browser_closes(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_env_example_documents_every_variable_the_settings_read():
    import re

    source = (ROOT / "vises" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read
    assert read <= documented, read - documented
