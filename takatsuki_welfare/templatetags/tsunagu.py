from django import template

from takatsuki_welfare.wareki import format_both, format_wareki

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


@register.filter
def wareki(value):
    """A date in 和暦 (e.g. 昭和45年3月2日)."""
    if not value:
        return ""
    try:
        return format_wareki(value)
    except ValueError:
        return value.isoformat()


@register.filter
def both_dates(value):
    """A date in 西暦 with the 和暦 year (e.g. 1970年3月2日（昭和45年）)."""
    if not value:
        return ""
    try:
        return format_both(value)
    except ValueError:
        return value.isoformat()
