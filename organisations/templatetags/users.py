"""``{{ user|display_name }}``: how templates name a user (organisations/users.py)."""

from django import template

from organisations.users import user_display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    return user_display_name(user)
