"""Site-wide middleware.

No page or download is kept by browsers or proxies (NoStoreMiddleware).

A database connection lost in the middle of a request (a restarted or terminated server
backend) answers a French page, never Django's 500.

A page that only reads (GET, HEAD) is computed once more on a new connection: reading twice
changes nothing. A form sent (POST) is not replayed, since part of it may have been written
before the connection was lost; the page asks to send it again, which the forms make safe
(an entry form's token recognises a questionnaire already saved; an import is one
transaction, so an interrupted one wrote nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)

CONNECTION_ERRORS = (OperationalError, InterfaceError)
SAFE_METHODS = ("GET", "HEAD")

# Used when even the page in the site's layout cannot be drawn (the database is down).
PLAIN_PAGE = (
    "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>VISES Impact</title>"
    "<h1>Connexion à la base de données interrompue</h1><p>Ce que vous avez envoyé n'a "
    "peut-être pas été enregistré : revenez à la page précédente et réessayez dans un "
    "instant.</p></html>")


def _connections_reset() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()


class DatabaseInterruptedMiddleware:
    """Turn a lost database connection into a retry (reads) or a French 503 page (forms)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, CONNECTION_ERRORS):
            return None
        logger.warning("Database connection lost during %s %s: %s", request.method,
                       request.path, exception)
        _connections_reset()
        if request.method in SAFE_METHODS and request.resolver_match is not None:
            match = request.resolver_match
            try:
                return match.func(request, *match.args, **match.kwargs)
            except CONNECTION_ERRORS:
                _connections_reset()
        return self._page(request)

    def _page(self, request: HttpRequest) -> HttpResponse:
        referer = request.META.get("HTTP_REFERER", "")
        back = referer if request.method not in SAFE_METHODS and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}) else request.path
        context = {"posted": request.method not in SAFE_METHODS, "back": back}
        try:
            content = render_to_string("errors/database_interrupted.html", context,
                                       request=request)
        except Exception:  # the layout reads the database too: it may be down entirely
            _connections_reset()
            content = PLAIN_PAGE
        response = HttpResponse(content, status=503)
        response["Retry-After"] = "5"
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page and download the application builds.

    Nearly every page names people or shows their answers (person pages, entry forms,
    ``donnees.json``, ``rapport.pdf``, exports): no browser, shared computer or proxy may
    keep a copy once the user has signed out. Static files are served before this runs
    (WhiteNoise) and keep their long caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True)
        return response
