"""Nothing typed is lost when a session ends: the form sent then is kept for its author.

A form that keeps (the entry form, the import confirmation) carries a signed token naming
the user who opened it. When it arrives after the session ended (login redirect) or without
a valid CSRF cookie, what was typed is stored for one hour, bound to that user, and given back
to them, and only them, when they open the same page again after logging in. Nothing is
saved on their behalf: the page shows the values for them to check and send.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import KeptForm

KEEP_FOR = dt.timedelta(hours=1)
OWNER_FIELD = "form_owner"
KEEPING_VIEWS = {"beneficiaries:entry", "questionnaires:upload_confirm"}
_SALT = "organisations.kept.owner"
_NOT_KEPT = {"csrfmiddlewaretoken", OWNER_FIELD}


def form_owner_sign(user) -> str:
    """The hidden value that binds a form to the user who opened it."""
    return signing.TimestampSigner(salt=_SALT).sign(str(user.pk))


def form_owner_read(value: str) -> int | None:
    """The user id a form was opened by; None when missing, altered or older than a session."""
    try:
        return int(signing.TimestampSigner(salt=_SALT).unsign(
            value, max_age=settings.SESSION_COOKIE_AGE))
    except (signing.BadSignature, ValueError):
        return None


def _keeping(path: str) -> bool:
    try:
        return resolve(path).view_name in KEEPING_VIEWS
    except Resolver404:
        return False


@transaction.atomic
def form_keep(*, request) -> bool:
    """Keep the POST of a keeping form for the user who opened it; whether it was kept."""
    if request.method != "POST" or not _keeping(request.path_info):
        return False
    user_id = form_owner_read(request.POST.get(OWNER_FIELD, ""))
    if user_id is None or (request.user.is_authenticated and request.user.pk != user_id):
        return False
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        return False
    KeptForm.objects.filter(kept_at__lt=timezone.now() - KEEP_FOR).delete()
    KeptForm.objects.filter(user_id=user_id, path=request.path).delete()
    KeptForm.objects.create(user_id=user_id, path=request.path, data={
        key: value for key, value in request.POST.items() if key not in _NOT_KEPT})
    return True


@transaction.atomic
def form_take(*, user, path: str) -> dict | None:
    """What ``user`` typed in the form at ``path`` before their session ended, once."""
    kept = (KeptForm.objects.select_for_update()
            .filter(user=user, path=path, kept_at__gte=timezone.now() - KEEP_FOR).first())
    KeptForm.objects.filter(user=user, path=path).delete()
    # Answers are personal data: nothing is held past the hour, whoever it was kept for.
    KeptForm.objects.filter(kept_at__lt=timezone.now() - KEEP_FOR).delete()
    return kept.data if kept is not None else None


def kept_forms_purge() -> int:
    """Delete the forms kept longer than ``KEEP_FOR``; how many were deleted.

    ``form_keep`` and ``form_take`` purge too, but only when someone's session ends or they
    come back: run from cron (``purge_uploads``) so typed answers never outlive the hour."""
    deleted, _by_model = KeptForm.objects.filter(kept_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted


def login_required_keeping_form(view):
    """``login_required`` that keeps a keeping form sent after the session ended."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if form_keep(request=request):
            messages.warning(request, _("Your session has expired, your answers are kept: "
                                        "log in again to find them."))
        return redirect_to_login(request.get_full_path())

    return wrapper
