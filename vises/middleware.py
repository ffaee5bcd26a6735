"""Response headers shared by every page of the site."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


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
