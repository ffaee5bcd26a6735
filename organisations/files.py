"""Files the commands write: whole or not at all."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def input_read(path: Path) -> bytes:
    """The whole of a command's input file; a one-line ``CommandError`` (exit 2) if unreadable."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(_("Cannot read %(file)s: %(error)s")
                           % {"file": path, "error": error.strerror}, returncode=2) from None


@contextmanager
def output_open(path: Path, *, binary: bool = False) -> Iterator[IO]:
    """A stream that writes ``path`` atomically, for a command's ``--output FILE``.

    The content goes to a temporary file in the same folder (a rename within one file system
    is atomic), which ``os.replace`` puts in place once it is complete: a reader never sees
    half a file, and a failure leaves any previous file as it was. An ``OSError`` (missing
    folder, full disk, no permission) becomes a one-line ``CommandError`` (exit 2). Text is
    UTF-8 with newlines left to the caller (``csv`` writes its own).
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        # O_EXCL: never write through a file or link someone placed there; mode 0666 minus
        # the umask, as an ordinary open would give.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with (open(descriptor, "wb") if binary
              else open(descriptor, "w", encoding="utf-8", newline="")) as stream:
            yield stream
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CommandError(_("Cannot write %(file)s: %(error)s")
                           % {"file": path, "error": error.strerror}, returncode=2) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
