"""How the site names a user."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser


def user_display_name(user: AbstractBaseUser) -> str:
    """The user's full name, else their username (accounts made by a command may have no name)."""
    return user.get_full_name() or user.get_username()
