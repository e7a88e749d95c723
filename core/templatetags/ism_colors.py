"""`{{ branding.primary_color|link_shade }}`: the tenant's link colour, readable on white."""

from django import template

from core.colors import HEX_RE
from core.colors import link_shade as _link_shade

register = template.Library()


@register.filter
def link_shade(color: str) -> str:
    return _link_shade(color) if isinstance(color, str) and HEX_RE.fullmatch(color) else ""
