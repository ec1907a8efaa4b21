from django import template

register = template.Library()


@register.filter
def minutes(value):
    """A timedelta as whole minutes (for the lockout cool-off)."""
    if value is None:
        return ""
    return int(value.total_seconds() // 60)


@register.filter
def display_name(user):
    """A user's name in Japanese order (family name first), or the user name."""
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()
