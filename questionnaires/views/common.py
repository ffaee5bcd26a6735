"""What the questionnaires' pages share: a confirmed rewording, a refusal shown,
a file to download."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header


def meaning_confirmed(request) -> bool:
    """The user ticked "the meaning is unchanged" for rewordings of answered items/choices."""
    return request.POST.get("confirm_meaning_unchanged") == "on"


def refused(request, problems: list[str]) -> None:
    """Each problem of a refusal as an error message of the next page."""
    for problem in problems:
        messages.error(request, problem)


def download(content, *, questionnaire, kind: str, extension: str, content_type: str):
    """An attachment named ``<questionnaire>-<kind>-<date>.<ext>``, so that a double click
    opens it in Excel or SPSS; never kept in a cache (it holds personal data)."""
    name = f"{questionnaire.code}-{kind}-{timezone.localdate().isoformat()}.{extension}"
    response = (StreamingHttpResponse(content, content_type=content_type)
                if not isinstance(content, bytes)
                else HttpResponse(content, content_type=content_type))
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response
