"""``{% form_owner_field %}``: the hidden field binding a keeping form to its user."""

from django import template
from django.utils.html import format_html

from organisations.kept import OWNER_FIELD, form_owner_sign

register = template.Library()


@register.simple_tag(takes_context=True)
def form_owner_field(context) -> str:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    return format_html('<input type="hidden" name="{}" value="{}">', OWNER_FIELD,
                       form_owner_sign(user))
