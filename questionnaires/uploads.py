"""Uploads waiting for confirmation: a private file store, one file per pending upload.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

# An upload waits between its preview and the user's confirmation as a file named by a random
# token, its organisation and its owner (so that a user's pile can be capped and an erasure can
# discard what might name the person); taking it renames it first, so that a second
# confirmation finds nothing to import. Nothing else keeps uploaded files.

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
_PENDING_NAME = re.compile(r"^([A-Za-z0-9_-]{43})\.(\d+)\.(\d+)\.upload$")


def _pending_dir() -> Path:
    folder = Path(str(settings.UPLOAD_PENDING_DIR))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _pending_files(folder: Path) -> list[tuple[Path, int, int, float]]:
    """(path, organisation id, user id, modification time) of every pending upload."""
    files = []
    for path in folder.iterdir():
        match = _PENDING_NAME.match(path.name)
        if match is not None:
            with contextlib.suppress(OSError):
                files.append((path, int(match[2]), int(match[3]), path.stat().st_mtime))
    return files


def pending_upload_save(data: bytes, *, organisation_id: int, user_id: int) -> str:
    """Keep an uploaded file until it is confirmed; return its token.

    The user's older pending uploads beyond UPLOAD_MAX_PENDING_PER_USER are deleted, and so
    is every upload older than UPLOAD_KEEP_HOURS.
    """
    folder = _pending_dir()
    pending_uploads_purge()
    token = secrets.token_urlsafe(32)
    path = folder / f"{token}.{int(organisation_id)}.{int(user_id)}.upload"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as stream:
        stream.write(data)
    own = sorted((f for f in _pending_files(folder) if f[2] == user_id and f[0] != path),
                 key=lambda f: f[3])
    for stale, *_rest in own[:max(0, len(own) + 1 - settings.UPLOAD_MAX_PENDING_PER_USER)]:
        stale.unlink(missing_ok=True)
    return token


def pending_upload_take(token: str) -> bytes | None:
    """The file kept under ``token``, removed so that it is imported once; None if gone."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    folder = _pending_dir()
    claimed = folder / f"{token}.{secrets.token_hex(8)}.taken"
    for path in folder.glob(f"{token}.*.upload"):
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            continue
        try:
            return claimed.read_bytes()
        finally:
            claimed.unlink(missing_ok=True)
    return None


def pending_upload_discard(token: str) -> None:
    """Delete the file kept under ``token`` (the upload was cancelled or forgotten)."""
    if isinstance(token, str) and _TOKEN.match(token):
        for path in _pending_dir().glob(f"{token}.*.upload"):
            path.unlink(missing_ok=True)


def pending_uploads_purge(*, organisation_id: int | None = None,
                          older_than_hours: float | None = None) -> int:
    """Delete pending uploads: those older than ``older_than_hours`` (UPLOAD_KEEP_HOURS by
    default), or, given ``organisation_id``, every one of that organisation. Returns how
    many files were deleted (half-taken files of a killed worker included)."""
    folder = _pending_dir()
    hours = settings.UPLOAD_KEEP_HOURS if older_than_hours is None else older_than_hours
    cutoff = time.time() - hours * 3600
    deleted = 0
    for path, organisation, _user, modified in _pending_files(folder):
        if (organisation == organisation_id) if organisation_id is not None else (
                modified < cutoff):
            path.unlink(missing_ok=True)
            deleted += 1
    for path in folder.glob("*.taken"):
        with contextlib.suppress(OSError):
            if organisation_id is not None or path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
    for path in folder.glob("*.upload"):  # named before uploads carried their owner
        with contextlib.suppress(OSError):
            if not _PENDING_NAME.match(path.name) and (
                    organisation_id is not None or path.stat().st_mtime < cutoff):
                path.unlink()
                deleted += 1
    return deleted
