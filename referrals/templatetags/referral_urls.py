"""``pk_url``: the URL of a view taking one integer, reversed once per process (long lists)."""

from functools import lru_cache

from django import template
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

register = template.Library()

_SLOT = 918_273_645_546_372_819  # a number no URL pattern of ours holds otherwise


@lru_cache(maxsize=32)
def _around_slot(view_name, resolver, script_prefix):
    parts = reverse(view_name, args=[_SLOT]).split(str(_SLOT))
    return tuple(parts) if len(parts) == 2 else None


@register.filter
def pk_url(pk, view_name):
    """``{% url view_name pk %}``: reversing for every row of a list costs more than the row."""
    around = _around_slot(view_name, get_resolver(get_urlconf()), get_script_prefix())
    if around is None or type(pk) is not int or pk < 0:
        return reverse(view_name, args=[pk])
    return f"{around[0]}{pk}{around[1]}"
